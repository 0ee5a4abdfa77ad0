"""Circular imports: a imports b, b imports a."""

from hostile import circ_b
from hostile.circ_b import ping


def pong():
    return circ_b.ping()

"""Circular imports: b imports a."""

from . import circ_a


def ping():
    return circ_a.pong()

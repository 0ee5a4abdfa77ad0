"""import * chain: star_a <- star_b <- star_c <- star_a (a cycle too)."""

from .star_b import *  # noqa: F403

A = 1

from .star_a import *  # noqa: F403

C = 3

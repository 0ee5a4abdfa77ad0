from .star_c import *  # noqa: F403

B = 2

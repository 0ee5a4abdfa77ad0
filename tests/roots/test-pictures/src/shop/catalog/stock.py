"""How many of each thing the shop has."""

LEVELS = {}

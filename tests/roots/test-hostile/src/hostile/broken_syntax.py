"""Broken on line 4."""


def broken(:
    pass

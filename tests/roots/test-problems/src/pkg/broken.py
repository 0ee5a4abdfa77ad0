"""Broken on line 3."""

def broken(:
    pass

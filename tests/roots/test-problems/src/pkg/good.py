"""Fine."""


def fine():
    return 1

"""A leaf module that can be run."""

from gpkg.core import Widget


def alpha():
    return Widget()


if __name__ == "__main__":
    alpha()

from refs.base import Base, Mixin


def typed(value: Base) -> "Mixin":
    return value

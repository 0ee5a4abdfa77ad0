"""Python 3.12 syntax (PEP 695), like torch/testing/_internal/py312_intrinsics.py."""


def first[T](items: list[T]) -> T:
    return items[0]


type Pair = tuple[int, int]

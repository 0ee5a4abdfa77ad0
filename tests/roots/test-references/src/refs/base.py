"""What the other modules use."""


class Base:
    def __init__(self):
        self.size = 1

    def render(self):
        return self.size


class Mixin:
    def helper(self):
        return 2


def deco(function):
    return function


LIMIT = 3

"""A non-ASCII module name: a valid identifier, importable, so indexed."""


def crème():
    return "brûlée"

from refs.base import *


def use():
    return LIMIT, len([])

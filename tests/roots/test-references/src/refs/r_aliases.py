import refs.base as b
from refs import base as bb


def use():
    b.Base()
    return bb.Base.render

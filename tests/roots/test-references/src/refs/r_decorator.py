from refs.base import deco


@deco
def decorated():
    return 1

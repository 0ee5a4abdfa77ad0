import refs.deep.mod


def use():
    return refs.deep.mod.Thing().method()

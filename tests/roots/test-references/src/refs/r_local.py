from refs.base import Base


def outer():
    def inner():
        return 1

    return inner()


def shadowed(Base):
    return Base()


def local_variable():
    render = len
    return render([])

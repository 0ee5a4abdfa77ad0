from refs.base import Base


def dynamic(obj, name):
    getattr(obj, name)()
    made = Base()
    made.render()
    return obj.render()

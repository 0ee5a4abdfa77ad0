import refs.shadow
import refs.shadow.run
from refs.shadow import run


def use():
    run()
    return refs.shadow.run()

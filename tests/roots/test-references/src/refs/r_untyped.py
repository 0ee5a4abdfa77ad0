import asyncio
from typing import List, Union
from refs.typed import Node, Writer, amake


def guess(flag, items: List[Writer], either: Union[Writer, Node]):
    value = Writer() if flag else None
    value.line()
    chosen = Writer()
    if flag:
        chosen = Node()
    chosen.walk()
    klass = Writer
    klass.line(None)
    for item in items:
        item.line()
    either.line()
    pending = amake()
    pending.line()
    return asyncio.run(pending)


class Chain:
    def __init__(self, start: Node):
        self.node = start

    def up(self):
        self.node = self.node.parent
        return self.node.walk()

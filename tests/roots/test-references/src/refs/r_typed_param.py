from typing import Optional
from refs.typed import Writer, Node


def show(tw: Writer, node: Optional[Node], other: "Node | None" = None):
    tw.line()
    node.walk()
    return other.parent


def partial(node: Node):
    return node.parent.missing

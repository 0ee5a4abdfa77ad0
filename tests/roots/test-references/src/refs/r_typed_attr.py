from refs.typed import Node, Writer

DEFAULT = Writer()


class Report:
    node: Node

    def __init__(self, tw: Writer):
        self.tw = tw
        self.made = Writer()

    @property
    def writer(self) -> Writer:
        return self.tw

    def show(self):
        self.tw.line()
        self.made.line()
        self.node.walk()
        self.writer.line()
        DEFAULT.line()

from refs.base import Base


class Sub(Base):
    def go(self):
        self.render()
        super().render()
        return self.size, self.missing

class Thing:
    def method(self):
        return 1

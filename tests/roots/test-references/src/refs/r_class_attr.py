class Config:
    debug = False

    def show(self):
        return Config.debug, self.debug

"""The engine."""


class Engine:
    """Runs things."""

    def start(self):
        """Start it."""
        return run()


def run():
    """Run once."""
    return 1

"""Commands."""


class Command:
    """A command."""

    def invoke(self):
        return run(self)


def run(command):
    """Run a :class:`Command`."""
    return command

"""CANARY: importing or running this module leaves a trace (issue 6); it must only ever be read."""

import os


def main():
    """Runs only when executed."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "CANARY_TRIGGERED"), "a") as trace:
        trace.write("executed\n")


if __name__ == "__main__":
    main()

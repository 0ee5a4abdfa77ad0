"""CANARY: importing or running this module leaves a trace (issue 6); it must only ever be read."""

import os

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "CANARY_TRIGGERED"), "a") as trace:
    trace.write(__name__ + "\n")


def payload():
    return "package imported"

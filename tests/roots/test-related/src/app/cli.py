"""Command line."""

from app.engine import Engine


def main():
    Engine().run(print)

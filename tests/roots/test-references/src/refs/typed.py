"""Classes whose instances the r_typed_* modules hold."""

from __future__ import annotations


class Writer:
    def line(self):
        return 1


class Node:
    parent: Node | None = None

    def walk(self):
        return self.parent


def make_writer() -> Writer:
    return Writer()


async def amake() -> Writer:
    return Writer()

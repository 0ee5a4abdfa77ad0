"""The package binds its submodule's name to the submodule's function."""

from refs.shadow.run import run

__all__ = ["run"]

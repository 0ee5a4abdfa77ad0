"""The package re-exports its base class."""

from refs.base import Base

__all__ = ["Base"]

"""A package of hostile files; this one is good."""

from hostile.good import Widget

__all__ = ["Widget"]

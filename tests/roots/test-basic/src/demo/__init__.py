"""A small package shaped like real code, for the tests."""

from demo.shapes import Circle

__all__ = ["Circle"]

"""JSON helpers."""

from .tag import TaggedSerializer


def dumps(obj):
    """Serialize."""
    return str(obj)


def loads(text):
    """Deserialize."""
    return TaggedSerializer().tag(text)

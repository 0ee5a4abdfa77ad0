"""Tagged JSON."""


class TaggedSerializer:
    """Serializer that uses a tag system to compactly represent objects that
    are not JSON types."""

    def tag(self, value):
        """Tag a value."""
        return value

def helper():
    """Help."""
    return 2

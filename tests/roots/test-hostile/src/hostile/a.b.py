"""Not an importable module name."""

"""Under a folder that is not an importable name."""

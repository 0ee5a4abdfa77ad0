"""Not an importable module name."""

print("hello")

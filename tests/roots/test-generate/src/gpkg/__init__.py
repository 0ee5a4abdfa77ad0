"""Generated-pages demo package."""

"""Sphinx glue: configuration, the directive, the domain, event handlers, export."""

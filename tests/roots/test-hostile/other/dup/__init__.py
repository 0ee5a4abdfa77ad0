"""The package 'dup' again in the second root: duplicate-module, ignored."""

SECOND = True

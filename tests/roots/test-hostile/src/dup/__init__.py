"""The package 'dup' in the first root: this copy is indexed."""

FIRST = True

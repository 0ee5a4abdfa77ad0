"""Python 2 code."""

print "hello"

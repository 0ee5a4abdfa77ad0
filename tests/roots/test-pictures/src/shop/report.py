"""A sales report."""

from shop.cart import Cart
from shop.catalog.items import Item


def report():
    return Cart(), Item()

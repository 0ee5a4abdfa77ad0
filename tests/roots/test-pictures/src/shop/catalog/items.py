"""Items of the catalog."""

from shop.pricing import DISCOUNT


class Item:
    price = 1.0 - DISCOUNT

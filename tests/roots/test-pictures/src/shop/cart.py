"""The cart: what a customer buys."""

from shop.pricing import price_of


class Cart:
    def __init__(self):
        self.items = []

    def total(self):
        return sum(price_of(item) for item in self.items)

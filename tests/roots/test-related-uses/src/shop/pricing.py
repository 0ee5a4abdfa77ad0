"""Prices: the checkout calls four of its definitions and reads one constant."""

VAT_RATE = 0.2


class Basket:
    def __init__(self, items):
        self.items = items


def net_total(basket):
    return sum(basket.items)


def with_vat(amount):
    return amount * (1 + VAT_RATE)


def rounded(amount):
    return round(amount, 2)


def unused_discount(amount):
    return amount

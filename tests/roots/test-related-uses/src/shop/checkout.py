"""Checkout: one import of the module, many uses of it."""

from shop import pricing


def checkout(items):
    basket = pricing.Basket(items)
    total = pricing.rounded(pricing.with_vat(pricing.net_total(basket)))
    return total, pricing.VAT_RATE


def receipt(items):
    return pricing.rounded(pricing.net_total(pricing.Basket(items)))

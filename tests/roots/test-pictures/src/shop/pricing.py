"""Prices, discounts for big carts."""

DISCOUNT = 0.1


def price_of(item):
    return item.price


def discounted(cart):
    from shop.cart import Cart

    assert isinstance(cart, Cart)
    return cart.total() * (1 - DISCOUNT)

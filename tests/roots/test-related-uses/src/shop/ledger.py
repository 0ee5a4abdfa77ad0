"""The ledger: imports a name of pricing and only mentions it."""

from shop.pricing import VAT_RATE

RATES = [VAT_RATE]

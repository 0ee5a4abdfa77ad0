"""Retry helpers."""


def retry_budget():
    return 3


def backoff_schedule(budget):
    return [2**attempt for attempt in range(budget)]

"""Shared fixtures and strategies: random set functions as value tables."""

from __future__ import annotations

import numpy as np
import pytest

from symxai import SetFunction


def bruteforce_dividends(table: np.ndarray) -> np.ndarray:
    """mu(L) = sum_{K subset L} (-1)^{|L|-|K|} v(K), by enumerating every pair (K, L)."""
    size = table.size
    out = np.zeros(size)
    for L in range(size):
        K = L
        while True:
            out[L] += (-1) ** (bin(L).count("1") - bin(K).count("1")) * table[K]
            if K == 0:
                break
            K = (K - 1) & L
    return out


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


def random_set_function(rng: np.random.Generator, n: int) -> tuple[SetFunction, np.ndarray]:
    """A set function with independent N(0,1) values on all 2^n coalitions."""
    table = rng.normal(size=1 << n)
    return SetFunction.from_table(table), table

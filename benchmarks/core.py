"""Core-engine benchmark: prints one JSON line of figures.

* ``moebius_n20_s``: fast Möbius transform of a random set function over 20 features.
* ``closed_form_calls_k3``: distinct value calls of the closed form for a 3-atom query.
* ``closed_form_vs_bruteforce_speedup_n14``: closed-form relevance of that query against
  evaluating ``v`` on all 2^14 coalitions (batched), transforming and summing
  ``mu(L) q(L)``; both on the perturbation set function of a 14-input MLP (hidden 256),
  results asserted equal. ``..._hidden16`` is the same with a 16-unit MLP, where a
  coalition costs almost nothing and the closed form's fixed overhead dominates.
* ``order3_dividends_n40_s``: all dividends up to order 3 over 40 features.
* ``shapley_n12_s``: exact Shapley values of 12 features by the shapley-mode closed form.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

import symxai
from symxai import FeatureSpace, PerturbationBackend, harsanyi_dividends, moebius_transform

QUERY = "#0..1 & #5 & ~#9"


def best_of(repeats: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """Shortest wall time of ``repeats`` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def mlp_explanation(n: int, hidden: int = 256, seed: int = 0) -> symxai.Explanation:
    """Perturbation set function of a 3-layer tanh MLP on a random input (fresh cache), in
    float64 so that the brute-force and closed-form results agree to round-off."""
    torch.manual_seed(seed)
    model = torch.nn.Sequential(
        torch.nn.Linear(n, hidden),
        torch.nn.Tanh(),
        torch.nn.Linear(hidden, hidden),
        torch.nn.Tanh(),
        torch.nn.Linear(hidden, 1),
    ).double()
    backend = PerturbationBackend(model, torch.randn(n, dtype=torch.float64), batch_size=4096)
    return symxai.Explanation(FeatureSpace.indexed(n), backend.set_function())


def closed_form(explanation: symxai.Explanation) -> tuple[float, int]:
    """The closed form: 2^3 coalitions in one batch, a 3-bit Möbius transform."""
    return explanation.relevance(QUERY), explanation.set_function.calls


def brute_force(explanation: symxai.Explanation) -> float:
    """v on all 2^14 coalitions, fast Möbius transform, sum of mu(L) over L where q(L)."""
    mu = moebius_transform(explanation.set_function.table())
    codes = np.arange(1 << 14)
    a, b, c = (codes & 0b11) != 0, (codes >> 5 & 1) == 1, (codes >> 9 & 1) == 1
    return float(mu[a & b & ~c].sum())


def timed_on_fresh_caches(hidden: int, method: Callable, repeats: int = 5) -> tuple[float, Any]:
    """Best time of ``method`` over ``repeats`` explanations with empty caches (model and
    explanation construction are not timed)."""
    best, result = float("inf"), None
    for _ in range(repeats):
        explanation = mlp_explanation(14, hidden)
        seconds, result = best_of(1, lambda e=explanation: method(e))
        best = min(best, seconds)
    return best, result


def main() -> None:
    torch.set_num_threads(2)
    table = np.random.default_rng(0).normal(size=1 << 20)
    moebius_s, _ = best_of(3, lambda: moebius_transform(table))

    symxai.parse_query(QUERY)  # build the Lark parser once, outside the timings
    figures: dict[str, Any] = {"moebius_n20_s": round(moebius_s, 4)}
    for hidden, suffix in [(256, ""), (16, "_hidden16")]:
        closed_s, (closed_value, calls) = timed_on_fresh_caches(hidden, closed_form)
        brute_s, brute_value = timed_on_fresh_caches(hidden, brute_force)
        assert abs(brute_value - closed_value) <= 1e-9 * max(1.0, abs(brute_value))
        if not suffix:
            figures["closed_form_calls_k3"] = calls
            figures["closed_form_s_n14"] = round(closed_s, 5)
            figures["bruteforce_s_n14"] = round(brute_s, 4)
            figures["closed_form_abs_diff_n14"] = abs(brute_value - closed_value)
        figures[f"closed_form_vs_bruteforce_speedup_n14{suffix}"] = round(brute_s / closed_s, 1)

    wide = mlp_explanation(40)
    order3_s, decomposition = best_of(1, lambda: harsanyi_dividends(wide.set_function, max_order=3))
    figures["order3_dividends_n40_s"] = round(order3_s, 4)
    figures["order3_dividends_n40_count"] = len(decomposition)

    small = mlp_explanation(12)
    shapley_s, shapley = best_of(
        1, lambda: small.relevances([f"#{i}" for i in range(12)], mode="shapley")
    )
    figures["shapley_n12_s"] = round(shapley_s, 4)
    figures["shapley_efficiency_gap"] = abs(shapley.sum() - (small.value() - small.value([])))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

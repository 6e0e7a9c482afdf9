"""Orderings of the features of one input, most relevant first, for perturbation curves.

An :class:`Ordering` holds ``R`` permutations of the ``n`` features (``R`` repeats:
several for a random ordering, one otherwise) for deletion and for insertion; they
differ only for the symbolic greedy ordering, which is built separately for each kind.

* :func:`random_ordering`: seeded uniform permutations, the baseline;
* :func:`score_ordering`: descending scores (ties: the lower index first);
* :func:`first_order_ordering`: the explainer's per-feature relevance ``R_i``
  (``explanation.feature_relevance()``: LRP);
* :func:`occlusion_ordering`: the prediction difference ``f(N) - f(N \\ {i})``;
* :func:`shapley_ordering`: the exact Shapley values ``phi_i``
  (:func:`~symxai.evaluation.shapley.shapley_values`);
* :func:`greedy_ordering`: the symbolic greedy ordering of the Symbolic XAI paper
  (Schnake et al., Information Fusion 2025) on the explainer's own set function.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from symxai.evaluation.shapley import shapley_values
from symxai.evaluation.value_function import as_value_function, evaluate
from symxai.explanation import Explanation

__all__ = [
    "Ordering",
    "first_order_ordering",
    "greedy_ordering",
    "occlusion_ordering",
    "random_ordering",
    "score_ordering",
    "shapley_ordering",
]


def _permutations(order: np.ndarray, what: str) -> np.ndarray:
    order = np.asarray(order)
    if order.ndim == 1:
        order = order[None, :]
    if order.ndim != 2 or not np.issubdtype(order.dtype, np.integer):
        raise ValueError(f"{what} must be an int array [R, n] of permutations, got {order.shape}")
    expected = np.arange(order.shape[1])
    if not all(np.array_equal(np.sort(row), expected) for row in order):
        raise ValueError(f"every row of {what} must be a permutation of 0 .. n-1")
    return order.astype(np.int64)


@dataclass(frozen=True)
class Ordering:
    """``R`` orderings of ``n`` features, most relevant first.

    ``deletion`` and ``insertion`` are int ``[R, n]`` permutations: row ``r`` lists the
    features in the order the curve of repeat ``r`` removes (deletion) or adds
    (insertion) them. They are equal except for :func:`greedy_ordering`.
    """

    name: str
    deletion: np.ndarray
    insertion: np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "deletion", _permutations(self.deletion, "deletion"))
        object.__setattr__(self, "insertion", _permutations(self.insertion, "insertion"))
        if self.deletion.shape[1] != self.insertion.shape[1]:
            raise ValueError("deletion and insertion orderings must cover the same n features")

    @property
    def n(self) -> int:
        """Number of features."""
        return int(self.deletion.shape[1])

    @property
    def repeats(self) -> int:
        """Number of repeats ``R`` (of the deletion ordering)."""
        return int(self.deletion.shape[0])

    def for_kind(self, kind: str) -> np.ndarray:
        """The ``[R, n]`` permutations of ``kind`` (``"deletion"`` or ``"insertion"``)."""
        if kind == "deletion":
            return self.deletion
        if kind == "insertion":
            return self.insertion
        raise ValueError(f"kind must be 'deletion' or 'insertion', got {kind!r}")


def random_ordering(n: int, *, repeats: int = 10, seed: int = 0) -> Ordering:
    """``repeats`` independent uniform permutations of ``n`` features (seeded)."""
    if repeats < 1:
        raise ValueError(f"repeats must be positive, got {repeats}")
    generator = np.random.default_rng(seed)
    order = np.stack([generator.permutation(int(n)) for _ in range(repeats)])
    return Ordering("random", order, order)


def score_ordering(scores: np.ndarray, name: str) -> Ordering:
    """Features by descending score; equal scores keep their index order (stable).

    NaN scores are an error (no ordering is defined for them).
    """
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    if np.isnan(scores).any():
        raise ValueError(f"the scores of the {name!r} ordering contain NaN")
    order = np.argsort(-scores, kind="stable")
    return Ordering(name, order, order)


def first_order_ordering(explanation: Explanation) -> Ordering:
    """The explainer's per-feature relevance ``R_i`` (``explanation.feature_relevance()``:
    for LRP, the relevance of the walks starting at feature ``i``), descending."""
    return score_ordering(explanation.feature_relevance(), "first-order")


def occlusion_scores(removal: Any, n: int | None = None) -> np.ndarray:
    """The prediction difference ``f(N) - f(N \\ {i})`` ``[n]`` of every feature: ``n + 1``
    coalitions in one batch."""
    function, n = as_value_function(removal, n)
    masks = np.ones((n + 1, n), dtype=bool)
    masks[np.arange(1, n + 1), np.arange(n)] = False
    values = evaluate(function, masks)
    return values[0] - values[1:]


def occlusion_ordering(removal: Any, n: int | None = None) -> Ordering:
    """Occlusion (prediction difference): features by descending ``f(N) - f(N \\ {i})``,
    measured with the removal value function ``f`` (one batch of ``n + 1`` coalitions)."""
    return score_ordering(occlusion_scores(removal, n), "occlusion")


def shapley_ordering(explanation: Any, n: int | None = None) -> Ordering:
    """Features by descending exact Shapley value ``phi_i`` of the explainer's set
    function (:func:`~symxai.evaluation.shapley.shapley_values`: from the exact dividends
    where the backend has them, else from all ``2^n`` coalitions for ``n <= 20``)."""
    return score_ordering(shapley_values(explanation, n), "shapley")


def _greedy(function: Any, n: int, step: int, kind: str) -> np.ndarray:
    """One greedy permutation: deletion removes the ``step`` features whose removal
    leaves the smallest value, insertion adds the ``step`` features whose addition
    gives the largest value; one batched call per step."""
    state = np.ones(n, dtype=bool) if kind == "deletion" else np.zeros(n, dtype=bool)
    order: list[int] = []
    while len(order) < n:
        candidates = np.flatnonzero(state) if kind == "deletion" else np.flatnonzero(~state)
        masks = np.repeat(state[None, :], candidates.size, axis=0)
        masks[np.arange(candidates.size), candidates] = kind != "deletion"
        values = evaluate(function, masks)
        ranked = np.argsort(values if kind == "deletion" else -values, kind="stable")
        chosen = candidates[ranked[:step]]
        state[chosen] = kind != "deletion"
        order.extend(int(i) for i in chosen)
    return np.asarray(order, dtype=np.int64)


def greedy_ordering(
    set_function: Any, *, step: int = 1, name: str = "greedy", n: int | None = None
) -> Ordering:
    """The symbolic greedy ordering (Schnake et al., Information Fusion 2025) of the
    explainer's own set function ``v`` (an explanation, set function, backend or
    callable: :func:`~symxai.evaluation.value_function.as_value_function`).

    Sign convention: ``v`` is the explained output (larger = more evidence for the
    target), so the most relevant feature is the one whose removal lowers ``v`` most.

    * Deletion: start from ``S = N``; at each step remove the feature of ``S`` whose
      removal leaves the smallest value, ``i = argmin_{i in S} v(S \\ {i})`` (the largest
      drop ``v(S) - v(S \\ {i})``, given the features already removed).
    * Insertion: start from ``S = ∅``; at each step add
      ``i = argmax_{i not in S} v(S ∪ {i})``.

    Ties go to the lower feature index. Each step is one batched call of ``|S|``
    (deletion) or ``n - |S|`` (insertion) coalitions, so ``step=1`` costs
    ``n (n + 1) / 2`` value calls per kind (quadratic). With ``step > 1`` the ``step``
    best features of a step are removed (added) together, which divides the number of
    steps, and so of batches, by ``step`` (for large ``n``, e.g. cell graphs).
    """
    if step < 1:
        raise ValueError(f"step must be positive, got {step}")
    function, n = as_value_function(set_function, n)
    deletion = _greedy(function, n, step, "deletion")
    insertion = _greedy(function, n, step, "insertion")
    return Ordering(name, deletion, insertion)

"""Query faithfulness: does a high ``R(q)`` mean the model uses what makes ``q`` true?

For a query ``q`` and ``m`` inputs, each with an explanation (the explainer's set
function ``v``) and a removal value function ``f`` (the model's output with features
removed, e.g. ``backend="perturbation"``):

* ``relevance[j] = R(q)`` on input ``j`` (harsanyi mode, :meth:`Explanation.relevance`);
* ``output_change[j] = f(N) - f(N \\ F_q)``, where ``F_q``, *the features that make q
  true*, is the union of the features of the atoms that occur in ``q`` un-negated once
  negations are pushed to the atoms (negation normal form: ``~(a & b)`` is
  ``~a | ~b``, ``a -> b`` is ``~a | b``; an atom under ``^`` occurs both ways, so
  it counts). A query whose atoms all occur negated has ``F_q = ∅`` and output change 0.

The Pearson and Spearman correlations over inputs measure whether ``R(q)`` tracks the
measured effect (NaN with fewer than two inputs or a constant column).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import pearsonr, spearmanr

from symxai.evaluation.value_function import as_value_function, evaluate
from symxai.explanation import Explanation
from symxai.query.ast import Atom, Implies, Not, Query, Xor
from symxai.query.parser import parse_query

__all__ = ["QueryFaithfulness", "positive_atoms", "query_faithfulness"]


def positive_atoms(query: Query) -> set[Atom]:
    """The atoms occurring un-negated in the negation normal form of ``query``."""
    found: set[Atom] = set()

    def visit(node: Query, positive: bool) -> None:
        if isinstance(node, Atom):
            if positive:
                found.add(node)
        elif isinstance(node, Not):
            visit(node.operand, not positive)
        elif isinstance(node, Implies):
            visit(node.antecedent, not positive)
            visit(node.consequent, positive)
        elif isinstance(node, Xor):
            for child in node.children:
                visit(child, True)
                visit(child, False)
        else:  # And, Or, Constant: the polarity passes through
            for child in node.children:
                visit(child, positive)

    visit(query, True)
    return found


def _feature_mask(explanation: Explanation, query: Query) -> np.ndarray:
    atoms = positive_atoms(query)
    resolved = explanation.resolve(query)
    mask = np.zeros(explanation.n, dtype=bool)
    for atom in atoms:
        mask[np.asarray(resolved[atom], dtype=np.int64)] = True
    return mask


def _correlation(method: Any, x: np.ndarray, y: np.ndarray) -> float:
    if x.size < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(method(x, y)[0])


@dataclass(frozen=True)
class QueryFaithfulness:
    """``R(q)`` against the measured output change, over ``inputs`` inputs.

    ``features[j]`` is the bool mask ``F_q`` of input ``j``.
    """

    query: str
    relevance: np.ndarray
    output_change: np.ndarray
    features: tuple[np.ndarray, ...]
    pearson: float
    spearman: float
    inputs: int

    def to_dict(self) -> dict[str, Any]:
        """Plain numbers and lists (for JSON)."""
        return {
            "query": self.query,
            "relevance": self.relevance.tolist(),
            "output_change": self.output_change.tolist(),
            "pearson": self.pearson,
            "spearman": self.spearman,
            "inputs": self.inputs,
        }


def query_faithfulness(
    query: str | Query, explanations: Sequence[Explanation], removals: Sequence[Any]
) -> QueryFaithfulness:
    """Correlate ``R(q)`` (harsanyi) on each explanation with ``f(N) - f(N \\ F_q)``
    measured with the removal value function of the same input (one batch of two
    coalitions per input)."""
    if len(explanations) != len(removals):
        raise ValueError(f"{len(explanations)} explanations but {len(removals)} removals")
    parsed = parse_query(query) if isinstance(query, str) else query
    relevance, change, features = [], [], []
    for explanation, removal in zip(explanations, removals, strict=True):
        function, n = as_value_function(removal)
        if n != explanation.n:
            raise ValueError(
                f"the explanation has {explanation.n} features, its removal function {n}"
            )
        mask = _feature_mask(explanation, parsed)
        values = evaluate(function, np.stack([np.ones(n, dtype=bool), ~mask]))
        relevance.append(explanation.relevance(parsed))
        change.append(values[0] - values[1])
        features.append(mask)
    relevance_array = np.asarray(relevance, dtype=np.float64)
    change_array = np.asarray(change, dtype=np.float64)
    return QueryFaithfulness(
        query=query if isinstance(query, str) else str(query),
        relevance=relevance_array,
        output_change=change_array,
        features=tuple(features),
        pearson=_correlation(pearsonr, relevance_array, change_array),
        spearman=_correlation(spearmanr, relevance_array, change_array),
        inputs=len(relevance),
    )

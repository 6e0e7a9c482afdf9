"""Summaries of tissue explanations: phenotype bars, the phenotype-pair interaction
matrix, the tile map, cohort percentiles and per-risk-group means.

Notation: ``N`` all cells, ``A`` the cells of an atom (a phenotype), ``v`` the
explanation's set function and ``mu(L)`` its Harsanyi dividends (for GNN-LRP: the
relevance of the walks whose cells are exactly ``L``). Harsanyi relevance of a query is
``R(q) = sum_L mu(L) q(L)``; for one atom and for a pair of atoms it has the closed forms

.. math::  R(A) = v(N) - v(N \\setminus A), \\qquad
           R(A \\wedge B) = v(N) - v(N \\setminus A) - v(N \\setminus B)
                           + v(N \\setminus (A \\cup B)),

the dividends of the coalitions that hold a cell of ``A`` (and one of ``B``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from symxai.domains.cells.space import TissueFeatureSpace
from symxai.domains.cells.tiles import TileGrid
from symxai.explanation import Explanation

__all__ = [
    "cohort_percentiles",
    "cohort_relevances",
    "interaction_matrix",
    "percentile_of",
    "phenotype_atom",
    "phenotype_bars",
    "risk_group_means",
    "risk_groups",
    "tile_values",
]

_BARE = re.compile(r"[^\W\d]\w*")
_KEYWORDS = {"and", "or", "xor", "not", "implies", "true", "false"}


def phenotype_atom(name: str) -> str:
    """The query atom of a phenotype: the bare name where it is one word (``Cancer``),
    else ``phenotype:"B cell"``."""
    if _BARE.fullmatch(name) and name.lower() not in _KEYWORDS:
        return name
    return f'phenotype:"{name}"'


def _space(explanation: Explanation) -> TissueFeatureSpace:
    space = explanation.space
    if not isinstance(space, TissueFeatureSpace):
        raise TypeError("this summary needs the explanation of a tissue (explain_tissue)")
    return space


def _present_phenotypes(space: TissueFeatureSpace) -> list[str]:
    codes = np.unique(space.tissue.phenotypes)
    return [space.vocabulary[code] for code in codes]


def _atom_masks(explanation: Explanation, atoms: Sequence[str]) -> np.ndarray:
    masks = np.zeros((len(atoms), explanation.n), dtype=bool)
    for row, atom in enumerate(atoms):
        for indices in explanation.resolve(atom, missing="absent").values():
            masks[row, indices] = True
    return masks


def _walk_order(explanation: Explanation) -> int | None:
    """Largest number of distinct cells a dividend can have: ``T + 1`` for GNN-LRP
    (walks of ``T`` steps), unbounded (``None``) for other backends."""
    layers = getattr(explanation.source, "num_layers", None)
    return None if layers is None or explanation.backend != "gnn-lrp" else int(layers) + 1


def phenotype_bars(explanation: Explanation, mode: str = "harsanyi") -> pd.Series:
    """Relevance of every phenotype present in the core, indexed by phenotype name.

    ``mode="harsanyi"``: ``R(A) = v(N) - v(N \\ A)``, the dividends of all coalitions
    holding a cell of the phenotype (a coalition with two phenotypes counts for both);
    one batch of ``P + 1`` value calls.

    ``mode="shapley"``: every dividend is shared equally among the phenotypes it holds,
    ``R_sh(A) = sum_L mu(L) [L ∩ A != ∅] / #phenotypes(L)``, so that the bars sum to
    ``v(N) - v(∅)`` (equal to ``explanation.relevances(atoms, mode="shapley",
    query_set=atoms)``). Computed as the Shapley values of the game of the ``P``
    phenotype groups, ``u(T) = v(∪_{p in T} A_p)``, from its dividends
    ``mu_u(T) = sum_{S ⊆ T} (-1)^{|T|-|S|} u(S)``: with GNN-LRP a walk of ``T`` steps
    visits at most ``T + 1`` phenotypes, so only the ``sum_{j <= T+1} C(P, j)`` groups
    of at most ``T + 1`` phenotypes are evaluated (3,214 for 17 phenotypes and 3
    layers); other backends need all ``2^P``.
    """
    space = _space(explanation)
    phenotypes = _present_phenotypes(space)
    cells = _atom_masks(explanation, [phenotype_atom(name) for name in phenotypes])
    if mode == "harsanyi":
        masks = np.vstack([np.ones((1, explanation.n), dtype=bool), ~cells])
        values = explanation.values(masks)
        return pd.Series(values[0] - values[1:], index=phenotypes, name="relevance (harsanyi)")
    if mode != "shapley":
        raise ValueError(f"mode must be 'harsanyi' or 'shapley', got {mode!r}")
    count = len(phenotypes)
    order = _walk_order(explanation)
    largest = count if order is None else min(count, order)
    groups = [
        subset
        for size in range(largest + 1)
        for subset in itertools.combinations(range(count), size)
    ]
    if len(groups) > 2**16:
        raise ValueError(
            f"shapley phenotype bars over {count} phenotypes need {len(groups)} value calls "
            "with this backend; use mode='harsanyi' or the gnn-lrp backend"
        )
    masks = np.zeros((len(groups), explanation.n), dtype=bool)
    for row, subset in enumerate(groups):
        masks[row] = cells[list(subset)].any(axis=0)
    value = dict(zip(groups, explanation.values(masks), strict=True))
    shares = np.zeros(count)
    for subset in groups[1:]:
        dividend = sum(
            (-1) ** (len(subset) - size) * value[part]
            for size in range(len(subset) + 1)
            for part in itertools.combinations(subset, size)
        )
        shares[list(subset)] += dividend / len(subset)
    return pd.Series(shares, index=phenotypes, name="relevance (shapley)")


def interaction_matrix(
    explanation: Explanation, atoms: Sequence[str] | None = None
) -> pd.DataFrame:
    """``R(A & B)`` for every pair of atoms (default: the phenotypes present), by the
    closed form of the module docstring, all ``1 + P + P(P-1)/2`` value calls in one
    batch. Symmetric; the diagonal is ``R(A)``. Rows and columns are named by phenotype
    (or by the atoms given)."""
    space = _space(explanation)
    if atoms is None:
        labels = _present_phenotypes(space)
        atoms = [phenotype_atom(name) for name in labels]
    else:
        labels = list(atoms)
    cells = _atom_masks(explanation, atoms)
    count = len(atoms)
    pairs = list(itertools.combinations(range(count), 2))
    masks = np.ones((1 + count + len(pairs), explanation.n), dtype=bool)
    masks[1 : 1 + count] = ~cells
    for row, (a, b) in enumerate(pairs, start=1 + count):
        masks[row] = ~(cells[a] | cells[b])
    values = explanation.values(masks)
    total, without = values[0], values[1 : 1 + count]
    matrix = np.diag(total - without)
    for (a, b), apart in zip(pairs, values[1 + count :], strict=True):
        matrix[a, b] = matrix[b, a] = total - without[a] - without[b] + apart
    return pd.DataFrame(matrix, index=labels, columns=labels)


def tile_values(explanation: Explanation, grid: TileGrid | None = None) -> np.ndarray:
    """``[rows, columns]``: ``v(tile)`` of every tile of the grid (default: the feature
    space's ``tile`` grid), all tiles in one batch; NaN for a tile without cells.

    With GNN-LRP ``v(tile)`` is the relevance of the walks that stay inside the tile,
    ``sum_{L ⊆ tile} mu(L)``. It is not the relevance ``R(tile) = v(N) - v(N \\ tile)`` of
    the atom ``tile:"r,c"`` (every coalition *touching* the tile): ``R(tile) - v(tile)``
    is the relevance of the walks that cross the tile's border. Summed over the tiles,
    ``sum_t v(t) = v(N) - (relevance of the walks that visit two or more tiles)``; for
    tiles that no walk connects (more than ``T`` kNN steps apart),
    ``v(t1 ∪ t2) = v(t1) + v(t2)``.
    """
    space = _space(explanation)
    grid = grid or space.grid
    masks = grid.masks(space.tissue.positions)
    values = explanation.values(masks)
    values = np.where(masks.any(axis=1), values, np.nan)
    return values.reshape(grid.rows, grid.columns)


def cohort_relevances(
    explanations: Mapping[str, Explanation], queries: Sequence[str], mode: str = "harsanyi"
) -> pd.DataFrame:
    """``R(q)`` of every query on every explained core (rows: image ids, columns: the
    queries, plus ``prediction``, the explained graph part of the log hazard); atoms a
    core lacks are false there (``missing="absent"``)."""
    rows = {}
    for image_id, explanation in explanations.items():
        values = explanation.relevances(list(queries), mode=mode, missing="absent")
        rows[image_id] = [*values.to_numpy(), float(explanation.prediction or np.nan)]
    return pd.DataFrame.from_dict(rows, orient="index", columns=[*queries, "prediction"])


def percentile_of(value: float, cohort: Sequence[float] | np.ndarray) -> float:
    """The cohort percentile of ``value``: 100 x the share of cohort values at or below it
    (NaN values of the cohort left out)."""
    values = np.asarray(cohort, dtype=np.float64)
    values = values[np.isfinite(values)]
    if values.size == 0:
        raise ValueError("the cohort has no finite values")
    return float(100.0 * np.mean(values <= value))


def cohort_percentiles(frame: pd.DataFrame) -> pd.DataFrame:
    """Every value of ``frame`` (cores x queries) as its percentile within its column
    (:func:`percentile_of`: 100 x the share of cores at or below it)."""
    return frame.apply(lambda column: column.rank(method="max", pct=True) * 100.0)


RISK_GROUPINGS = {"median": ("low", "high"), "tertiles": ("low", "intermediate", "high")}
"""Risk groups by predicted log hazard: below/above the median, or the three tertiles."""


def risk_groups(log_hazard: Sequence[float] | np.ndarray, by: str = "median") -> np.ndarray:
    """The risk group of every patient (``"low"``/``"high"`` by the median of the predicted
    log hazard, or ``"low"``/``"intermediate"``/``"high"`` by its tertiles); a value equal
    to a cut point goes to the lower group."""
    if by not in RISK_GROUPINGS:
        raise ValueError(f"risk groups are by one of {sorted(RISK_GROUPINGS)}, got {by!r}")
    values = np.asarray(log_hazard, dtype=np.float64)
    names = RISK_GROUPINGS[by]
    cuts = np.quantile(values, np.arange(1, len(names)) / len(names))
    return np.asarray(names, dtype=object)[np.searchsorted(cuts, values, side="left")]


def risk_group_means(frame: pd.DataFrame, groups: Sequence[Any] | np.ndarray) -> pd.DataFrame:
    """Column means of ``frame`` (cores x queries) per risk group, groups in the order
    low, intermediate, high where those names are used; a ``count`` column gives the
    group sizes."""
    groups = pd.Series(np.asarray(groups, dtype=object), index=frame.index, name="risk group")
    means = frame.groupby(groups).mean()
    means["count"] = groups.value_counts()
    known = [g for g in RISK_GROUPINGS["tertiles"] if g in means.index]
    rest = [g for g in means.index if g not in known]
    return means.loc[known + rest]

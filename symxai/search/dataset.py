"""Query search over many inputs (a data set): one candidate set, median scores.

:func:`search_over_inputs` scores one common candidate set on every input at once and
ranks by the median over inputs; :func:`rank_over_inputs` combines per-input score
tables already computed into one ranking by median score.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from symxai.decomposition import Decomposition
from symxai.query.ast import Atom
from symxai.search.dedupe import select
from symxai.search.engine import Search
from symxai.search.options import (
    SIGNS,
    AtomSets,
    SearchScore,
    Sign,
    as_atom,
    check_atom_count,
    check_distinct,
    check_options,
    group_indices,
    signed,
)
from symxai.search.patterns import Listing, Patterns, coalition_patterns
from symxai.search.result import SearchResult, result_of

__all__ = ["rank_over_inputs", "search_over_inputs"]

_STORED_CELLS = 1 << 25  # most per-input scores kept (float32) for median ranks


def search_over_inputs(
    inputs: Iterable[tuple[Decomposition, AtomSets]],
    *,
    by: SearchScore = "correlation",
    max_literals: int = 3,
    disjunctions: bool = True,
    groups: Sequence[Atom | str] = (),
    top: int = 10,
    weights: Sequence[np.ndarray | None] | None = None,
    beam: int = 100,
    sign: Sign | None = None,
    ranks: bool | None = None,
    distinct: str = "data",
) -> SearchResult:
    """The queries that rank best over many inputs (median score), e.g. a data set of
    molecules (Schnake et al., Information Fusion 2025, Mutagenicity).

    One common candidate set is built over the union of the atoms of all inputs (in
    order of first appearance); an atom missing from an input is false on all its
    coalitions (empty feature set). Every candidate is scored on every input at once
    (the patterns of all inputs share one ``[patterns, 3 N]`` table of sums), and
    candidates are ranked by the ``sign``-transformed median over inputs of the score
    named by ``by``. Disjunctions are the pairs among the ``beam`` best conjunctions by
    median score (``C(beam, 2)`` pairs). The table adds ``mean`` (mean score over
    inputs), ``inputs`` (inputs on which the query is true on some coalition of their
    population) and
    ``rank_median`` (median over inputs of the query's rank among all valid candidates
    of that input, equivalent duplicates included; 1 is best). Inputs without non-empty
    coalitions score 0.

    ``weights`` is ``None`` or one array (or ``None``) per input, with one weight per
    listed coalition of that input. ``ranks``: compute ``rank_median`` (``None``:
    only when the per-input scores of all candidates fit in about 128 MB of float32,
    ``True``: always, with a second scoring pass when they do not fit, ``False``: never;
    the column is NaN when not computed). ``distinct``: as for :func:`search_queries`,
    over the coalitions of all inputs.
    """
    sign = check_options(by, sign, max_literals, top)
    check_distinct(distinct)
    atoms: list[Atom] = []
    position: dict[Atom, int] = {}
    parts: list[Listing] = []
    targets: list[str | None] = []
    weight_list = None if weights is None else list(weights)
    for number, (decomposition, atom_sets) in enumerate(inputs):
        positions, index_sets = [], []
        for key, indices in atom_sets.items():
            atom = as_atom(key)
            if atom not in position:
                position[atom] = len(atoms)
                atoms.append(atom)
                check_atom_count(len(atoms))
            positions.append(position[atom])
            index_sets.append(np.asarray(indices, dtype=np.int64).reshape(-1))
        weight = None
        if weight_list is not None:
            if number >= len(weight_list):
                raise ValueError(f"weights has {len(weight_list)} entries for more inputs")
            weight = weight_list[number]
        parts.append(coalition_patterns(decomposition, positions, index_sets, weight))
        targets.append(decomposition.target)
    if not parts:
        raise ValueError("search_over_inputs needs at least one input")
    if weight_list is not None and len(weight_list) != len(parts):
        raise ValueError(f"weights has {len(weight_list)} entries for {len(parts)} inputs")
    group_index = group_indices(groups, atoms)
    patterns = Patterns.build(parts, strict=False)
    search = Search(
        patterns,
        atoms,
        by=by,
        sign=sign,
        max_literals=max_literals,
        disjunctions=disjunctions,
        groups=group_index,
        max_pairs=None,
        beam=beam,
        distinct=distinct,
    )
    fits = search.planned_total() * patterns.inputs <= _STORED_CELLS
    ranks = fits if ranks is None else ranks
    chosen = select(search, signed(search.score(keep=ranks and fits), sign), top)
    return result_of(search, chosen, ranks=ranks, targets=targets)


def rank_over_inputs(
    score_tables: Iterable[pd.DataFrame | pd.Series | SearchResult],
    *,
    score: str = "score",
    key: str = "query",
    sign: Sign = "positive",
) -> pd.DataFrame:
    """Combine per-input score tables into one ranking by median score.

    Each table is a :class:`SearchResult`, a DataFrame with columns ``key`` and
    ``score``, or a Series indexed by query text (as :meth:`Explanation.correlations`
    returns). Within each table a query's rank is ``1 +`` the number of rows with a
    larger ``sign``-transformed score. The result has one row per query: ``query``,
    ``score`` (median over the tables that contain it), ``mean``, ``inputs`` (how many
    tables contain it), ``rank_median`` and ``rank``, sorted by the transformed median
    (then by ``rank_median``). Queries absent from a table are not counted for it.
    """
    if sign not in SIGNS:
        raise ValueError(f"sign must be one of {SIGNS}, got {sign!r}")
    frames = []
    for number, table in enumerate(score_tables):
        if isinstance(table, SearchResult):
            table = table.table
        if isinstance(table, pd.Series):
            frame = pd.DataFrame({"query": table.index.astype(str), "score": table.to_numpy()})
        else:
            frame = pd.DataFrame({"query": table[key].astype(str), "score": table[score]})
        transformed = signed(frame["score"].to_numpy(dtype=np.float64), sign)
        frame["rank"] = pd.Series(transformed).rank(method="min", ascending=False).to_numpy()
        frame["input"] = number
        frames.append(frame)
    columns = ["query", "score", "mean", "inputs", "rank_median", "rank"]
    if not frames:
        return pd.DataFrame(columns=columns)
    long = pd.concat(frames, ignore_index=True)
    grouped = long.groupby("query", sort=False)
    out = pd.DataFrame(
        {
            "score": grouped["score"].median(),
            "mean": grouped["score"].mean(),
            "inputs": grouped["input"].nunique(),
            "rank_median": grouped["rank"].median(),
        }
    ).reset_index()
    out["_key"] = signed(out["score"].to_numpy(dtype=np.float64), sign)
    out = out.sort_values(["_key", "rank_median"], ascending=[False, True], kind="stable")
    out = out.drop(columns="_key").reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out[columns]

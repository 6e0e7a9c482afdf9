"""The ranked list a search returns, and its table built from the chosen candidates.

For chosen candidates with per-input scores ``s_i`` (``i = 1..N``) the table reports
``median_i s_i`` as ``score`` (and likewise ``relevance`` and ``correlation``); over
several inputs also ``mean_i s_i``, the number of inputs with ``q̄_i > 0`` (the query
is true on some coalition of that input's population) and the median per-input rank
(:mod:`symxai.search.ranks`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from symxai.query.ast import Query
from symxai.search.candidates import literal_count
from symxai.search.engine import Search
from symxai.search.options import FAMILIES
from symxai.search.ranks import input_ranks

__all__ = ["SearchResult", "result_of"]


@dataclass(frozen=True)
class SearchResult:
    """One ranked list of queries.

    ``table`` has one row per query, best first: ``query`` (text), ``score`` (the score
    named by ``by``, signed), ``relevance``, ``correlation``, ``literals``, ``family``
    (``"conjunction"``, ``"disjunction"`` or ``"function"``) and ``rank`` (from 1). A
    search over inputs reports medians in ``score``, ``relevance`` and ``correlation``
    and adds ``mean`` (mean score), ``inputs`` (inputs on which the query is true on
    some coalition) and ``rank_median`` (median over inputs of the query's rank among
    all scored candidates of that input). ``queries`` are the parsed queries in the
    same order, ``candidates`` the number of candidates scored before deduplication,
    ``inputs`` the number of inputs searched and ``sign`` how ``score`` ranked
    (``"positive"``, ``"negative"`` or ``"abs"``). ``target`` names the explained
    output the dividends decompose (``"mutagen - nonmutagen"``, ``"logS"``; the
    decompositions' :attr:`~symxai.decomposition.Decomposition.target`), ``None`` where
    it is not known or the inputs' targets differ.
    """

    table: pd.DataFrame
    queries: list[Query]
    candidates: int
    by: str
    inputs: int = 1
    sign: str = "abs"
    target: str | None = None

    def top(self, k: int = 10) -> pd.DataFrame:
        """The ``k`` best rows of :attr:`table`."""
        return self.table.head(k)

    def __len__(self) -> int:
        return len(self.queries)


def result_of(
    search: Search,
    chosen: list[tuple[int, Query]],
    *,
    ranks: bool | None,
    targets: Sequence[str | None] = (),
) -> SearchResult:
    """The table of the chosen candidates; medians over inputs, and with ``ranks`` (over
    several inputs) the mean, support and median rank columns. ``targets``: the target
    names of the searched decompositions (the result's ``target`` when they agree)."""
    indices = [index for index, _ in chosen]
    queries = [query for _, query in chosen]
    sums = search.chosen_sums(indices)
    correlation = search.patterns.correlation(sums)
    relevance = sums[:, 3]
    score = correlation if search.by == "correlation" else relevance
    columns: dict[str, object] = {
        "query": [str(q) for q in queries],
        "score": np.median(score, axis=1),
        "relevance": np.median(relevance, axis=1),
        "correlation": np.median(correlation, axis=1),
    }
    if ranks is not None:
        columns["mean"] = score.mean(axis=1)
        columns["inputs"] = (sums[:, 0] > 0).sum(axis=1)
        if ranks:
            columns["rank_median"] = np.median(input_ranks(search, indices), axis=1)
        else:
            columns["rank_median"] = np.full(len(indices), np.nan)
    columns["literals"] = [literal_count(q) for q in queries]
    columns["family"] = [FAMILIES[search.family(i)[0]] for i in indices]
    columns["rank"] = np.arange(1, len(indices) + 1)
    return SearchResult(
        table=pd.DataFrame(columns),
        queries=queries,
        candidates=search.total,
        by=search.by,
        inputs=search.patterns.inputs,
        sign=search.sign,
        target=common_target(targets),
    )


def common_target(targets: Sequence[str | None]) -> str | None:
    """The one target name all ``targets`` share, else ``None``."""
    distinct = set(targets)
    return distinct.pop() if len(distinct) == 1 else None

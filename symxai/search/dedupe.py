"""Ranking and deduplication: the ``top`` best candidates, one per equivalence class.

Candidates are ranked by the ``sign``-transformed score (``"abs"``: magnitude, the
default; ``"positive"``: signed score, largest first; ``"negative"``: most negative
first, :func:`symxai.search.options.signed`); the reported score keeps its sign. Over
the population ``rho(~q) = -rho(q)``, so with ``"abs"`` a query and its complement tie;
of such a tie the candidates whose correlation has the sign of their relevance come
first and the complement of a returned query is not returned again (a planted formula
with negative dividends is returned as itself with a negative score, not as its
complement with a positive one).

Logically equivalent candidates have equal scores, so the ranked list is cut into runs
of equal score (``np.isclose``); inside a run every candidate gets an exact canonical
key, the truth table over the atoms it depends on (candidates are logically equivalent
iff their keys are equal), and each class is kept once, as its member with the fewest
literals (then the shorter text, then the family order conjunction, disjunction,
function). With ``distinct="logic"`` candidates that tie in score but differ logically
are all kept, simpler first. With ``distinct="data"`` (the default) the key is the
candidate's truth on the atom patterns of the coalitions with a non-zero dividend (or a
weight other than 1: the same for a dense and a sparse listing), so tied candidates the
dividends cannot tell apart (``~C & N & O`` and ``~C & N & O | O & H``
when no coalition with dividend holds both O and H) are also returned once, simplest
first; logically equivalent candidates always share this key.
"""

from __future__ import annotations

import itertools

import numpy as np

from symxai.query.ast import Query
from symxai.search.candidates import simplicity
from symxai.search.engine import Search

__all__ = ["select"]

Key = tuple[tuple[int, ...], bytes]
"""Deduplication key: canonical atoms and truth table, or ``(-1,)`` and the packed
truth on the patterns (``distinct="data"``)."""


def select(search: Search, rank: np.ndarray, top: int) -> list[tuple[int, Query]]:
    """The ``top`` best candidates of ``search`` by ``rank``, one per equivalence class
    (module doc)."""
    valid = search.valid() & np.isfinite(rank)
    candidates = np.flatnonzero(valid)
    order = candidates[np.argsort(-rank[candidates], kind="stable")]
    if not order.size:
        return []
    ranked = rank[order]
    scale = float(np.abs(ranked).max()) or 1.0
    breaks = ~np.isclose(ranked[1:], ranked[:-1], rtol=1e-9, atol=1e-12 * scale)
    starts = np.concatenate([[0], np.flatnonzero(breaks) + 1, [order.size]])
    estimates = search.estimates()
    kept: list[tuple[int, Query]] = []
    seen: set[Key] = set()
    for start, stop in itertools.pairwise(starts):
        if len(kept) >= top:
            break
        for run in _agreeing_first(search, order[start:stop]):
            best = _best_of_run(search, run, estimates, seen, top - len(kept))
            for _, index, query, key in best[: top - len(kept)]:
                kept.append((index, query))
                seen.add(key)
                if search.by == "correlation" and search.sign == "abs":
                    seen.add(_complement_key(search, index, key))
    return kept


def _complement_key(search: Search, index: int, key: Key) -> Key:
    """The deduplication key of ``~candidate`` (same ``|correlation|``, opposite sign:
    with ``sign="abs"`` one of the two is returned)."""
    if key[0] == (-1,):
        truth = search.truths(np.asarray([index]), search.patterns.codes)[0]
        return key[0], np.packbits(~truth).tobytes()
    variables, table = search.canonical(index)
    return variables, (~table).tobytes()


def _agreeing_first(search: Search, run: np.ndarray) -> list[np.ndarray]:
    """A run of equal ``|correlation|`` split into the candidates whose correlation
    has the sign of their relevance, then the others (``sign="abs"`` only).

    ``q`` and ``~q`` have opposite correlations of equal magnitude over the
    population; the one that carries the dividends (``R(q)`` of the correlation's
    sign) is the answer, the other its complement."""
    if search.by != "correlation" or search.sign != "abs" or run.size < 2:
        return [run]
    sums = search.chosen_sums(run)
    correlation = np.median(search.patterns.correlation(sums), axis=1)
    relevance = np.median(sums[:, 3], axis=1)
    agree = correlation * relevance > 0
    return [part for part in (run[agree], run[~agree]) if part.size]


def _best_of_run(
    search: Search,
    run: np.ndarray,
    estimates: np.ndarray,
    seen: set[Key],
    wanted: int,
) -> list[tuple[tuple[int, int, int, str, int], int, Query, Key]]:
    """The simplest member of each class of ``run`` not yet ``seen``, simplest first;
    candidates are visited by their literal ``estimates`` and the visit stops once
    ``wanted`` classes are settled (no later candidate can be simpler)."""
    run = run[np.lexsort((run, estimates[run]))]
    levels = estimates[run]
    best: dict[Key, tuple] = {}
    data_keys: dict[int, bytes] = {}
    if search.distinct == "data":
        packed = np.packbits(search.truths(run, search.patterns.codes), axis=1)
        data_keys = {int(i): row.tobytes() for i, row in zip(run, packed, strict=True)}
    for level in np.unique(levels):
        for index in run[levels == level]:
            index = int(index)
            if search.distinct == "data":
                key = ((-1,), data_keys[index])
                if key in seen or (key in best and best[key][0][0] < level):
                    continue
                variables, table = search.canonical(index)
            else:
                variables, table = search.canonical(index)
                key = (variables, table.tobytes())
                if key in seen:
                    continue
            query = search.query(index, (variables, table))
            literals, length, text = simplicity(query)
            order = (literals, length, search.family(index)[0], text, index)
            if key not in best or order < best[key][0]:
                best[key] = (order, index, query, key)
        settled = sum(1 for entry in best.values() if entry[0][0] <= level)
        if settled >= wanted:
            break
    return sorted(best.values(), key=lambda entry: entry[0])

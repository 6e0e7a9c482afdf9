"""The :class:`Explanation` of one prediction: a feature space plus a batched set function.

This is the object users query::

    explanation.relevance('"not" & ("good" | "great")')
    explanation.relevance("N & O", mode="shapley", query_set=["N", "O", "N & O"])
    explanation.dividends(max_order=3).top(10)
    explanation.search(["N", "O", "C", "H"]).top(5)

Queries may be strings (parsed by :func:`symxai.parse_query`) or :class:`~symxai.Query`
objects; their atoms are resolved by the feature space. Value calls go through the
set function's cache, so repeated and overlapping queries are cheap.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from symxai.connected_dividends import ConnectedPlan, connected_harsanyi_dividends
from symxai.decomposition import Decomposition, harsanyi_dividends
from symxai.errors import BackendCapabilityError, FeatureSpaceError, QueryError, UnknownAtomError
from symxai.features import FeatureSpace
from symxai.progress import PROGRESS_THRESHOLD
from symxai.query.ast import Atom, Or, Query, is_bare_name
from symxai.query.cache import QueryCache
from symxai.query.parser import parse_query
from symxai.relevance import (
    MAX_QUERY_ATOMS,
    MODES,
    Mode,
    correlation_scores,
    dividend_relevance,
    feature_shapley_relevance,
    query_relevances,
    shared_dividend_relevance,
)
from symxai.search import MAX_SEARCH_ATOMS, SearchResult, SearchScore, Sign, search_queries
from symxai.setfunction import MAX_EXACT_FEATURES, SetFunction

if TYPE_CHECKING:
    from symxai.backends.coalition_graph import CoalitionGraph
    from symxai.walks import NamedWalks

__all__ = ["Explanation"]

QueryLike = str | Query
ContextLike = QueryLike | Iterable[int | str] | np.ndarray | None

AMORTISATION_FLOOR = 64
"""Closed-form value calls on one context before :meth:`Explanation._amortise` first
sizes the complete connected-coalition dividends (8 three-atom queries): a single query
or a short script never pays for them."""


class Explanation:
    """Feature space + set function of one explained prediction.

    Parameters
    ----------
    space:
        Names and atom resolution of the ``n`` features.
    set_function:
        The batched value function ``v`` over the same ``n`` features.
    prediction:
        The explained model output, when known (for display and conservation checks).
    metadata:
        Free-form information kept with the explanation (backend, target, input id ...).
    exact_dividends:
        Optional backend shortcut returning the complete decomposition (for GNN-LRP: from
        its relevant walks) or ``None`` when that is infeasible; used by :meth:`dividends`
        instead of evaluating ``2^n`` coalitions.
    exact_cost:
        Optional estimate of what ``exact_dividends`` costs, in batch rows comparable to
        value calls (GNN-LRP: the number of walks). A harsanyi query whose closed form
        needs more value calls than this (and at least
        :data:`~symxai.progress.PROGRESS_THRESHOLD`) is computed on the exact dividends.
    coalition_graph:
        Optional backend shortcut returning a
        :class:`~symxai.backends.coalition_graph.CoalitionGraph` (GNN-LRP: the message-passing
        graph), off whose connected coalitions every dividend is 0, or ``None``; used by
        :meth:`dividends` with ``max_order`` to evaluate only connected coalitions.
    missing:
        Default for atoms that match no feature: ``"error"`` (raise
        :class:`~symxai.UnknownAtomError` with suggestions) or ``"absent"`` (the atom is
        false on every coalition). Every query method also takes ``missing=``.

    Attributes
    ----------
    reuse_dividends:
        ``True`` (default): once closed-form harsanyi queries on a context have cost as
        many value calls as its complete connected-coalition dividends, these are built
        and later queries are summed over them (:meth:`_amortise`); ``False``: every
        harsanyi query uses the closed form.
    """

    def __init__(
        self,
        space: FeatureSpace,
        set_function: SetFunction,
        *,
        prediction: float | None = None,
        metadata: dict[str, Any] | None = None,
        missing: str = "error",
        exact_dividends: Callable[[], Decomposition | None] | None = None,
        exact_cost: Callable[[], int | None] | None = None,
        coalition_graph: Callable[[], CoalitionGraph | None] | None = None,
        source: Any = None,
    ) -> None:
        if space.n != set_function.n:
            raise FeatureSpaceError(
                f"the feature space has {space.n} features but the set function {set_function.n}"
            )
        self.space = space
        self.set_function = set_function
        self.prediction = prediction
        self.metadata = dict(metadata or {})
        self.backend: str | None = self.metadata.get("backend", getattr(source, "name", None))
        self._source = source
        self.missing = missing
        self._exact_dividends = exact_dividends
        self._exact_cost = exact_cost
        self._exact: Decomposition | None = None
        self._coalition_graph = coalition_graph
        self._graph: CoalitionGraph | None = None
        self._decompositions: dict[tuple[int | None, bytes], Decomposition] = {}
        self._queries = QueryCache(space)
        self.reuse_dividends = True
        self._closed_form_rows: dict[bytes, int] = {}
        self._connected_rows: dict[bytes, int | None] = {}

    @property
    def source(self) -> Any:
        """The backend object that computed this explanation (``None`` for one built from a
        bare set function): for backend-specific calls beyond :meth:`walks` and
        :meth:`feature_relevance`, such as GNN-LRP's ``bias_absorption()`` or a
        transformer backend's ``token_relevance()``."""
        return self._source

    @property
    def n(self) -> int:
        """Number of features."""
        return self.space.n

    def __repr__(self) -> str:
        prediction = "" if self.prediction is None else f", prediction={self.prediction:.4g}"
        return f"Explanation({self.space!r}{prediction})"

    # -------------------------------------------------------------- values
    def value(self, subset: Iterable[int | str] | np.ndarray | None = None) -> float:
        """``v(S)`` of a coalition given by indices, names or a bool mask (all features if None)."""
        mask = np.ones(self.n, bool) if subset is None else self.space.mask(subset)
        return self.set_function.value(mask)

    def values(self, masks: np.ndarray) -> np.ndarray:
        """``v`` of many coalitions at once (bool ``[B, n]``)."""
        return self.set_function(masks)

    # ------------------------------------------------------------- queries
    @staticmethod
    def _parse(query: QueryLike) -> tuple[Query, str]:
        if isinstance(query, Query):
            return query, ""
        if not isinstance(query, str):
            raise TypeError(f"a query is a string or a Query, got {type(query).__name__}")
        return parse_query(query), query

    def resolve(self, query: QueryLike, missing: str | None = None) -> dict[Atom, np.ndarray]:
        """Feature indices of every atom of ``query`` (errors point at the unknown atom)."""
        parsed, source = self._parse(query)
        return self.space.resolve_query(parsed, source, missing or self.missing)

    def context_mask(self, context: ContextLike) -> np.ndarray:
        """Bool mask of a context: ``None`` (all), indices/names/mask, or a query that is an
        atom or a disjunction of atoms (the union of their features)."""
        if context is None:
            return np.ones(self.n, dtype=bool)
        if isinstance(context, (str, Query)):
            parsed, source = self._parse(context)
            operands = parsed.operands if isinstance(parsed, Or) else (parsed,)
            if not all(isinstance(operand, Atom) for operand in operands):
                raise QueryError(
                    f"a context is a feature set: an atom or atoms joined by '|', not {parsed}",
                    query=source,
                )
            mask = np.zeros(self.n, dtype=bool)
            for atom in operands:
                mask[self.space.resolve(atom, source)] = True  # type: ignore[arg-type]
            return mask
        return self.space.mask(context)

    def relevance(
        self,
        query: QueryLike,
        mode: Mode = "harsanyi",
        context: ContextLike = None,
        query_set: Sequence[QueryLike] | None = None,
        missing: str | None = None,
        *,
        queries: Sequence[QueryLike] | None = None,
    ) -> float:
        """Relevance ``R(q) = sum_{∅≠L⊆C} eta(L) mu(L) q(L)`` (see :mod:`symxai.relevance`).

        Parameters
        ----------
        query:
            The query, e.g. ``'"not" & ("good" | "great")'``.
        mode:
            ``"harsanyi"`` (``eta = 1``, PreDiff) or ``"shapley"`` (each dividend shared
            equally among the queries of ``query_set`` that are true on it).
        context:
            Features ``C`` the explanation is restricted to; the others are held absent.
        query_set:
            The query set ``Q`` of shapley mode (``query`` joins it), the same argument as
            in :meth:`relevances`. Default: the singleton queries ``#i`` of every feature
            in the context, so that ``relevance("#3", mode="shapley")`` is the Shapley
            value of feature 3.
        missing:
            ``"error"`` or ``"absent"`` for atoms matching no feature (default: the
            explanation's ``missing``).
        queries:
            Deprecated name of ``query_set`` (a :class:`DeprecationWarning`).
        """
        if queries is not None:
            if query_set is not None:
                raise TypeError("give query_set only (queries is its deprecated name)")
            warnings.warn(
                "Explanation.relevance(queries=...) is deprecated: use query_set=",
                DeprecationWarning,
                stacklevel=2,
            )
            query_set = queries
        values = self._relevance_values([query], mode, context, query_set, missing)
        return float(values[0])

    def relevances(
        self,
        queries: Sequence[QueryLike],
        mode: Mode = "harsanyi",
        context: ContextLike = None,
        query_set: Sequence[QueryLike] | None = None,
        missing: str | None = None,
    ) -> pd.Series:
        """Relevance of several queries, all value calls in one batch; indexed by query text.

        In shapley mode, ``query_set`` is ``Q`` (default: singletons of the context, plus
        the scored queries), shared by every scored query. Shapley mode is computed on the
        complete dividends when the backend supplies them (walks: any number of atoms,
        so the default ``Q`` works for molecules of any size) or when they cost no more
        than the closed form; otherwise by the closed form (see :meth:`_shapley_dividends`).
        With the default ``Q`` the weight is ``eta(L) = 1 / (|L| + e(L))``, ``e(L)`` the
        number of scored queries other than singletons true on ``L``
        (:func:`~symxai.relevance.feature_shapley_relevance`): no truth table over the
        ``|C|`` singletons is built.
        """
        values = self._relevance_values(queries, mode, context, query_set, missing)
        labels = [q if isinstance(q, str) else str(q) for q in queries]
        return pd.Series(values, index=labels, name=f"relevance ({mode})")

    def _relevance_values(
        self,
        queries: Sequence[QueryLike],
        mode: Mode,
        context: ContextLike,
        query_set: Sequence[QueryLike] | None,
        missing: str | None,
    ) -> np.ndarray:
        """``R(q)`` of every query as an array (:meth:`relevances` without the labels)."""
        missing = missing or self.missing
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        context_mask = self.context_mask(context)
        parsed, atom_sets = self._parse_all(queries, missing)
        shared: list[Query] | None = None
        if mode == "shapley" and query_set is not None:
            shared, extra = self._parse_all(query_set, missing)
            atom_sets.update(extra)
        if mode == "shapley":
            decomposition = self._shapley_dividends(context_mask, atom_sets, shared is None)
        else:
            decomposition = self._harsanyi_dividends(context_mask, parsed, atom_sets, missing)
        if decomposition is None and mode == "harsanyi":
            plan = self._queries.harsanyi_plan(parsed, atom_sets, context_mask, missing)
            values = plan.relevances(
                self.set_function(plan.masks) if len(plan.masks) else np.empty(0)
            )
            self._amortise(context_mask, len(plan.masks))
            return values
        if decomposition is not None and mode == "shapley" and shared is None:
            values = feature_shapley_relevance(decomposition, parsed, atom_sets)
        elif decomposition is not None and mode == "shapley":
            values = shared_dividend_relevance(decomposition, parsed, atom_sets, shared)
        elif decomposition is not None:
            values = dividend_relevance(decomposition, parsed, atom_sets)
        else:
            if mode == "shapley" and shared is None:
                shared = [Atom("index", int(i)) for i in np.flatnonzero(context_mask)]
                atom_sets.update({atom: np.asarray([atom.value]) for atom in shared})
            values = query_relevances(
                self.set_function,
                parsed,
                atom_sets,
                context=context_mask,
                mode=mode,
                query_set=shared,
            )
        return np.asarray(values, dtype=np.float64)

    def _harsanyi_dividends(
        self,
        context_mask: np.ndarray,
        queries: Sequence[Query],
        atom_sets: dict[Atom, np.ndarray],
        missing: str,
    ) -> Decomposition | None:
        """The complete decomposition when harsanyi relevance is cheaper on it, else
        ``None`` (the closed form).

        The closed form costs ``sum_q 2^{k_q}`` value calls (``k_q`` distinct atom sets of
        query ``q``). When that is at least :data:`~symxai.progress.PROGRESS_THRESHOLD`
        and the backend's exact dividends are already computed or cost less
        (``exact_cost``), or a query has more than ``MAX_QUERY_ATOMS`` atoms, ``R(q) =
        sum_{L != ∅} mu(L) q(L)`` is summed over the exact dividends instead: on a
        126-atom molecule a 16-atom query needs 65,536 coalitions, its walks about 8,000.
        """
        if self._graph is not None and self.reuse_dividends:
            key = (self._graph.max_size, np.packbits(context_mask).tobytes())
            built = self._decompositions.get(key)
            if built is not None and built.complete:
                return built
        sizes = [self._queries.atom_set_count(q, atom_sets, missing) for q in queries]
        closed = sum(1 << size for size in sizes)
        too_many = any(size > MAX_QUERY_ATOMS for size in sizes)
        if closed < PROGRESS_THRESHOLD and not too_many:
            return None
        if self._exact is None and self._exact_dividends is not None:
            cost = self._exact_cost() if self._exact_cost is not None else None
            cheaper = cost is not None and cost < closed
            if not (cheaper or too_many):
                return None
            self._exact = self._exact_dividends()
            self._exact_dividends = None
        if self._exact is None or not self._exact.complete:
            return None
        return self.dividends(None, context_mask)

    def _amortise(self, context_mask: np.ndarray, rows: int) -> None:
        """After a closed-form harsanyi query of ``rows`` value calls: build the complete
        connected-coalition dividends over the context once the closed-form queries on it
        have cost as many value calls as they need.

        A user exploring one input asks query after query; each costs ``2^k`` value calls
        by the closed form, against ``sum_L mu(L) q(L)`` over a few hundred dividends
        (about 0.1 ms on a 30-atom molecule) once the complete decomposition exists
        (:meth:`_complete_connected_dividends`, one batch of ``c`` coalitions). Building it
        when the calls spent on this context reach ``c`` (the rent-or-buy rule) never costs
        more than twice the cheaper of the two strategies in hindsight; the queries after
        it are answered by :meth:`_harsanyi_dividends` from the decomposition (equal to
        the closed form up to float rounding of the backend's values, about ``1e-6``
        relative in float32). Only backends with a coalition graph qualify (GNN-LRP,
        SchNet-LRP); ``explanation.reuse_dividends = False`` keeps every harsanyi query on
        the closed form.
        """
        if not self.reuse_dividends or (self._coalition_graph is None and self._graph is None):
            return
        key = np.packbits(context_mask).tobytes()
        spent = self._closed_form_rows.get(key, 0) + rows
        self._closed_form_rows[key] = spent
        if spent < AMORTISATION_FLOOR:
            return
        if key not in self._connected_rows:
            if self._coalition_graph is not None:
                self._graph = self._coalition_graph()
                self._coalition_graph = None
            graph = self._graph
            self._connected_rows[key] = (
                None
                if graph is None
                else ConnectedPlan.build(graph, graph.max_size, context_mask).masks.shape[0]
            )
        cost = self._connected_rows[key]
        if cost is not None and spent >= cost:
            self._connected_rows[key] = None
            self._complete_connected_dividends(context_mask)

    def _shapley_dividends(
        self,
        context_mask: np.ndarray,
        atom_sets: dict[Atom, np.ndarray],
        singletons: bool = False,
    ) -> Decomposition | None:
        """The complete decomposition over the context when shapley mode should be computed
        on dividends (:func:`~symxai.relevance.shared_dividend_relevance`), else ``None``
        (the closed form, ``2^k`` value calls for the ``k`` distinct atom sets of
        ``atom_sets``, the atoms of ``Q``).

        Dividends are used when the backend has a coalition graph (all of them from its
        connected coalitions: :meth:`_complete_connected_dividends`), when it supplies
        them exactly (walks), when they are already computed, or when they cost no more
        value calls than the closed form (``2^|C|`` with ``|C| <= k``) or the closed
        form is out of reach (``k > MAX_QUERY_ATOMS``) and ``|C| <= MAX_EXACT_FEATURES``.
        ``singletons``: ``Q`` is the default set, whose ``|C|`` singleton atoms make the
        closed form cost at least ``2^|C|``, so the dividends are always the cheaper route.
        """
        key = (None, np.packbits(context_mask).tobytes())
        if key in self._decompositions:
            return self._decompositions[key]
        if self._exact is None:
            connected = self._complete_connected_dividends(context_mask)
            if connected is not None:
                return connected
        if self._exact is None and self._exact_dividends is not None:
            self._exact = self._exact_dividends()
            self._exact_dividends = None
        if self._exact is not None and self._exact.complete:
            return self.dividends(None, context_mask)
        atoms = {np.packbits(self.space.mask(indices)).tobytes() for indices in atom_sets.values()}
        size = int(context_mask.sum())
        affordable = singletons or size <= len(atoms) or len(atoms) > MAX_QUERY_ATOMS
        if affordable and size <= MAX_EXACT_FEATURES:
            return self.dividends(None, context_mask)
        return None

    def _parse_all(
        self, queries: Sequence[QueryLike], missing: str | None = None
    ) -> tuple[list[Query], dict[Atom, np.ndarray]]:
        parsed, atom_sets = [], {}
        for query in queries:
            query_, source = self._parse(query)
            parsed.append(query_)
            atom_sets.update(self._queries.resolve(query_, source, missing or self.missing))
        return parsed, atom_sets

    # ------------------------------------------------------ backend accessors
    def _backend_part(self, method: str, what: str) -> Callable[..., Any]:
        part = getattr(self._source, method, None)
        if part is None:
            name = self.backend or "this"
            raise BackendCapabilityError(f"the {name} backend of this explanation has no {what}")
        return part

    def walks(self, top: int | None = None, **options: Any) -> NamedWalks:
        """The relevant walks ``(i_0, ..., i_T)`` and their relevance ``R_W`` (LRP backends of
        message-passing models: GNN-LRP, SchNet-LRP), named by this explanation's features;
        with ``top``, the ``top`` walks of largest ``|R_W|``. ``options`` go to the
        backend (``max_walks=``, ``beam_width=`` for GNN-LRP). Raises
        :class:`~symxai.errors.BackendCapabilityError` for a backend without walks."""
        from symxai.walks import NamedWalks

        walks = self._backend_part("walks", "relevant walks")(top, **options)
        return NamedWalks.of(walks, self.space)

    def feature_relevance(self) -> np.ndarray:
        """The relevance ``R_i`` of every feature ``[n]`` (LRP: the summed relevance of the
        walks starting at feature ``i``; a word's or a patch's summed token relevance).
        Raises :class:`~symxai.errors.BackendCapabilityError` for a backend without it."""
        relevance = self._backend_part("feature_relevance", "per-feature relevance")()
        return np.asarray(relevance, dtype=np.float64)

    # -------------------------------------------------------- decompositions
    def dividends(self, max_order: int | None = None, context: ContextLike = None) -> Decomposition:
        """Harsanyi dividends ``mu(L)``, ``L ⊆ C``: all of them (``max_order=None``) or those
        with ``|L| <= max_order``. Cached. With ``max_order``, when the backend supplies a
        coalition graph (GNN-LRP, SchNet), from the connected coalitions only, in one
        batch (docs/mathematics.md, "Connected coalitions"). Otherwise exact for all ``n``
        when the backend supplies them (GNN-LRP walks), else from ``2^|C|`` values
        (``|C| <= 24``) or from the coalitions of at most ``max_order`` features. The
        decomposition's ``target`` is the explained output's name (``metadata["target"]``)."""
        mask = self.context_mask(context)
        key = (max_order, np.packbits(mask).tobytes())
        if key not in self._decompositions and self._exact is None and max_order is not None:
            connected = self._connected_dividends(max_order, mask)
            if connected is not None:
                self._decompositions[key] = connected
        if key in self._decompositions:
            return self._decompositions[key]
        if self._exact is None and self._exact_dividends is not None:
            self._exact = self._exact_dividends()
            self._exact_dividends = None
        if key not in self._decompositions and self._exact is not None:
            self._decompositions[key] = self._exact.restrict(mask, max_order)
        if key not in self._decompositions:
            self._decompositions[key] = harsanyi_dividends(
                self.set_function, max_order=max_order, context=mask, space=self.space
            )
        decomposition = self._decompositions[key]
        if decomposition.target is None:
            decomposition.target = self.metadata.get("target")
        return decomposition

    def _complete_connected_dividends(self, mask: np.ndarray) -> Decomposition | None:
        """All dividends over the context from the connected coalitions of at most
        ``graph.max_size`` features (``layers + 1`` for GNN-LRP: every larger or
        disconnected coalition has dividend 0, so the listing is complete), or ``None``
        without a coalition graph. One batch of a few hundred values on a molecule,
        against one graph copy per relevant walk for the walk-based dividends."""
        if self._coalition_graph is not None:
            self._graph = self._coalition_graph()
            self._coalition_graph = None
        if self._graph is None:
            return None
        decomposition = self.dividends(self._graph.max_size, mask)
        return decomposition if decomposition.complete else None

    def _connected_dividends(self, max_order: int, mask: np.ndarray) -> Decomposition | None:
        """Order-limited dividends over the backend's connected coalitions only
        (:func:`~symxai.connected_dividends.connected_harsanyi_dividends`), or ``None``
        when the backend has no coalition graph or its numerical check fails. A failed
        check shows a dividend off the graph, so neither this nor the backend's walk-based
        exact dividends (which assume the same walk structure) are used again for this
        explanation: the full transform is."""
        if self._coalition_graph is not None:
            self._graph = self._coalition_graph()
            self._coalition_graph = None
        if self._graph is None:
            return None
        decomposition = connected_harsanyi_dividends(
            self.set_function, self._graph, max_order=max_order, context=mask, space=self.space
        )
        if decomposition is None:
            self._graph = None
            if self._exact is None:
                self._exact_dividends = None
        return decomposition

    def dividend_relevances(
        self,
        queries: Sequence[QueryLike],
        max_order: int | None = None,
        context: ContextLike = None,
    ) -> pd.Series:
        """``sum_{L ≠ ∅} mu(L) q(L)`` over the enumerated dividends (order-``k`` truncation
        of the harsanyi relevance when ``max_order`` is given)."""
        parsed, atom_sets = self._parse_all(queries)
        values = dividend_relevance(self.dividends(max_order, context), parsed, atom_sets)
        return pd.Series(values, index=[str(q) for q in queries], name="relevance (dividends)")

    def correlations(
        self,
        queries: Sequence[QueryLike],
        max_order: int | None = None,
        context: ContextLike = None,
        weights: np.ndarray | None = None,
    ) -> pd.Series:
        """Correlation score of each query with the dividends (used by query search)."""
        parsed, atom_sets = self._parse_all(queries)
        decomposition = self.dividends(max_order, context)
        values = correlation_scores(decomposition, parsed, atom_sets, weights)
        return pd.Series(values, index=[str(q) for q in queries], name="correlation")

    # --------------------------------------------------------------- search
    def search(
        self,
        atoms: Sequence[QueryLike] | None = None,
        *,
        by: SearchScore = "correlation",
        max_literals: int = 3,
        disjunctions: bool = True,
        groups: Sequence[QueryLike] = (),
        top: int = 10,
        max_order: int | None = None,
        context: ContextLike = None,
        weights: np.ndarray | None = None,
        missing: str | None = None,
        sign: Sign | None = None,
        max_pairs: int = 200_000,
        beam: int = 300,
        distinct: str = "data",
    ) -> SearchResult:
        """The queries over ``atoms`` that best describe the dividends (query search).

        Scores conjunctions of up to ``max_literals`` possibly negated atoms, disjunctions
        of two of them and every Boolean function of the ``groups`` (at most 4) against
        ``mu(L)`` of :meth:`dividends` (``max_order``, ``context``), by correlation or by
        relevance ``R(q) = sum_{L ≠ ∅} mu(L) q(L)``; see :func:`symxai.search.search_queries`
        for the formulas, the candidate families and ``sign``, ``max_pairs``, ``beam``
        and ``distinct`` (by default, of candidates true on the same coalitions only
        the simplest is returned).

        ``atoms`` are atom texts (``["N", "O", 'smarts"[N+](=O)[O-]"']``) or atoms. The
        default is the space's group names if it has groups, else the distinct values of
        its first label column (e.g. element symbols), else the feature names (at most
        63). Groups that are not among the atoms are added to them; a group that matches
        no feature of this input is an :class:`~symxai.errors.UnknownAtomError` listing
        the groups it has. The correlation is over every non-empty coalition of the
        dividends' context up to their order (unlisted ones have dividend 0); scores are
        signed, ranked by magnitude unless ``sign`` says otherwise.
        """
        missing = missing or self.missing
        atom_sets: dict[Atom, np.ndarray] = {}
        group_atoms: list[Atom] = []
        given = self._default_search_atoms() if atoms is None else list(atoms)
        for number, atom in enumerate([*given, *groups]):
            parsed, source = self._parse(atom)
            if not isinstance(parsed, Atom):
                raise QueryError(
                    f"a search atom is a single atom, not the formula {parsed}", query=source
                )
            if parsed not in atom_sets:
                atom_sets[parsed] = self.space.resolve(parsed, source, missing)
            if number >= len(given):
                if not len(atom_sets[parsed]):
                    raise self._unknown_group(parsed)
                group_atoms.append(parsed)
        return search_queries(
            self.dividends(max_order, context),
            atom_sets,
            by=by,
            max_literals=max_literals,
            disjunctions=disjunctions,
            groups=group_atoms,
            top=top,
            weights=weights,
            max_pairs=max_pairs,
            beam=beam,
            sign=sign,
            distinct=distinct,
        )

    def _unknown_group(self, group: Atom) -> UnknownAtomError:
        """A search group that matches no feature, with the groups this input has."""
        existing = [str(atom) for atom in self._default_search_atoms()]
        shown = ", ".join(existing[:20]) + (", ..." if len(existing) > 20 else "")
        return UnknownAtomError(
            f"search group {group} matches no feature of this input; groups that exist "
            f"here: {shown}",
            suggestions=difflib.get_close_matches(str(group), existing, n=3),
        )

    def _default_search_atoms(self) -> list[Atom]:
        """Group names, else the values of the first label column, else the distinct
        words as quoted atoms (``"not"``: every occurrence), else feature names."""
        space = self.space
        words: dict[str, str] = {}
        for text in space.texts or ():
            if text is not None:
                words.setdefault(text.casefold(), text)
        if space.groups:
            defaults = [
                Atom("name", name)
                if is_bare_name(name) and name not in space.names
                else Atom("qualified", name, "group")
                for name in space.groups
            ]
        elif space.labels:
            column, values = next(iter(space.labels.items()))
            distinct = dict.fromkeys(value for value in values if value is not None)
            defaults = [
                Atom("name", value)
                if is_bare_name(value) and value not in space.names
                else Atom("qualified", value, column)
                for value in distinct
            ]
        elif words:
            defaults = [Atom("text", text) for text in words.values()]
        else:
            defaults = [
                Atom("name", name) if is_bare_name(name) else Atom("qualified", name, "name")
                for name in space.names
            ]
        if len(defaults) > MAX_SEARCH_ATOMS:
            raise ValueError(
                f"the default search atoms are {len(defaults)} names, more than the "
                f"{MAX_SEARCH_ATOMS} a search supports; pass atoms=[...]"
            )
        return defaults

"""symxai set functions as shapiq games, and explanations from shapiq's interaction values.

The exact Möbius transform needs all ``2^n`` coalitions, feasible up to about 24
features. For a perturbation explanation of 50 to 200 features (a long sentence, fine
image patches) shapiq's approximators estimate the dividends from a budget of value calls;
this module connects the two without an estimator of its own:

* :class:`SymxaiGame` is a ``shapiq.Game`` whose value function is a symxai set function
  (an :class:`~symxai.Explanation`, a :class:`~symxai.SetFunction`, a backend, or any
  batched ``masks -> values`` callable), evaluated one coalition matrix per call, on all
  features or on the players of a ``context`` (the others absent);
* :func:`explanation_from_interaction_values` turns Möbius interaction values into a
  :class:`~symxai.Decomposition` and an :class:`~symxai.Explanation` that answers
  ``relevance(query)``, ``dividends()`` and ``search()`` from them.

Which interaction values are dividends:

* ``index="Moebius"`` (``shapiq.ExactComputer``, :meth:`symxai.Decomposition.to_shapiq`);
* ``FSII`` and ``FBII`` of any order ``k`` (``RegressionFSII``, ``RegressionFBII``,
  ``SPEX``): the faithful indices are, by definition, the Möbius coefficients of the
  best ``k``-additive approximation of the game (least squares over all coalitions with
  the Shapley kernel or uniform weights), equal to the dividends for a game with no
  interaction above order ``k``;
* ``STII`` and ``k-SII`` at full order (``max_order == n_players``), where they equal the
  Möbius transform. shapiq 1.4's sparse approximators ``SPEX``/``ProxySPEX`` estimate the
  Möbius transform itself (a sparse Fourier transform, converted); run them with
  ``max_order=None`` (:func:`sparse_moebius`).

KernelSHAP-IQ and SVARM-IQ estimate ``k-SII``/``STII`` of order ``k < n``, which are not
dividends; compare those with the same index computed from symxai's dividends
(``shapiq.game_theory.MoebiusConverter`` on ``Decomposition.to_shapiq()``).

The dividends of the resulting explanation define its set function,
``v̂(S) = sum_{L ⊆ S} mu(L)`` (the zeta transform), so that every query is answered on
one consistent game: the original one wherever the estimated dividends are exact.

shapiq normalises games by the empty value: a ``SymxaiGame`` (``normalize=True``,
shapiq's default) returns ``v(S) - v(∅)``, and its interaction values have
``mu(∅) = 0``; :func:`explanation_from_interaction_values` adds ``v(∅)`` back
(``empty_value=``; :meth:`SymxaiGame.explanation` passes its own).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

try:
    import shapiq
except ImportError as error:  # pragma: no cover - exercised only without shapiq
    raise ImportError(
        "symxai.integrations.shapiq needs shapiq: pip install 'symxai[shapiq]'"
    ) from error

from symxai.backends import Backend
from symxai.backends.dividends import Dividends
from symxai.decomposition import Decomposition
from symxai.errors import FeatureSpaceError
from symxai.explanation import Explanation
from symxai.features import FeatureSpace
from symxai.setfunction import SetFunction

__all__ = [
    "FAITHFUL",
    "MOEBIUS_AT_FULL_ORDER",
    "SymxaiGame",
    "decomposition_from_interaction_values",
    "explanation_from_interaction_values",
    "sparse_moebius",
]

MOEBIUS_AT_FULL_ORDER: tuple[str, ...] = ("STII", "k-SII")
"""Interaction indices equal to the Möbius transform when ``max_order == n_players``."""

FAITHFUL: tuple[str, ...] = ("FSII", "FBII")
"""Interaction indices that are the Möbius coefficients of a best ``k``-additive fit."""

SetFunctionLike = Explanation | SetFunction | Backend | Callable[[np.ndarray], Any]


def _batched_values(source: SetFunctionLike, n: int | None) -> tuple[Callable[..., Any], int]:
    """The batched value call ``masks [B, n] -> [B]`` of ``source`` and its ``n``."""
    if isinstance(source, Explanation):
        return source.values, source.n
    if isinstance(source, SetFunction | Backend):
        return source, source.n
    if not callable(source):
        raise TypeError(
            "a SymxaiGame wraps an Explanation, SetFunction, Backend or a callable "
            f"masks -> values, got {type(source).__name__}"
        )
    if n is None:
        raise ValueError("a callable set function needs its number of features: pass n=")
    return source, int(n)


class SymxaiGame(shapiq.Game):
    """A symxai set function as a ``shapiq.Game``.

    Parameters
    ----------
    source:
        An :class:`~symxai.Explanation` (value calls go through its cache), a
        :class:`~symxai.SetFunction`, a registered backend instance, or a callable taking a
        bool mask array ``[B, n]`` and returning ``B`` values.
    n:
        Number of features of a callable ``source`` (taken from the others).
    context:
        Feature indices that are the game's players (default: all ``n``); features outside
        the context are absent from every coalition, as in
        :func:`symxai.harsanyi_dividends` with ``context=``.
    normalize:
        Centre the game, ``v(S) - v(∅)`` (shapiq's convention; ``v(∅)`` is one value call
        at construction, kept as ``normalization_value``).
    player_names:
        Names of the players (default: the explanation's feature names, else none).
    """

    def __init__(
        self,
        source: SetFunctionLike,
        *,
        n: int | None = None,
        context: Sequence[int] | np.ndarray | None = None,
        normalize: bool = True,
        player_names: Sequence[str] | None = None,
    ) -> None:
        self._values, self.n_features = _batched_values(source, n)
        self.source = source
        players = np.arange(self.n_features) if context is None else np.asarray(context)
        players = players.astype(np.int64).reshape(-1)
        if players.size == 0 or players.min() < 0 or players.max() >= self.n_features:
            raise FeatureSpaceError(
                f"context must name features in 0..{self.n_features - 1}, got {players.tolist()}"
            )
        if np.unique(players).size != players.size:
            raise FeatureSpaceError(f"context repeats features: {players.tolist()}")
        self.context = players
        if player_names is None and isinstance(source, Explanation):
            player_names = [source.space.names[i] for i in players]
        empty = float(self._evaluate(np.zeros((1, players.size), dtype=bool))[0])
        super().__init__(
            n_players=int(players.size),
            normalize=normalize,
            normalization_value=empty if normalize else None,
            player_names=list(player_names) if player_names is not None else None,
        )
        self.empty_value = empty

    def _evaluate(self, coalitions: np.ndarray) -> np.ndarray:
        masks = np.zeros((coalitions.shape[0], self.n_features), dtype=bool)
        masks[:, self.context] = np.asarray(coalitions, dtype=bool)
        values = self._values(masks)
        if hasattr(values, "detach"):
            values = values.detach().cpu().numpy()
        return np.asarray(values, dtype=np.float64).reshape(-1)

    def value_function(self, coalitions: np.ndarray) -> np.ndarray:
        """``v`` of a bool coalition matrix ``[B, players]``, in one batched call."""
        return self._evaluate(coalitions)

    def explanation(
        self, interaction_values: Any, *, space: FeatureSpace | None = None
    ) -> Explanation:
        """The explanation whose dividends are ``interaction_values`` (Möbius values of this
        game), over all ``n`` features (players at their context positions), with
        ``v(∅)`` restored when the game is normalised."""
        source = self.source if isinstance(self.source, Explanation) else None
        if space is None:
            space = source.space if source is not None else FeatureSpace.indexed(self.n_features)
        return explanation_from_interaction_values(
            space,
            interaction_values,
            empty_value=self.normalization_value,
            players=self.context,
            prediction=source.prediction if source is not None else None,
        )


def _is_moebius(interaction_values: Any) -> bool:
    index = interaction_values.index
    if index == "Moebius" or index in FAITHFUL:
        return True
    return index in MOEBIUS_AT_FULL_ORDER and (
        interaction_values.max_order >= interaction_values.n_players
    )


def decomposition_from_interaction_values(
    interaction_values: Any,
    *,
    n: int | None = None,
    players: Sequence[int] | np.ndarray | None = None,
    empty_value: float = 0.0,
    space: FeatureSpace | None = None,
    tolerance: float = 0.0,
) -> Decomposition:
    """A :class:`~symxai.Decomposition` whose dividends are Möbius ``interaction_values``.

    ``players[p]`` is the feature index of player ``p`` (default: player ``p`` is feature
    ``p``); ``n`` the number of features (default ``len(space)``, else the players').
    ``empty_value`` is added to ``mu(∅)`` (the ``v(∅)`` a normalised game subtracted).
    Interactions with ``|mu| <= tolerance`` are dropped. The decomposition is complete for
    the game it defines, ``v̂(S) = sum_{L ⊆ S} mu(L)`` (every unlisted dividend is 0);
    whether that game estimates the explained one is ``interaction_values.estimated``.

    Raises ``ValueError`` for interaction values that are not dividends (see the module
    docstring: ``"Moebius"``, :data:`FAITHFUL` indices, or one of
    :data:`MOEBIUS_AT_FULL_ORDER` at full order).
    """
    if not _is_moebius(interaction_values):
        raise ValueError(
            f"interaction values of index {interaction_values.index!r} (max_order "
            f"{interaction_values.max_order} of {interaction_values.n_players} players) are "
            "not dividends: use index='Moebius', 'FSII' or 'FBII' (RegressionFSII, "
            "RegressionFBII), or SPEX/ProxySPEX with max_order=None"
        )
    count = int(interaction_values.n_players)
    mapping = np.arange(count) if players is None else np.asarray(players, dtype=np.int64)
    if mapping.shape != (count,):
        raise ValueError(f"players must name {count} features, got {mapping.size}")
    if n is None:
        n = space.n if space is not None else int(mapping.max()) + 1
    lookup = interaction_values.interaction_lookup
    subsets = [tuple(int(player) for player in subset) for subset in lookup]
    values = np.array([float(interaction_values.values[row]) for row in lookup.values()])
    empty_rows = [row for row, subset in enumerate(subsets) if not subset]
    if empty_rows:
        values[empty_rows[0]] += empty_value
    else:
        subsets.append(())
        values = np.append(values, empty_value)
    keep = np.abs(values) > tolerance
    keep[[row for row, subset in enumerate(subsets) if not subset]] = True
    subsets = [subset for subset, kept in zip(subsets, keep, strict=True) if kept]
    values = values[keep]
    width = max((len(subset) for subset in subsets), default=0)
    members = np.full((len(subsets), max(width, 1)), -1, dtype=np.int64)
    for row, subset in enumerate(subsets):
        if subset:
            members[row, : len(subset)] = np.sort(mapping[list(subset)])
    dividends = Dividends(
        n=int(n),
        members=members,
        values=values,
        complete=True,
    )
    return Decomposition.from_dividends(dividends, space)


def _zeta(decomposition: Decomposition) -> Callable[[np.ndarray], np.ndarray]:
    """``v̂(S) = sum_{L ⊆ S} mu(L)`` for bool masks ``[B, n]``, batched."""
    subsets = decomposition.subsets()
    values = decomposition.values

    def value(masks: np.ndarray) -> np.ndarray:
        masks = np.asarray(masks, dtype=bool)
        total = np.zeros(masks.shape[0])
        for subset, dividend in zip(subsets, values, strict=True):
            if subset:
                total += dividend * masks[:, list(subset)].all(axis=1)
            else:
                total += dividend
        return total

    return value


def explanation_from_interaction_values(
    explanation_or_space: Explanation | FeatureSpace,
    interaction_values: Any,
    *,
    empty_value: float = 0.0,
    players: Sequence[int] | np.ndarray | None = None,
    prediction: float | None = None,
    tolerance: float = 0.0,
) -> Explanation:
    """An :class:`~symxai.Explanation` whose dividends are Möbius ``interaction_values``.

    ``explanation_or_space`` names the features (an explanation lends its feature space
    and prediction); the new explanation's set function is the zeta transform of the
    dividends, ``v̂(S) = sum_{L ⊆ S} mu(L)``, so ``relevance(query)``, ``dividends()`` and
    ``search()`` are answered from them (``v̂`` equals the explained ``v`` wherever the
    dividends are exact). ``empty_value``: the ``v(∅)`` that a normalised game subtracted
    (a :class:`SymxaiGame`'s ``normalization_value``; :meth:`SymxaiGame.explanation`
    passes it), added to ``mu(∅)``. ``players``, ``tolerance``: see
    :func:`decomposition_from_interaction_values`.
    """
    if isinstance(explanation_or_space, Explanation):
        space = explanation_or_space.space
        if prediction is None:
            prediction = explanation_or_space.prediction
    else:
        space = explanation_or_space
    decomposition = decomposition_from_interaction_values(
        interaction_values,
        n=space.n,
        players=players,
        empty_value=empty_value,
        space=space,
        tolerance=tolerance,
    )
    metadata = {
        "backend": "shapiq",
        "index": interaction_values.index,
        "estimated": bool(getattr(interaction_values, "estimated", False)),
        "estimation_budget": getattr(interaction_values, "estimation_budget", None),
        "dividends": len(decomposition),
    }
    return Explanation(
        space,
        SetFunction(_zeta(decomposition), space.n),
        prediction=prediction,
        metadata=metadata,
        exact_dividends=lambda: decomposition,
        exact_cost=lambda: len(decomposition),
    )


def sparse_moebius(
    game: shapiq.Game,
    budget: int,
    *,
    random_state: int | None = 0,
    degree: int = 5,
    decoder: str = "soft",
) -> Any:
    """shapiq's ``SPEX`` estimate of the Möbius transform of ``game`` from about ``budget``
    value calls (``index="STII"`` at full order, which is the Möbius transform); ``degree``
    is SPEX's soft limit on the interaction order, ``decoder`` ``"soft"`` or ``"hard"``."""
    approximator = shapiq.SPEX(
        n=game.n_players,
        index="STII",
        max_order=None,
        random_state=random_state,
        degree_parameter=degree,
        decoder_type=decoder,  # type: ignore[arg-type]
    )
    return approximator.approximate(budget=budget, game=game)

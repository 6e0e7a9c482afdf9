"""Peer explainers of graph models, by name.

A :class:`GraphPeer` explains the scalar symxai explains
(:class:`~symxai.evaluation.peers.target_model.TargetModel`) for one graph and returns
:class:`~symxai.evaluation.peers.scores.PeerScores`: node scores and scores of
requested undirected pairs (bonds). Graph-level tasks pass ``index=None``; node-level
tasks pass the explained node as ``index``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np
import torch
from torch_geometric.data import Data

from symxai.backends.target import Target
from symxai.evaluation.peers.scores import PeerScores

__all__ = ["GraphPeer", "available_peers", "get_peer", "register_peer"]


class GraphPeer(ABC):
    """An explainer of graph models run beside symxai.

    ``absolute=True`` reports :math:`|s|` for every node and pair score (for methods
    whose scores are signed); the default keeps each method's own convention.
    """

    name: ClassVar[str]
    label: ClassVar[str]
    needs_training: ClassVar[bool] = False

    def __init__(self, *, absolute: bool = False) -> None:
        self.absolute = absolute

    def fit(
        self,
        model: torch.nn.Module,
        graphs: Sequence[Data],
        target: Target,
        *,
        indices: Sequence[int] | None = None,
    ) -> None:
        """Train the explainer on ``graphs`` (node level: explaining node ``indices[k]`` of
        ``graphs[k]``). Methods without training do nothing."""
        return None

    def explain(
        self,
        model: torch.nn.Module,
        graph: Data,
        target: Target,
        pairs: np.ndarray,
        *,
        index: int | None = None,
    ) -> PeerScores:
        """Explain ``target`` of ``graph`` (of node ``index`` for node-level tasks); score
        every node and every undirected pair of ``pairs`` ``[P, 2]``."""
        scores = self._explain(model, graph, target, pairs, index)
        if not self.absolute:
            return scores
        return PeerScores(
            features=None if scores.features is None else np.abs(scores.features),
            pairs=None if scores.pairs is None else np.abs(scores.pairs),
            seconds=scores.seconds,
        )

    @abstractmethod
    def _explain(
        self,
        model: torch.nn.Module,
        graph: Data,
        target: Target,
        pairs: np.ndarray,
        index: int | None,
    ) -> PeerScores:
        """The method's own scores (before ``absolute``)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(absolute={self.absolute})"


_PEERS: dict[str, Callable[..., GraphPeer]] = {}


def register_peer(name: str, factory: Callable[..., GraphPeer]) -> None:
    """Make ``get_peer(name, **options)`` build ``factory(**options)``."""
    if name in _PEERS:
        raise ValueError(f"a peer named {name!r} is already registered")
    _PEERS[name] = factory


def get_peer(name: str, **options: Any) -> GraphPeer:
    """A new peer explainer by name (options go to its constructor)."""
    if name not in _PEERS:
        raise KeyError(f"unknown peer {name!r}; available: {', '.join(available_peers())}")
    return _PEERS[name](**options)


def available_peers() -> list[str]:
    """Names of the registered peers, in registration order."""
    return list(_PEERS)

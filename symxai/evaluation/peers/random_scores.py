"""The floor: independent standard-normal scores for every node and pair, seeded.

Any explainer worth running beats it; its pooled AUC against a ground truth is 0.5 in
expectation. Each peer owns one ``numpy.random.default_rng(seed)`` that advances with every call, so
a run over the same graphs in the same order repeats exactly, while different graphs
get independent scores.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from torch_geometric.data import Data

from symxai.backends.target import Target
from symxai.evaluation.peers.registry import GraphPeer
from symxai.evaluation.peers.scores import PeerScores, check_pairs

__all__ = ["RandomPeer"]


class RandomPeer(GraphPeer):
    """Random node and pair scores (the floor)."""

    name = "random"
    label = "Random (seeded)"

    def __init__(self, *, absolute: bool = False, seed: int = 0) -> None:
        super().__init__(absolute=absolute)
        self.seed = seed
        self._generator = np.random.default_rng(seed)

    def _explain(
        self,
        model: torch.nn.Module,
        graph: Data,
        target: Target,
        pairs: np.ndarray,
        index: int | None,
    ) -> PeerScores:
        start = time.process_time()
        pairs = check_pairs(pairs, int(graph.num_nodes))
        features = self._generator.standard_normal(int(graph.num_nodes))
        pair_values = self._generator.standard_normal(len(pairs))
        return PeerScores(features, pair_values, time.process_time() - start)

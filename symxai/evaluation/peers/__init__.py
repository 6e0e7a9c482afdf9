"""Peer explainers run side by side with symxai, on PyG's and captum's implementations.

Graph peers (:func:`get_peer`, :func:`available_peers`): ``gnnexplainer``,
``pgexplainer``, ``integrated-gradients``, ``saliency``, ``input-x-gradient`` (PyG's
``GNNExplainer``, ``PGExplainer`` and ``CaptumExplainer``), ``gradient-x-input`` (plain
autograd) and ``random`` (the floor). Every one explains the scalar symxai explains.
Non-graph inputs: :func:`occlusion` and :func:`shapley_values` (shapiq) on a removal
value function.
"""

from __future__ import annotations

from symxai.evaluation.peers.attribution import occlusion, shapley_values
from symxai.evaluation.peers.gradient import GradientInputPeer, gradient_x_input
from symxai.evaluation.peers.pyg_peers import (
    CaptumPeer,
    GNNExplainerPeer,
    InputXGradientPeer,
    IntegratedGradientsPeer,
    PGExplainerPeer,
    PyGPeer,
    SaliencyPeer,
)
from symxai.evaluation.peers.random_scores import RandomPeer
from symxai.evaluation.peers.registry import GraphPeer, available_peers, get_peer, register_peer
from symxai.evaluation.peers.scores import PeerScores, node_scores, pair_scores
from symxai.evaluation.peers.target_model import TargetModel, clear_explain_state

__all__ = [
    "CaptumPeer",
    "GNNExplainerPeer",
    "GradientInputPeer",
    "GraphPeer",
    "InputXGradientPeer",
    "IntegratedGradientsPeer",
    "PGExplainerPeer",
    "PeerScores",
    "PyGPeer",
    "RandomPeer",
    "SaliencyPeer",
    "TargetModel",
    "available_peers",
    "clear_explain_state",
    "get_peer",
    "gradient_x_input",
    "node_scores",
    "occlusion",
    "pair_scores",
    "register_peer",
    "shapley_values",
]

for _peer in (
    GNNExplainerPeer,
    PGExplainerPeer,
    IntegratedGradientsPeer,
    SaliencyPeer,
    InputXGradientPeer,
    GradientInputPeer,
    RandomPeer,
):
    if _peer.name not in available_peers():
        register_peer(_peer.name, _peer)

"""The scalar every peer explains, as a ``torch.nn.Module`` PyG's ``Explainer`` can run.

symxai explains one number per input: ``f(x)_c`` for ``target=c``, the logit difference
``f_i - f_j`` for ``target=(i, j)``, or the single output for ``target=None``
(:func:`symxai.backends.target.select_target`). :class:`TargetModel` wraps a graph model
``model(x, edge_index, batch=None) -> [B, C]`` (graph level) or ``[N, C]`` (node level)
so that it returns exactly that number per graph ``[B]`` (per node ``[N]``); peers run on
it with ``model_config=dict(mode="regression", return_type="raw")``, so every peer and
symxai explain the same function.
"""

from __future__ import annotations

import torch
from torch_geometric.nn import MessagePassing

from symxai.backends.target import Target, select_target

__all__ = ["TargetModel", "clear_explain_state"]


class TargetModel(torch.nn.Module):
    """``model`` reduced to the explained scalar per graph (or per node)."""

    def __init__(self, model: torch.nn.Module, target: Target) -> None:
        super().__init__()
        self.model = model
        self.target = target

    def forward(
        self, x: torch.Tensor, edge_index: torch.Tensor, batch: torch.Tensor | None = None
    ) -> torch.Tensor:
        """``[B]`` (graph level) or ``[N]`` (node level) selected outputs."""
        output = self.model(x, edge_index) if batch is None else self.model(x, edge_index, batch)
        return select_target(output, self.target)


def clear_explain_state(model: torch.nn.Module) -> None:
    """Remove every edge mask PyG's explainers left on ``model``'s message-passing layers.

    PyG's ``GNNExplainer`` registers its edge mask as a ``Parameter`` of each
    ``MessagePassing`` layer, and ``clear_masks`` sets it to ``None`` without
    unregistering it; a later ``set_masks`` then wraps the next mask in a fresh
    ``Parameter``, cutting it from the autograd graph (captum then fails with "the
    differentiated Tensor ... appears to not have been used"). Peers call this before and
    after every PyG explanation so that peers run in any order on one model.
    """
    for module in model.modules():
        if isinstance(module, MessagePassing):
            module._parameters.pop("_edge_mask", None)
            module._edge_mask = None
            module._loop_mask = None
            module._apply_sigmoid = True
            if module.explain is True:
                module.explain = None

"""Model-agnostic perturbation backend.

For a model ``f``, an input ``x`` and a baseline ``b``, the value of a coalition is

.. math::  v(S) = f\\bigl(x \\odot m_S + b \\odot (1 - m_S)\\bigr)_{\\text{target}},

where ``m_S`` keeps the input elements of the features in ``S`` and replaces all others
by the baseline; ``v(∅) = f(b)`` and ``v(N) = f(x)``. Which input elements make up
feature ``i`` is given by a ``feature_mask`` with the input's shape holding feature ids
(as in captum's ``feature_mask``); by default every slice ``x[i]`` along the first axis
is one feature (a token of a ``[T, d]`` embedding sequence, an entry of a vector).

All coalitions of a request are evaluated as one batch ``[B, *x.shape]`` (split into
chunks of ``batch_size``), under ``torch.no_grad()``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from symxai.backends.base import Backend
from symxai.backends.target import Target, select_target
from symxai.errors import FeatureSpaceError

__all__ = ["Baseline", "PerturbationBackend"]

Baseline = str | float | torch.Tensor | Callable[[torch.Tensor], torch.Tensor]
"""``"zeros"``, a number, a tensor broadcastable to the input, or ``fn(x) -> baseline``."""


class PerturbationBackend(Backend):
    """``v(S)`` = the model output with the features outside ``S`` set to a baseline.

    Threads: the backend only calls the model's forward (after ``model.eval()`` when it
    is built) and changes nothing on it, so threads sharing one model may use it at once
    as far as the model's own forward allows that.

    Parameters
    ----------
    model:
        Any callable torch module; it receives a batch ``[B, *x.shape]``.
    inputs:
        One unbatched input ``x``.
    target:
        See :data:`Target`.
    baseline:
        See :data:`Baseline`; default zeros.
    feature_mask:
        Integer tensor broadcastable to ``x.shape`` with values ``0..n-1``: the feature
        each input element belongs to; ``-1`` marks elements that are never perturbed
        (special tokens). Default: feature ``i`` is ``x[i]``.
    batch_size:
        Largest number of perturbed copies per forward pass.
    """

    name = "perturbation"

    def __init__(
        self,
        model: Callable[[torch.Tensor], Any],
        inputs: torch.Tensor,
        *,
        target: Target = None,
        baseline: Baseline = "zeros",
        feature_mask: torch.Tensor | None = None,
        batch_size: int = 1024,
    ) -> None:
        if not isinstance(inputs, torch.Tensor):
            inputs = torch.as_tensor(np.asarray(inputs))
        if inputs.ndim == 0 or inputs.numel() == 0:
            raise FeatureSpaceError(
                f"the input has shape {tuple(inputs.shape)}: nothing to explain"
            )
        self.model = model
        self.inputs = inputs.detach()
        self.target = target
        self.batch_size = batch_size
        self.baseline = self._baseline(baseline)
        self.feature_mask = self._feature_mask(feature_mask)
        self.n = int(self.feature_mask.max()) + 1

    def _baseline(self, baseline: Baseline) -> torch.Tensor:
        x = self.inputs
        if isinstance(baseline, str):
            if baseline != "zeros":
                raise ValueError(
                    f"unknown baseline {baseline!r}: use 'zeros', a tensor or a function"
                )
            value = torch.zeros_like(x)
        elif isinstance(baseline, (int, float)):
            value = torch.full_like(x, float(baseline))
        elif callable(baseline) and not isinstance(baseline, torch.Tensor):
            value = torch.as_tensor(baseline(x))
        else:
            value = torch.as_tensor(baseline)
        try:
            return torch.broadcast_to(value.to(dtype=x.dtype, device=x.device), x.shape).detach()
        except RuntimeError as error:
            raise FeatureSpaceError(
                f"baseline of shape {tuple(value.shape)} does not broadcast to the input "
                f"shape {tuple(x.shape)}"
            ) from error

    def _feature_mask(self, feature_mask: torch.Tensor | None) -> torch.Tensor:
        x = self.inputs
        if feature_mask is None:
            shape = (x.shape[0],) + (1,) * (x.ndim - 1)
            feature_mask = torch.arange(x.shape[0]).reshape(shape)
        feature_mask = torch.as_tensor(feature_mask)
        if feature_mask.dtype.is_floating_point or feature_mask.dtype == torch.bool:
            raise FeatureSpaceError("feature_mask must hold integer feature ids")
        try:
            feature_mask = torch.broadcast_to(feature_mask, x.shape).to(x.device)
        except RuntimeError as error:
            raise FeatureSpaceError(
                f"feature_mask of shape {tuple(feature_mask.shape)} does not broadcast to the "
                f"input shape {tuple(x.shape)}"
            ) from error
        ids = torch.unique(feature_mask)
        ids = ids[ids != -1]
        if ids.numel() == 0 or not torch.equal(
            ids, torch.arange(int(ids.max()) + 1, device=ids.device)
        ):
            raise FeatureSpaceError(
                "feature_mask ids must be exactly 0..n-1, each used at least once "
                "(and -1 for elements that are never perturbed)"
            )
        return feature_mask.long()

    def perturbed_inputs(self, masks: torch.Tensor) -> torch.Tensor:
        """The batch ``x ⊙ m_S + b ⊙ (1 - m_S)`` for bool coalition masks ``[B, n]``."""
        always = torch.ones((masks.shape[0], 1), dtype=torch.bool, device=masks.device)
        keep = torch.cat([masks, always], dim=1)[:, self.feature_mask]
        return torch.where(keep, self.inputs.unsqueeze(0), self.baseline.unsqueeze(0))

    @torch.no_grad()
    def value(self, masks: np.ndarray) -> np.ndarray:
        """Values ``[B]`` for coalition masks ``[B, n]``, in batched forward passes."""
        masks_t = torch.as_tensor(np.asarray(masks, dtype=bool), device=self.inputs.device)
        outputs = []
        for start in range(0, masks_t.shape[0], self.batch_size):
            batch = self.perturbed_inputs(masks_t[start : start + self.batch_size])
            outputs.append(select_target(self.model(batch), self.target).double().cpu())
        return torch.cat(outputs).numpy()

    @torch.no_grad()
    def prediction(self) -> float:
        """``f(x)`` at the target, ``= v(N)``."""
        return float(select_target(self.model(self.inputs.unsqueeze(0)), self.target)[0])

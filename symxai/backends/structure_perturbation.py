"""Perturbation backend for schnetpack SchNet energy models on 3-D structures.

For a structure with atoms ``N`` and a coalition ``S``, the atoms outside ``S`` are
removed and the model runs on the smaller structure:

.. math::  v(S) = E(S) = \\sum_{i \\in S} \\varepsilon_i(S),

the ``Atomwise`` energy (the sum of the per-atom contributions ``ε_i`` before the
postprocessing offsets, the quantity :mod:`symxai.backends.schnet_lrp` explains), where
every ``ε_i(S)`` sees only the atoms of ``S``. ``v(N)`` is the explained energy and
``v(∅) = 0``, the empty sum (a structure with no atoms has no atomwise contribution).

Batched: ``B`` coalitions become ``B`` copies of the structure with their atoms dropped,
one schnetpack input batch (every pair of kept atoms of a copy listed as neighbours; the
model's cosine cutoff zeroes the pairs beyond it), one forward pass per chunk of
``batch_size`` copies under ``torch.no_grad()``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from symxai.backends.base import Backend
from symxai.backends.naming import FeatureNames
from symxai.errors import FeatureSpaceError

__all__ = ["StructurePerturbationBackend", "is_structure_input"]


def is_structure_input(inputs: Any) -> bool:
    """An ``ase.Atoms`` structure."""
    return type(inputs).__module__.startswith("ase")


class StructurePerturbationBackend(Backend):
    """``v(S)`` = a SchNet model's energy on the structure with only the atoms of ``S``.

    Threads: the backend only calls the model's forward (after ``model.eval()`` when it
    is built) and changes nothing on it, so threads sharing one model may use it at once
    as far as the model's own forward allows that.

    Parameters
    ----------
    model:
        A stock schnetpack model (``input_modules``, a ``representation``, an
        ``Atomwise`` energy output among ``output_modules``).
    inputs:
        One structure (``ase.Atoms``); its atoms are the features, named ``C0 C1 .. H5``
        with an ``element`` label.
    batch_size:
        Structure copies per forward pass.
    """

    name = "perturbation"

    def __init__(self, model: Any, inputs: Any, *, batch_size: int = 1024) -> None:
        from symxai._compat import import_schnetpack

        spk = import_schnetpack()
        if not is_structure_input(inputs):
            raise FeatureSpaceError(
                f"structure perturbation needs an ase.Atoms structure, got {type(inputs).__name__}"
            )
        outputs = getattr(model, "output_modules", [])
        atomwise = [m for m in outputs if isinstance(m, spk.atomistic.Atomwise)]
        if not atomwise or getattr(model, "representation", None) is None:
            raise FeatureSpaceError(
                f"{type(model).__name__} is not a schnetpack model with a representation and "
                "an Atomwise output"
            )
        self.n = len(inputs)
        if self.n == 0:
            raise FeatureSpaceError("the structure is empty (0 atoms): nothing to explain")
        positions = np.asarray(inputs.get_positions(), dtype=np.float64)
        if not np.isfinite(positions).all():
            raise FeatureSpaceError("the structure has NaN or infinite coordinates")
        if batch_size < 1:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        self.model = model.eval()
        self.atomwise = atomwise[0]
        self.properties = spk.properties
        self.numbers = torch.as_tensor(inputs.get_atomic_numbers(), dtype=torch.long)
        centred = positions - positions.mean(axis=0)
        self.positions = torch.as_tensor(centred, dtype=torch.float32)
        self.batch_size = batch_size
        self.feature_names = FeatureNames.of_elements(inputs.get_chemical_symbols())
        pairs = torch.cartesian_prod(torch.arange(self.n), torch.arange(self.n))
        self.pairs = pairs[pairs[:, 0] != pairs[:, 1]]

    @property
    def settings(self) -> dict[str, Any]:
        """The perturbation, named in the explanation's metadata."""
        return {"perturbation": "remove"}

    def inputs(self, masks: torch.Tensor) -> dict[str, torch.Tensor]:
        """One schnetpack input dict holding, for every non-empty coalition mask ``[B, n]``,
        a copy of the structure with only its atoms, and all pairs of them."""
        p = self.properties
        copies = masks.shape[0]
        keep = masks.reshape(-1)
        index = torch.cumsum(keep.long(), 0) - 1
        first, second = self.pairs[:, 0], self.pairs[:, 1]
        both = (masks[:, first] & masks[:, second]).reshape(-1)
        shift = (torch.arange(copies) * self.n).repeat_interleave(len(self.pairs))
        idx_i = index[(first.repeat(copies) + shift)[both]]
        idx_j = index[(second.repeat(copies) + shift)[both]]
        counts = masks.sum(1)
        return {
            p.Z: self.numbers.repeat(copies)[keep],
            p.R: self.positions.repeat(copies, 1)[keep],
            p.idx_m: torch.arange(copies).repeat_interleave(counts),
            p.n_atoms: counts,
            p.idx_i: idx_i,
            p.idx_j: idx_j,
            p.offsets: torch.zeros(len(idx_i), 3),
            p.cell: torch.zeros(copies, 3, 3),
            p.pbc: torch.zeros(copies, 3, dtype=torch.bool),
        }

    def _energy(self, masks: torch.Tensor) -> torch.Tensor:
        inputs = self.inputs(masks)
        for module in self.model.input_modules:
            inputs = module(inputs)
        inputs = self.model.representation(inputs)
        return self.atomwise(inputs)[self.atomwise.output_key].reshape(-1)

    @torch.no_grad()
    def value(self, masks: np.ndarray) -> np.ndarray:
        """Energies ``[B]`` for atom masks ``[B, n]`` (``0`` for the empty coalition)."""
        masks_t = self.mask_tensor(masks)
        values = torch.zeros(masks_t.shape[0], dtype=torch.float64)
        rows = torch.nonzero(masks_t.any(1)).reshape(-1)
        for start in range(0, len(rows), self.batch_size):
            chunk = rows[start : start + self.batch_size]
            values[chunk] = self._energy(masks_t[chunk]).double()
        return values.numpy()

    def prediction(self) -> float:
        """The energy of the whole structure, ``= v(N)``."""
        return float(self(np.ones((1, self.n), dtype=bool))[0])

    def feature_relevance(self) -> np.ndarray:
        """Occlusion relevance of every atom, ``v(N) - v(N \\ {i})`` (one batch)."""
        values = self(~np.eye(self.n + 1, self.n, k=-1, dtype=bool))
        return values[0] - values[1:]

"""Explanations of the SchNet energy of one structure.

:func:`explain_structure` explains one structure (``ase.Atoms``, an ``.xyz``/``.extxyz``
file) with the SchNet LRP backend: atoms are the features (``C0 C1 C2 O3 O4 H5 ...``),
element symbols and ``element:X`` name all atoms of an element, and the exact Harsanyi
dividends come from the relevant walks. The default model is the shipped
malondialdehyde SchNet (:func:`~symxai.training.schnet.load_malondialdehyde_schnet`).
"""

from __future__ import annotations

from typing import Any

import torch

from symxai.api import explain
from symxai.backends.lrp import RuleSpec
from symxai.domains.structures.reading import read_structure
from symxai.explanation import Explanation
from symxai.training.schnet import load_malondialdehyde_schnet

__all__ = ["default_model", "explain_structure"]


def default_model(model: torch.nn.Module | None = None) -> torch.nn.Module:
    """``model``, or the shipped malondialdehyde SchNet when it is ``None``."""
    if model is not None:
        return model
    return load_malondialdehyde_schnet().model


def explain_structure(
    structure: Any,
    model: torch.nn.Module | None = None,
    *,
    rules: RuleSpec = None,
    missing: str = "error",
    backend: str = "schnet-lrp",
) -> Explanation:
    """SchNet-LRP explanation of the energy of one structure (``ase.Atoms`` or a path to an
    ``.xyz``/``.extxyz`` file; validated by :func:`~symxai.domains.structures.read_structure`):
    ``symxai.explain(model, atoms)`` with the shipped malondialdehyde SchNet as the
    default model. ``explanation.metadata["atoms"]`` is the structure.

    ``backend="perturbation"`` explains the same energy by removing the atoms outside a
    coalition (:class:`~symxai.backends.structure_perturbation.StructurePerturbationBackend`)."""
    if backend not in ("schnet-lrp", "perturbation"):
        raise ValueError(
            f"unknown backend {backend!r} for structures: use 'schnet-lrp' or 'perturbation'"
        )
    atoms = read_structure(structure)
    overrides = {"rules": rules} if rules is not None and backend == "schnet-lrp" else {}
    explanation = explain(default_model(model), atoms, backend, missing=missing, **overrides)
    explanation.metadata["atoms"] = atoms
    return explanation

"""Explanations of SchNet energies for structures and along trajectories.

:func:`explain_structure` explains one structure (``ase.Atoms``, an ``.xyz``/``.extxyz``
file) with the SchNet LRP backend: atoms are the features (``C0 C1 C2 O3 O4 H5 ...``),
element symbols and ``element:X`` name all atoms of an element, and the exact Harsanyi
dividends come from the relevant walks.

:func:`trajectory_relevances` scores queries on every frame of a trajectory (for the
malondialdehyde proton transfer: ``H5 & O3``, ``H5 & O4``, ``H5 & O3 & ~O4``) with all
frames and all closed-form coalitions in one batched computation, and
:func:`plot_trajectory` draws them against the transfer coordinate, the analysis of the
proton-transfer figures of Schnake et al. (Information Fusion 2025).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from symxai.api import explain
from symxai.backends.lrp import RuleSpec
from symxai.backends.schnet_lrp import SchNetLRPBackend
from symxai.domains.chemistry import molecule_space, read_structure
from symxai.explanation import Explanation
from symxai.features import FeatureSpace
from symxai.query.parser import parse_query
from symxai.relevance import RelevancePlan

__all__ = ["explain_structure", "plot_trajectory", "trajectory_relevances"]


def _model(model: torch.nn.Module | None) -> torch.nn.Module:
    if model is not None:
        return model
    from symxai.models.schnet import load_malondialdehyde_schnet

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
    ``.xyz``/``.extxyz`` file; validated by :func:`~symxai.domains.chemistry.read_structure`):
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
    explanation = explain(_model(model), atoms, backend, missing=missing, **overrides)
    explanation.metadata["atoms"] = atoms
    return explanation


def trajectory_relevances(
    numbers: Sequence[int] | np.ndarray,
    positions: np.ndarray,
    queries: Sequence[str],
    model: torch.nn.Module | None = None,
    *,
    space: FeatureSpace | None = None,
    rules: RuleSpec = None,
    batch_size: int = 2048,
) -> pd.DataFrame:
    """Harsanyi relevance of ``queries`` in every frame of ``positions`` ``[F, n, 3]``.

    The atoms (and so the atom sets of the queries) are the same in every frame, so the
    closed-form coalitions are built once (:class:`~symxai.relevance.RelevancePlan`) and
    evaluated for all frames in one batched pass. Returns one row per frame and one
    column per query, plus ``energy`` (the explained Atomwise energy).
    """
    positions = np.asarray(positions, dtype=np.float64)
    if positions.ndim != 3:
        raise ValueError(f"positions must be [frames, atoms, 3], got {positions.shape}")
    if space is None:
        import ase

        space = molecule_space(ase.Atoms(numbers=list(numbers), positions=positions[0]))
    backend = SchNetLRPBackend(
        _model(model), numbers, positions, rules=rules, batch_size=batch_size
    )
    parsed = [parse_query(query) for query in queries]
    atom_sets = {}
    for query, source in zip(parsed, queries, strict=True):
        atom_sets.update(space.resolve_query(query, source))
    plan = RelevancePlan.build(parsed, atom_sets, backend.n)
    count = len(positions)
    everything = np.ones((1, backend.n), dtype=bool)
    masks = np.concatenate([plan.masks, everything])
    values = backend.frame_values(
        np.tile(masks, (count, 1)), np.repeat(np.arange(count), len(masks))
    ).reshape(count, len(masks))
    frame = pd.DataFrame([plan.relevances(row[:-1]) for row in values], columns=list(queries))
    frame.insert(0, "relevance_all_atoms", values[:, -1])
    return frame


def plot_trajectory(
    frame: pd.DataFrame,
    coordinate: np.ndarray,
    path: str | Path,
    *,
    queries: Sequence[str] | None = None,
    xlabel: str = "transfer coordinate d(O3-H5) - d(O4-H5) [Å]",
    title: str = "",
) -> Path:
    """Line plot of query relevances against a reaction coordinate (PNG or SVG)."""
    from matplotlib.figure import Figure

    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg"):
        raise ValueError(f"cannot draw to {str(path)!r}: the suffix must be .png or .svg")
    coordinate = np.asarray(coordinate)
    if coordinate.shape != (len(frame),):
        raise ValueError(f"coordinate must have {len(frame)} entries, got {coordinate.shape}")
    order = np.argsort(coordinate)
    figure = Figure(figsize=(7, 4.2))
    axes = figure.add_subplot()
    for query in queries or [c for c in frame.columns if c != "relevance_all_atoms"]:
        axes.plot(coordinate[order], frame[query].to_numpy()[order], label=query, linewidth=2)
    axes.axhline(0.0, color="grey", linewidth=0.8)
    axes.set_xlabel(xlabel)
    axes.set_ylabel("relevance (eV)")
    axes.legend(frameon=False)
    if title:
        axes.set_title(title)
    figure.tight_layout()
    figure.savefig(path, dpi=150)
    return path

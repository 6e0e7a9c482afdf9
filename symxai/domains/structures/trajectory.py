"""Query relevances of SchNet energies along a trajectory.

:func:`trajectory_relevances` scores queries on every frame of a trajectory (for the
malondialdehyde proton transfer: ``H5 & O3``, ``H5 & O4``, ``H5 & O3 & ~O4``) with all
frames and all closed-form coalitions in one batched computation, the analysis of the
proton-transfer figures of Schnake et al. (Information Fusion 2025);
:func:`~symxai.domains.structures.plots.plot_trajectory` draws them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import torch

from symxai.backends.lrp import RuleSpec
from symxai.backends.schnet_lrp import SchNetLRPBackend
from symxai.domains.structures.explain import default_model
from symxai.domains.structures.features import molecule_space
from symxai.features import FeatureSpace
from symxai.query.parser import parse_query
from symxai.relevance import RelevancePlan

__all__ = ["trajectory_relevances"]


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
        default_model(model), numbers, positions, rules=rules, batch_size=batch_size
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

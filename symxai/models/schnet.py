"""A SchNet energy model made of stock schnetpack parts, its input dicts and its weights.

:func:`build_schnet` assembles a ``schnetpack.model.NeuralNetworkPotential``::

    input_modules   PairwiseDistances                      R, idx_i, idx_j, offsets -> Rij
    representation  SchNet(n_atom_basis, n_interactions,   embedding + interaction blocks
                           GaussianRBF(n_rbf, cutoff), CosineCutoff(cutoff))
    output_modules  Atomwise(n_atom_basis, output_key="energy",
                             per_atom_output_key="atomic_energies")   sum over atoms
                    Forces()                                  forces = -dE/dR (autograd)
    postprocessors  CastTo64(), AddOffsets("energy", add_mean=True, property_mean=mean)

The quantity an explanation decomposes is the Atomwise output: ``atomic_energies``
(``[n_atoms, 1]``) are the per-atom contributions *before* offsets, and

    energy = sum_i atomic_energies_i + n_atoms * mean_energy_per_atom

where the constant ``mean_energy_per_atom`` (the mean training energy divided by the
number of atoms, a buffer of the ``AddOffsets`` postprocessor) is only added when
``model.do_postprocessing`` is true (the default; training switches it off and fits
``E - n_atoms * mean``). Energies are in eV, forces in eV/Å, positions in Å.

schnetpack writes its outputs (and ``requires_grad`` on the positions) into the input
dict it is given: :func:`schnet_inputs` builds a fresh dict for every call, and
:func:`schnet_predict` clones it before the model sees it.

Training and the shipped weights live in :mod:`symxai.training.schnet`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from symxai._compat import import_schnetpack

__all__ = [
    "ATOMIC_ENERGIES_KEY",
    "ENERGY_KEY",
    "FORCES_KEY",
    "SCHNET_CONFIG",
    "build_schnet",
    "neighbor_pairs",
    "schnet_inputs",
    "schnet_predict",
]

ENERGY_KEY = "energy"
FORCES_KEY = "forces"
ATOMIC_ENERGIES_KEY = "atomic_energies"

SCHNET_CONFIG: dict[str, Any] = {
    "n_interactions": 3,
    "n_atom_basis": 64,
    "n_rbf": 20,
    "cutoff": 5.0,
}
"""Default architecture (keyword arguments of :func:`build_schnet`)."""


def build_schnet(
    n_interactions: int = 3,
    n_atom_basis: int = 64,
    n_rbf: int = 20,
    cutoff: float = 5.0,
    *,
    mean_energy_per_atom: float = 0.0,
) -> Any:
    """A fresh schnetpack ``NeuralNetworkPotential``: SchNet (``n_interactions`` blocks of
    width ``n_atom_basis``, ``n_rbf`` Gaussians up to ``cutoff`` Å, cosine cutoff), an
    ``Atomwise`` energy head with sum aggregation that also returns the per-atom
    contributions under ``"atomic_energies"``, ``Forces`` and the postprocessors
    ``CastTo64`` and ``AddOffsets`` (``n_atoms * mean_energy_per_atom``, in eV)."""
    spk = import_schnetpack()
    radial_basis = spk.nn.GaussianRBF(n_rbf=n_rbf, cutoff=cutoff)
    representation = spk.representation.SchNet(
        n_atom_basis=n_atom_basis,
        n_interactions=n_interactions,
        radial_basis=radial_basis,
        cutoff_fn=spk.nn.CosineCutoff(cutoff),
    )
    model = spk.model.NeuralNetworkPotential(
        representation=representation,
        input_modules=[spk.atomistic.PairwiseDistances()],
        output_modules=[
            spk.atomistic.Atomwise(
                n_in=n_atom_basis,
                output_key=ENERGY_KEY,
                per_atom_output_key=ATOMIC_ENERGIES_KEY,
                aggregation_mode="sum",
            ),
            spk.atomistic.Forces(energy_key=ENERGY_KEY, force_key=FORCES_KEY),
        ],
        postprocessors=[
            spk.transform.CastTo64(),
            spk.transform.AddOffsets(
                ENERGY_KEY,
                add_mean=True,
                property_mean=torch.tensor([float(mean_energy_per_atom)], dtype=torch.float64),
            ),
        ],
    )
    model.symxai_config = {
        "n_interactions": n_interactions,
        "n_atom_basis": n_atom_basis,
        "n_rbf": n_rbf,
        "cutoff": float(cutoff),
        "mean_energy_per_atom": float(mean_energy_per_atom),
    }
    return model


# ------------------------------------------------------------------------ inputs
def neighbor_pairs(positions: torch.Tensor, cutoff: float) -> tuple[torch.Tensor, torch.Tensor]:
    """All ordered pairs ``(i, j)``, ``i != j``, closer than ``cutoff`` within each of the
    molecules ``positions[F, n, 3]``; indices are global (molecule ``f``'s atoms are
    ``f * n .. f * n + n - 1``), sorted by ``i`` then ``j``. No periodic images."""
    n = positions.shape[1]
    with torch.no_grad():
        distances = torch.cdist(positions.double(), positions.double())
        close = (distances < cutoff) & ~torch.eye(n, dtype=torch.bool)
        frame, i, j = torch.nonzero(close, as_tuple=True)
    return frame * n + i, frame * n + j


def _as_molecules(
    positions: Any, numbers: Any
) -> tuple[list[torch.Tensor], list[torch.Tensor]] | tuple[torch.Tensor, torch.Tensor]:
    """Normalise the accepted layouts: one molecule, frames of one molecule (uniform
    tensors ``[F, n, 3]`` / ``[F, n]``) or a list of molecules of any sizes."""
    if isinstance(positions, (list, tuple)):
        if not isinstance(numbers, (list, tuple)) or len(numbers) != len(positions):
            raise ValueError("a list of positions needs a list of atomic numbers of equal length")
        return (
            [torch.as_tensor(p, dtype=torch.float32) for p in positions],
            [torch.as_tensor(z, dtype=torch.long) for z in numbers],
        )
    pos = torch.as_tensor(positions, dtype=torch.float32)
    z = torch.as_tensor(np.asarray(numbers) if not torch.is_tensor(numbers) else numbers)
    z = z.long()
    if pos.dim() == 2:
        pos = pos.unsqueeze(0)
    if pos.dim() != 3 or pos.shape[-1] != 3:
        raise ValueError(f"positions must be [n, 3] or [frames, n, 3], got {tuple(pos.shape)}")
    if z.dim() == 1:
        z = z.unsqueeze(0).expand(pos.shape[0], -1)
    if tuple(z.shape) != tuple(pos.shape[:2]):
        raise ValueError(
            f"atomic numbers of shape {tuple(z.shape)} do not match positions {tuple(pos.shape)}"
        )
    return pos, z


def schnet_inputs(positions: Any, numbers: Any, cutoff: float = 5.0) -> dict[str, torch.Tensor]:
    """The schnetpack input dict of one or several molecules (a batch).

    ``positions``: ``[n, 3]`` (one molecule), ``[F, n, 3]`` (``F`` frames of one molecule;
    ``numbers`` ``[n]`` or ``[F, n]``) or a list of ``[n_k, 3]`` arrays with a list of
    atomic-number arrays (molecules of different sizes). Positions in Å; a tensor that
    requires grad stays in the autograd graph (the neighbour list is computed without it).

    Keys (``schnetpack.properties``): ``Z`` ``[N]`` long, ``R`` ``[N, 3]`` float32,
    ``idx_m`` ``[N]`` (molecule index of each atom), ``n_atoms`` ``[M]``, ``cell``
    ``[M, 3, 3]`` zeros, ``pbc`` ``[M, 3]`` false, and the full neighbour list
    ``idx_i``/``idx_j`` (all ordered pairs closer than ``cutoff`` inside a molecule) with
    zero ``offsets`` ``[P, 3]``.
    """
    spk = import_schnetpack()
    props = spk.properties
    molecules = _as_molecules(positions, numbers)
    if isinstance(molecules[0], torch.Tensor):
        pos, z = molecules  # uniform: [F, n, 3], [F, n]
        frames, n = z.shape
        idx_i, idx_j = neighbor_pairs(pos.detach(), cutoff)
        flat_pos = pos.reshape(frames * n, 3)
        flat_z = z.reshape(-1)
        n_atoms = torch.full((frames,), n, dtype=torch.long)
    else:
        pos_list, z_list = molecules
        starts, idx_i_parts, idx_j_parts = 0, [], []
        for p in pos_list:
            if p.dim() != 2 or p.shape[-1] != 3:
                raise ValueError(f"positions of a molecule must be [n, 3], got {tuple(p.shape)}")
            i, j = neighbor_pairs(p.detach().unsqueeze(0), cutoff)
            idx_i_parts.append(i + starts)
            idx_j_parts.append(j + starts)
            starts += p.shape[0]
        frames = len(pos_list)
        idx_i, idx_j = torch.cat(idx_i_parts), torch.cat(idx_j_parts)
        flat_pos = torch.cat(pos_list)
        flat_z = torch.cat(z_list)
        n_atoms = torch.as_tensor([p.shape[0] for p in pos_list], dtype=torch.long)
    return {
        props.Z: flat_z.contiguous(),
        props.R: flat_pos.contiguous(),
        props.idx_m: torch.repeat_interleave(torch.arange(frames), n_atoms),
        props.n_atoms: n_atoms,
        props.cell: torch.zeros(frames, 3, 3),
        props.pbc: torch.zeros(frames, 3, dtype=torch.bool),
        props.idx_i: idx_i,
        props.idx_j: idx_j,
        props.offsets: torch.zeros(idx_i.shape[0], 3),
    }


def schnet_predict(
    model: Any,
    positions: Any,
    numbers: Any,
    *,
    batch_size: int = 256,
) -> tuple[np.ndarray, np.ndarray]:
    """Energies (eV, float64 ``[F]``) and forces (eV/Å, ``[F, n, 3]``) of the frames
    ``positions[F, n, 3]`` of one molecule (or ``[n, 3]``), in batches, postprocessing
    (the energy offset) included. The model's train/eval mode is left as it is."""
    pos = torch.as_tensor(positions, dtype=torch.float32)
    if pos.dim() == 2:
        pos = pos.unsqueeze(0)
    cutoff = float(model.representation.cutoff)
    energies, forces = [], []
    for chunk in pos.split(batch_size):
        inputs = schnet_inputs(chunk, numbers, cutoff)
        with torch.enable_grad():
            out = model({key: value.clone() for key, value in inputs.items()})
        energies.append(out[ENERGY_KEY].detach().double())
        forces.append(out[FORCES_KEY].detach().reshape(chunk.shape))
    return torch.cat(energies).numpy(), torch.cat(forces).float().numpy()

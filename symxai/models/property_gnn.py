"""A molecular property predictor on PyG's ``from_smiles`` features: embedding atom and
bond encoders, ``GINEConv`` (or ``GINConv``) layers, graph pooling and an MLP head.

The input is what :func:`torch_geometric.utils.from_smiles` gives: ``x`` long ``[n, 9]``
(atomic number, chirality, degree, formal charge, hydrogens, radical electrons,
hybridisation, aromatic, in ring) and ``edge_attr`` long ``[E, 3]`` (bond type, stereo,
conjugated), each column an index into the vocabulary ``torch_geometric.utils.smiles.
x_map`` / ``e_map``. Encoders sum one ``nn.Embedding`` per column (the OGB encoders):

.. math::  h_i^{(0)} = \\sum_k A_k[x_{ik}], \\qquad e_{ij}^{(t)} = \\sum_k B^{(t)}_k[a_{ijk}],

and layer ``t`` is ``GINEConv`` (Hu et al., ICLR 2020) with its own bond encoder
:math:`B^{(t)}`,

.. math::  h_i^{(t)} = \\mathrm{ReLU}\\Bigl(\\mathrm{MLP}_t\\bigl(h_i^{(t-1)}
           + \\sum_{j \\in \\mathcal N(i)} \\mathrm{ReLU}(h_j^{(t-1)} + e_{ij}^{(t)})\\bigr)\\Bigr),

or ``GINConv`` without bond features when ``conv="gin"``. A sum or mean pooling and the
head ``Linear -> ReLU -> Linear`` give ``num_tasks`` outputs named by ``task_names``
(regression values in the target's units, or logits). Only stock PyG and torch layers are
used. ``config`` rebuilds the model (``PropertyGNN(**config)``), so it saves and loads as
a symxai weights file (:func:`symxai.cache.save_weights` / :func:`~symxai.cache.load_state`).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch_geometric.nn import GINConv, GINEConv, global_add_pool, global_mean_pool
from torch_geometric.utils.smiles import e_map, x_map

__all__ = [
    "ATOM_VOCABULARY",
    "BOND_VOCABULARY",
    "FeatureEmbedding",
    "PropertyGNN",
]

ATOM_VOCABULARY: list[int] = [len(values) for values in x_map.values()]
"""Vocabulary size of each of the 9 ``from_smiles`` atom feature columns, in column order."""

BOND_VOCABULARY: list[int] = [len(values) for values in e_map.values()]
"""Vocabulary size of each of the 3 ``from_smiles`` bond feature columns, in column order."""

_POOLING = {"add": global_add_pool, "mean": global_mean_pool}
_CONVS = ("gine", "gin")


class FeatureEmbedding(torch.nn.Module):
    """Sum of one ``nn.Embedding(size, width)`` per integer feature column:
    ``out[i] = sum_k embeddings[k](features[i, k])``."""

    def __init__(self, vocabulary: Sequence[int], width: int) -> None:
        super().__init__()
        self.embeddings = torch.nn.ModuleList(
            torch.nn.Embedding(size, width) for size in vocabulary
        )

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """``[n, width]`` float from ``features`` long ``[n, len(vocabulary)]``."""
        if features.dim() != 2 or features.shape[1] != len(self.embeddings):
            raise ValueError(
                f"expected integer features of shape [n, {len(self.embeddings)}], "
                f"got {tuple(features.shape)}"
            )
        out = self.embeddings[0](features[:, 0])
        for column in range(1, len(self.embeddings)):
            out = out + self.embeddings[column](features[:, column])
        return out


def _mlp(width: int) -> torch.nn.Sequential:
    return torch.nn.Sequential(
        torch.nn.Linear(width, width), torch.nn.ReLU(), torch.nn.Linear(width, width)
    )


class PropertyGNN(torch.nn.Module):
    """Atom/bond embeddings, ``num_layers`` ``GINEConv`` (or ``GINConv``) layers of width
    ``hidden``, add or mean pooling, and an MLP head with ``num_tasks`` outputs."""

    def __init__(
        self,
        hidden: int = 64,
        num_layers: int = 3,
        num_tasks: int = 1,
        task_names: Sequence[str] | None = None,
        pooling: str = "add",
        conv: str = "gine",
        dropout: float = 0.0,
        atom_vocabulary: Sequence[int] | None = None,
        bond_vocabulary: Sequence[int] | None = None,
    ) -> None:
        super().__init__()
        if pooling not in _POOLING:
            raise ValueError(f"pooling must be one of {sorted(_POOLING)}, got {pooling!r}")
        if conv not in _CONVS:
            raise ValueError(f"conv must be one of {list(_CONVS)}, got {conv!r}")
        names = (
            [f"task_{index}" for index in range(num_tasks)]
            if task_names is None
            else list(task_names)
        )
        if len(names) != num_tasks:
            raise ValueError(f"{len(names)} task_names given for num_tasks={num_tasks}")
        atoms = list(ATOM_VOCABULARY if atom_vocabulary is None else atom_vocabulary)
        bonds = list(BOND_VOCABULARY if bond_vocabulary is None else bond_vocabulary)
        self.config = {
            "hidden": hidden,
            "num_layers": num_layers,
            "num_tasks": num_tasks,
            "task_names": names,
            "pooling": pooling,
            "conv": conv,
            "dropout": dropout,
            "atom_vocabulary": atoms,
            "bond_vocabulary": bonds,
        }
        self.task_names = names
        self.atom_encoder = FeatureEmbedding(atoms, hidden)
        self.bond_encoders = torch.nn.ModuleList(
            FeatureEmbedding(bonds, hidden) for _ in range(num_layers) if conv == "gine"
        )
        self.convs = torch.nn.ModuleList(
            GINEConv(_mlp(hidden)) if conv == "gine" else GINConv(_mlp(hidden))
            for _ in range(num_layers)
        )
        self.pool = _POOLING[pooling]
        self.dropout = torch.nn.Dropout(dropout)
        self.head = torch.nn.Sequential(
            torch.nn.Linear(hidden, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, num_tasks)
        )

    def forward(
        self,
        x: torch.Tensor,
        edge_index: torch.Tensor,
        edge_attr: torch.Tensor | None = None,
        batch: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Outputs ``[num_graphs, num_tasks]`` (column ``k`` is task ``task_names[k]``)."""
        if batch is None:
            batch = torch.zeros(x.shape[0], dtype=torch.long, device=x.device)
        h = self.atom_encoder(x)
        if self.config["conv"] == "gine":
            if edge_attr is None:
                raise ValueError("PropertyGNN with conv='gine' needs edge_attr (bond features)")
            for conv, bond_encoder in zip(self.convs, self.bond_encoders, strict=True):
                h = self.dropout(conv(h, edge_index, bond_encoder(edge_attr)).relu())
        else:
            for conv in self.convs:
                h = self.dropout(conv(h, edge_index).relu())
        return self.head(self.pool(h, batch))

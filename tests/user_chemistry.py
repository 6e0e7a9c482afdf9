"""A user's own featurizers and models, loaded by the tests as ``module:function``
(``tests.user_chemistry:ring_featurizer``, ``tests.user_chemistry:tiny_gin``): what a
medicinal chemist with a trained PyG model passes to ``--featurizer`` and ``--model``."""

from __future__ import annotations

import torch
from rdkit import Chem
from torch_geometric.nn import GINConv, GINEConv, global_add_pool

RING_FEATURES = 3


def ring_featurizer(mol: Chem.Mol) -> tuple[torch.Tensor, torch.Tensor]:
    """Per atom: atomic number / 10, aromatic, in a ring (float ``[n, 3]``); every bond
    both ways. Implicit hydrogens."""
    x = torch.tensor(
        [
            [atom.GetAtomicNum() / 10, float(atom.GetIsAromatic()), float(atom.IsInRing())]
            for atom in mol.GetAtoms()
        ]
    )
    pairs = [(b.GetBeginAtomIdx(), b.GetEndAtomIdx()) for b in mol.GetBonds()]
    edges = [p for i, j in pairs for p in ((i, j), (j, i))]
    return x, torch.tensor(edges, dtype=torch.long).reshape(-1, 2).T


def float_ogb_featurizer(mol: Chem.Mol) -> object:
    """The ``ogb`` features as floats (``x`` ``[n, 9]``, ``edge_attr`` ``[E, 3]``)."""
    from torch_geometric.utils import from_rdmol

    data = from_rdmol(mol)
    data.x = data.x.float()
    data.edge_attr = data.edge_attr.float()
    return data


def wrong_rows(mol: Chem.Mol) -> tuple[torch.Tensor, torch.Tensor]:
    """A broken featurizer: one row too many."""
    return torch.zeros(mol.GetNumAtoms() + 1, 2), torch.zeros((2, 0), dtype=torch.long)


def not_a_graph(mol: Chem.Mol) -> str:
    """A broken featurizer: returns text."""
    return "C"


class TinyGIN(torch.nn.Module):
    """Two GINConv layers, sum pooling, ``outputs`` outputs."""

    def __init__(self, in_channels: int, outputs: int = 1, hidden: int = 8) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.convs = torch.nn.ModuleList(
            GINConv(
                torch.nn.Sequential(
                    torch.nn.Linear(in_channels if k == 0 else hidden, hidden),
                    torch.nn.ReLU(),
                    torch.nn.Linear(hidden, hidden),
                )
            )
            for k in range(2)
        )
        self.head = torch.nn.Linear(hidden, outputs)

    def forward(
        self, x: torch.Tensor, edge_index: torch.Tensor, batch: torch.Tensor | None = None
    ) -> torch.Tensor:
        if batch is None:
            batch = torch.zeros(x.shape[0], dtype=torch.long)
        for conv in self.convs:
            x = conv(x.float(), edge_index).relu()
        return self.head(global_add_pool(x, batch))


class TinyGINE(torch.nn.Module):
    """Two GINEConv layers over edge features, sum pooling, named tasks."""

    def __init__(self, in_channels: int = 9, edge_dim: int = 3, hidden: int = 8) -> None:
        super().__init__()
        torch.manual_seed(1)
        self.convs = torch.nn.ModuleList(
            GINEConv(
                torch.nn.Sequential(
                    torch.nn.Linear(in_channels if k == 0 else hidden, hidden),
                    torch.nn.ReLU(),
                    torch.nn.Linear(hidden, hidden),
                ),
                edge_dim=edge_dim,
            )
            for k in range(2)
        )
        self.head = torch.nn.Linear(hidden, 3)
        self.task_names = ("logS", "logP", "toxic")

    def forward(
        self,
        x: torch.Tensor,
        edge_index: torch.Tensor,
        edge_attr: torch.Tensor,
        batch: torch.Tensor | None = None,
    ) -> torch.Tensor:
        if batch is None:
            batch = torch.zeros(x.shape[0], dtype=torch.long)
        for conv in self.convs:
            x = conv(x, edge_index, edge_attr).relu()
        return self.head(global_add_pool(x, batch))


def tiny_gin() -> torch.nn.Module:
    """A one-output regressor on :func:`ring_featurizer` graphs, named ``score``."""
    model = TinyGIN(RING_FEATURES).eval()
    model.output_names = ("score",)
    model.featurizer = "tests.user_chemistry:ring_featurizer"
    return model


def tiny_gine() -> torch.nn.Module:
    """A three-task model (``logS``, ``logP``, ``toxic``) on float ``ogb`` graphs."""
    model = TinyGINE().eval()
    model.featurizer = "tests.user_chemistry:float_ogb_featurizer"
    return model


def not_a_model() -> str:
    """A broken model factory."""
    return "a string"


class AtomEncoderGIN(torch.nn.Module):
    """OGB-style: one ``Embedding`` per integer atom feature (summed), then ``GINConv``
    layers, sum pooling, one output ``logS``."""

    def __init__(self, hidden: int = 8) -> None:
        super().__init__()
        torch.manual_seed(2)
        self.encoders = torch.nn.ModuleList(torch.nn.Embedding(120, hidden) for _ in range(9))
        self.convs = TinyGIN(hidden, hidden=hidden).convs
        self.head = torch.nn.Linear(hidden, 1)
        self.output_names = ("logS",)
        self.featurizer = "ogb"

    def forward(
        self, x: torch.Tensor, edge_index: torch.Tensor, batch: torch.Tensor | None = None
    ) -> torch.Tensor:
        if batch is None:
            batch = torch.zeros(x.shape[0], dtype=torch.long)
        h = sum(encoder(x[:, k]) for k, encoder in enumerate(self.encoders))
        for conv in self.convs:
            h = conv(h, edge_index).relu()
        return self.head(global_add_pool(h, batch))


def ogb_gin() -> torch.nn.Module:
    """A regressor on the integer ``ogb`` features through atom-encoder embeddings."""
    return AtomEncoderGIN().eval()

"""GNN-LRP through the PyG layers users train on molecules (GINEConv with bond features,
GCNConv, GraphConv, SAGEConv, GATConv/GATv2Conv with constant or AttnLRP attention),
integer OGB-style node features through embeddings, and the named error for layers it
cannot explain.

Every model has two such layers, sum pooling and a linear head, all biases zeroed, LRP-0:
then GNN-LRP conserves the output exactly (GINEConv: up to the bond features' share,
computed independently by Euler's identity; AttnLRP: up to the softmax's bias term)."""

from __future__ import annotations

import itertools
import pickle

import numpy as np
import pytest
import torch
from torch_geometric.data import Data
from torch_geometric.nn import (
    GATConv,
    GatedGraphConv,
    GATv2Conv,
    GCNConv,
    GINConv,
    GINEConv,
    GraphConv,
    SAGEConv,
    Set2Set,
    TransformerConv,
    global_add_pool,
)
from torch_geometric.nn.aggr import GRUAggregation, LSTMAggregation
from torch_geometric.utils import to_dense_batch

import symxai
from symxai import Decomposition, FeatureSpaceError, harsanyi_dividends
from symxai.backends.gnn_lrp import GNNLRPBackend
from symxai.connected_dividends import connected_harsanyi_dividends

IN, HIDDEN, EDGE = 4, 6, 3
KINDS = ("gine", "gcn", "graphconv", "sage", "gat", "gatv2", "gat_edges")
ATTENTION_KINDS = ("gat", "gatv2", "gat_edges")
SPARSE_KINDS = ("gcn", "graphconv", "sage")
"""The layers whose graph copies take the block-diagonal sparse adjacency (they fuse
message and aggregation and the graph has no edge features)."""


def layer(kind: str, i: int, o: int) -> torch.nn.Module:
    if kind == "gine":
        mlp = torch.nn.Sequential(torch.nn.Linear(i, o), torch.nn.ReLU(), torch.nn.Linear(o, o))
        return GINEConv(mlp, train_eps=True, edge_dim=EDGE)
    if kind == "gcn":
        return GCNConv(i, o)
    if kind == "graphconv":
        return GraphConv(i, o)
    if kind == "sage":
        return SAGEConv(i, o)
    if kind == "gat":
        return GATConv(i, o, heads=2)
    if kind == "gatv2":
        return GATv2Conv(i, o, heads=2, concat=False)
    return GATConv(i, o, heads=2, edge_dim=EDGE, concat=False)


class TwoLayers(torch.nn.Module):
    """Two layers of one kind with ReLU, sum pooling, a linear head; every bias zeroed."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        torch.manual_seed(3)
        self.kind = kind
        width = 2 * HIDDEN if kind == "gat" else HIDDEN
        self.convs = torch.nn.ModuleList([layer(kind, IN, HIDDEN), layer(kind, width, HIDDEN)])
        self.head = torch.nn.Linear(width, 2)
        with torch.no_grad():
            for name, parameter in self.named_parameters():
                if name.endswith("bias"):
                    parameter.zero_()
                if name.endswith("eps"):
                    parameter.fill_(0.3)

    def forward(self, x, edge_index, edge_attr=None, batch=None):
        uses_edges = self.kind in ("gine", "gat_edges")
        for conv in self.convs:
            x = conv(x, edge_index, edge_attr) if uses_edges else conv(x, edge_index)
            x = x.relu()
        return self.head(global_add_pool(x, batch))


def molecule_graph(kind: str, n: int = 6) -> Data:
    """A 6-ring with a chord and a pendant-free layout, random features (positive, so the
    ReLUs are mixed), bond features for the kinds that read them."""
    rng = np.random.default_rng(11)
    edges = [(i, (i + 1) % n) for i in range(n)] + [(0, 3)]
    edge_index = torch.tensor(edges + [(j, i) for i, j in edges]).T
    data = Data(x=torch.as_tensor(rng.normal(size=(n, IN)) + 0.5), edge_index=edge_index)
    if kind in ("gine", "gat_edges"):
        data.edge_attr = torch.as_tensor(rng.random((edge_index.shape[1], EDGE)))
    return data


def model_and_graph(kind: str) -> tuple[TwoLayers, Data]:
    return TwoLayers(kind).double(), molecule_graph(kind)


def plain_output(model: TwoLayers, data: Data, edge_attr: torch.Tensor | None = None):
    batch = torch.zeros(data.num_nodes, dtype=torch.long)
    return model(data.x, data.edge_index, edge_attr, batch)[0, 1]


@pytest.mark.parametrize("kind", KINDS)
def test_conservation_with_zero_biases(kind: str) -> None:
    model, data = model_and_graph(kind)
    backend = GNNLRPBackend(model, data, target=1)
    total = backend(np.ones((1, backend.n), bool))[0]
    assert backend.feature_relevance().sum() == pytest.approx(total, rel=1e-10)
    if kind != "gine":
        assert total == pytest.approx(backend.prediction(), rel=1e-9, abs=1e-12)
        return
    # GINEConv: f = v(N) + sum e df/de (Euler), the bond features' share is absorbed.
    edge_attr = data.edge_attr.clone().requires_grad_(True)
    output = plain_output(model, data, edge_attr)
    (gradient,) = torch.autograd.grad(output, edge_attr)
    absorbed = float((edge_attr * gradient).sum().detach())
    assert abs(absorbed) > 1e-3
    assert total + absorbed == pytest.approx(float(output.detach()), rel=1e-9, abs=1e-12)
    assert abs(total - float(output.detach())) > 1e-3


CASES = [(kind, "constant") for kind in KINDS] + [(kind, "attnlrp") for kind in ATTENTION_KINDS]


@pytest.mark.parametrize(("kind", "attention"), CASES)
def test_walks_sum_to_subgraph_relevance_on_every_subset(kind: str, attention: str) -> None:
    model, data = model_and_graph(kind)
    backend = GNNLRPBackend(model, data, target=0, attention=attention)
    walks = backend.walks()
    assert walks.exact and len(walks) == backend.count_walks()
    masks = np.array(list(itertools.product([False, True], repeat=backend.n)))
    values = backend(masks)
    inside = np.array([walks.relevance[mask[walks.nodes].all(axis=1)].sum() for mask in masks])
    np.testing.assert_allclose(values, inside, rtol=1e-9, atol=1e-12)
    assert walks.relevance.sum() == pytest.approx(values[-1], rel=1e-10)


@pytest.mark.parametrize(("kind", "attention"), CASES)
def test_connected_dividends_equal_the_full_transform(kind: str, attention: str) -> None:
    model, data = model_and_graph(kind)
    backend = GNNLRPBackend(model, data, target=1, attention=attention)
    graph = backend.coalition_graph()
    assert graph is not None
    connected = connected_harsanyi_dividends(backend.set_function(), graph, max_order=3)
    assert connected is not None
    full = harsanyi_dividends(backend.set_function())
    from_walks = Decomposition.from_dividends(backend.walks().dividends())
    scale = np.abs(full.values).max()
    for subset, value in zip(full.subsets(), full.values, strict=True):
        assert from_walks[subset] == pytest.approx(value, abs=1e-9 * scale)
        if len(subset) <= 3:
            assert connected[subset] == pytest.approx(value, abs=1e-9 * scale)


@pytest.mark.parametrize("kind", KINDS)
def test_sparse_fast_path_used_where_it_agrees(kind: str) -> None:
    model, data = model_and_graph(kind)
    chosen = GNNLRPBackend(model, data, target=1, batch_size=8)
    assert chosen.sparse_adjacency == (kind in SPARSE_KINDS)
    dense = GNNLRPBackend(model, data, target=1, batch_size=8, sparse_adjacency=False)
    masks = np.random.default_rng(2).random((20, data.num_nodes)) < 0.6
    np.testing.assert_allclose(chosen(masks), dense(masks), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("kind", ATTENTION_KINDS)
def test_attnlrp_absorbs_exactly_the_softmax_bias_term(kind: str) -> None:
    """AttnLRP: v(N) = f(x) - sum alpha g (1 - e + e_bar) over every layer's edges and
    heads, with g the modified gradient at alpha and e = log alpha (the softmax's Taylor
    bias term; shift-invariant per destination, so log alpha serves as its input), minus,
    with bond features in the logits, their share sum eps * g_eps (a bias of the logits)."""
    model, data = model_and_graph(kind)
    softmaxes: list[tuple[torch.Tensor, torch.Tensor, list[torch.Tensor]]] = []
    bond_terms: list[tuple[torch.Tensor, list[torch.Tensor]]] = []

    def record_alpha(layer, inputs, alpha):
        if alpha.requires_grad:
            gradients: list[torch.Tensor] = []
            alpha.register_hook(gradients.append)
            softmaxes.append((inputs[0][1], alpha.detach(), gradients))

    layer_inputs: list[torch.Tensor] = []

    def record_bonds(module, inputs, output):
        if torch.is_grad_enabled():
            # The bond logits are a constant of the pass; "+ 0 * h" puts them on the path
            # to the inputs so that their gradient is computed (values unchanged).
            output = output + 0 * layer_inputs[-1].sum()
            gradients: list[torch.Tensor] = []
            output.register_hook(gradients.append)
            bond_terms.append((output.detach(), gradients))
            return output
        return None

    handles = [conv.register_edge_update_forward_hook(record_alpha) for conv in model.convs]
    handles += [
        conv.register_forward_pre_hook(lambda _, args: layer_inputs.append(args[0]))
        for conv in model.convs
    ]
    handles += [
        conv.lin_edge.register_forward_hook(record_bonds)
        for conv in model.convs
        if conv.lin_edge is not None
    ]
    backend = GNNLRPBackend(model, data, target=1, attention="attnlrp", sparse_adjacency=False)
    softmaxes.clear()
    bond_terms.clear()
    total = float(backend.feature_relevance().sum())
    for handle in handles:
        handle.remove()
    assert len(softmaxes) == 2 and len(bond_terms) == (2 if kind == "gat_edges" else 0)
    absorbed = 0.0
    for destination, alpha, (gradient,) in softmaxes:
        logits = alpha.log()
        mean_logit = torch.zeros(data.num_nodes, alpha.shape[1], dtype=alpha.dtype)
        mean_logit.index_add_(0, destination, alpha * logits)
        absorbed += float((alpha * gradient * (1 - logits + mean_logit[destination])).sum())
    assert abs(absorbed) > 1e-4
    for bonds, (gradient,) in bond_terms:
        absorbed += float((bonds * gradient).sum())
    prediction = backend.prediction()
    assert total == pytest.approx(prediction - absorbed, rel=1e-9, abs=1e-12)
    constant = GNNLRPBackend(model, data, target=1)
    assert constant.feature_relevance().sum() == pytest.approx(prediction, rel=1e-9)


def test_explain_names_the_attention_rule() -> None:
    model, data = model_and_graph("gatv2")
    constant = symxai.explain(model, data, "gnn-lrp", target=1)
    attnlrp = symxai.explain(model, data, "gnn-lrp", target=1, attention="attnlrp")
    assert constant.metadata["attention"] == "constant"
    assert attnlrp.metadata["attention"] == "attnlrp"
    everything = np.ones((1, data.num_nodes), bool)
    assert constant.values(everything)[0] != pytest.approx(attnlrp.values(everything)[0])
    gcn, gcn_data = model_and_graph("gcn")
    assert "attention" not in symxai.explain(gcn, gcn_data, "gnn-lrp", target=1).metadata


def test_attention_rule_acts_only_inside_a_pass() -> None:
    """After GNN-LRP passes (constant attention), the model's own gradient still flows
    through the attention coefficients."""
    model, data = model_and_graph("gat")
    x = data.x.clone().requires_grad_(True)

    def gradient() -> torch.Tensor:
        output = model(x, data.edge_index, None, torch.zeros(6, dtype=torch.long))[0, 1]
        return torch.autograd.grad(output, x)[0]

    before = gradient()
    backend = GNNLRPBackend(model, data, target=1)
    backend(np.ones((3, 6), bool))
    torch.testing.assert_close(gradient(), before, rtol=0, atol=0)
    # The layers' permanent hooks are module-level functions: the model still pickles.
    copied = pickle.loads(pickle.dumps(model))
    again = GNNLRPBackend(copied, data, target=1)
    np.testing.assert_allclose(
        again.feature_relevance(), backend.feature_relevance(), rtol=0, atol=1e-12
    )
    with pytest.raises(ValueError, match="attention"):
        GNNLRPBackend(model, data, attention="softmax")


# ------------------------------------------------------------ integer node features
class OGBStyle(torch.nn.Module):
    """An atom encoder of one ``nn.Embedding`` per column of OGB-style integer ``x`` (or
    its one-hot twin: a bias-free ``Linear`` on the concatenated one-hots), a bond encoder
    of embeddings, two GINEConv layers, sum pooling, a linear head; zero biases."""

    def __init__(self, atom_sizes: list[int], bond_sizes: list[int]) -> None:
        super().__init__()
        torch.manual_seed(5)
        self.atoms = torch.nn.ModuleList(torch.nn.Embedding(s, HIDDEN) for s in atom_sizes)
        self.bonds = torch.nn.ModuleList(torch.nn.Embedding(s, HIDDEN) for s in bond_sizes)
        self.convs = torch.nn.ModuleList(
            GINEConv(torch.nn.Sequential(torch.nn.Linear(HIDDEN, HIDDEN), torch.nn.ReLU()))
            for _ in range(2)
        )
        self.head = torch.nn.Linear(HIDDEN, 1)
        self.one_hot: torch.nn.Linear | None = None
        with torch.no_grad():
            for name, parameter in self.named_parameters():
                if name.endswith("bias"):
                    parameter.zero_()

    def one_hot_twin(self) -> OGBStyle:
        """The same model reading one-hot float features through a bias-free Linear."""
        import copy

        twin = copy.deepcopy(self)
        weights = torch.cat([embedding.weight for embedding in self.atoms]).detach()
        twin.one_hot = torch.nn.Linear(weights.shape[0], HIDDEN, bias=False).double()
        with torch.no_grad():
            twin.one_hot.weight.copy_(weights.T)
        twin.atoms = torch.nn.ModuleList()
        return twin

    def forward(self, x, edge_index, edge_attr, batch=None):
        if self.one_hot is not None:
            h = self.one_hot(x)
        else:
            h = sum(embedding(x[:, k]) for k, embedding in enumerate(self.atoms))
        bonds = sum(embedding(edge_attr[:, k]) for k, embedding in enumerate(self.bonds))
        for conv in self.convs:
            h = conv(h, edge_index, bonds).relu()
        return self.head(global_add_pool(h, batch))


def ogb_molecule(smiles: str) -> tuple[Data, list[int], list[int]]:
    """PyG's ``from_smiles`` graph (long ``x [n, 9]``, long ``edge_attr [E, 3]``) and the
    vocabulary sizes of its atom and bond features."""
    from torch_geometric.utils.smiles import e_map, from_smiles, x_map

    data = from_smiles(smiles)
    return data, [len(v) for v in x_map.values()], [len(v) for v in e_map.values()]


def one_hot(x: torch.Tensor, sizes: list[int]) -> torch.Tensor:
    columns = [torch.nn.functional.one_hot(x[:, k], s) for k, s in enumerate(sizes)]
    return torch.cat(columns, dim=1).double()


def test_integer_features_equal_the_one_hot_linear_twin() -> None:
    data, atom_sizes, bond_sizes = ogb_molecule("Nc1ccc(O)cc1[N+](=O)[O-]")
    assert data.x.dtype == torch.long and data.edge_attr.dtype == torch.long
    model = OGBStyle(atom_sizes, bond_sizes).double()
    twin_data = data.clone()
    twin_data.x = one_hot(data.x, atom_sizes)
    integer = GNNLRPBackend(model, data)
    twin = GNNLRPBackend(model.one_hot_twin(), twin_data)
    assert integer.prediction() == pytest.approx(twin.prediction(), rel=1e-12)
    np.testing.assert_allclose(
        integer.feature_relevance(), twin.feature_relevance(), rtol=1e-10, atol=1e-12
    )
    masks = np.random.default_rng(0).random((12, integer.n)) < 0.5
    np.testing.assert_allclose(integer(masks), twin(masks), rtol=1e-10, atol=1e-12)
    integer_walks, twin_walks = integer.walks(max_walks=10), twin.walks(max_walks=10)
    np.testing.assert_array_equal(integer_walks.nodes, twin_walks.nodes)
    np.testing.assert_allclose(
        integer_walks.relevance, twin_walks.relevance, rtol=1e-10, atol=1e-12
    )
    explanation = symxai.explain(model, data, "gnn-lrp")
    assert explanation.backend == "gnn-lrp"
    assert explanation.values(np.ones((1, integer.n), bool))[0] == pytest.approx(
        integer.feature_relevance().sum(), rel=1e-10
    )


def test_integer_features_conserve_up_to_the_bond_embeddings_share() -> None:
    """Zero biases: v(N) + sum b · df/db = f(x) over the bond-embedding outputs b (the
    constants of the messages), Euler's identity, computed on the plain model."""
    data, atom_sizes, bond_sizes = ogb_molecule("Nc1ccc(O)cc1[N+](=O)[O-]")
    model = OGBStyle(atom_sizes, bond_sizes).double()
    backend = GNNLRPBackend(model, data)
    outputs: list[torch.Tensor] = []

    def leaf(module, args, output):
        outputs.append(output.detach().requires_grad_(True))
        return outputs[-1]

    handles = [embedding.register_forward_hook(leaf) for embedding in model.bonds]
    output = model(data.x, data.edge_index, data.edge_attr)[0, 0]
    for handle in handles:
        handle.remove()
    gradients = torch.autograd.grad(output, outputs)
    absorbed = sum(float((b * g).sum().detach()) for b, g in zip(outputs, gradients, strict=True))
    total = backend(np.ones((1, backend.n), bool))[0]
    assert abs(absorbed) > 1e-3
    assert total + absorbed == pytest.approx(float(output.detach()), rel=1e-9, abs=1e-12)


def test_integer_features_keep_connected_dividends() -> None:
    data, atom_sizes, bond_sizes = ogb_molecule("OC(=O)c1ccncc1")
    backend = GNNLRPBackend(OGBStyle(atom_sizes, bond_sizes).double(), data)
    graph = backend.coalition_graph()
    assert graph is not None
    connected = connected_harsanyi_dividends(backend.set_function(), graph, max_order=3)
    assert connected is not None and connected.complete
    from_walks = Decomposition.from_dividends(backend.walks().dividends())
    scale = np.abs(from_walks.values).max()
    for subset, value in zip(from_walks.subsets(), from_walks.values, strict=True):
        assert connected[subset] == pytest.approx(value, abs=1e-9 * scale)


class AtomEncoderGIN(torch.nn.Module):
    """OGB-style atom encoder (embeddings of the columns of integer x), two GINConv
    layers (no bond features, so the sparse adjacency applies), sum pooling, a head;
    no biases."""

    def __init__(self, atom_sizes: list[int]) -> None:
        super().__init__()
        torch.manual_seed(8)
        self.atoms = torch.nn.ModuleList(torch.nn.Embedding(s, HIDDEN) for s in atom_sizes)
        self.convs = torch.nn.ModuleList(
            GINConv(
                torch.nn.Sequential(torch.nn.Linear(HIDDEN, HIDDEN, bias=False), torch.nn.ReLU())
            )
            for _ in range(2)
        )
        self.head = torch.nn.Linear(HIDDEN, 1, bias=False)

    def forward(self, x, edge_index, batch=None):
        h = sum(embedding(x[:, k]) for k, embedding in enumerate(self.atoms))
        for conv in self.convs:
            h = conv(h, edge_index).relu()
        return self.head(global_add_pool(h, batch))


def test_integer_features_on_the_sparse_fast_path() -> None:
    data, atom_sizes, _ = ogb_molecule("CC(=O)Nc1ccc(O)cc1")
    data = Data(x=data.x, edge_index=data.edge_index)
    model = AtomEncoderGIN(atom_sizes).double()
    fast = GNNLRPBackend(model, data, batch_size=8)
    assert fast.sparse_adjacency
    slow = GNNLRPBackend(model, data, batch_size=8, sparse_adjacency=False)
    masks = np.random.default_rng(4).random((20, data.num_nodes)) < 0.6
    np.testing.assert_allclose(fast(masks), slow(masks), rtol=1e-9, atol=1e-12)
    everything = fast(np.ones((1, data.num_nodes), bool))[0]
    assert everything == pytest.approx(fast.prediction(), rel=1e-9)


def test_integer_features_need_node_embeddings() -> None:
    model, data = model_and_graph("gcn")
    data.x = data.x.long()
    with pytest.raises(FeatureSpaceError, match="Embedding"):
        GNNLRPBackend(model, data)


# ------------------------------------------------------------ unsupported layers
class Readout(torch.nn.Module):
    """A GCN layer and a readout of the given kind; counts its forward calls."""

    def __init__(self, readout: str) -> None:
        super().__init__()
        self.conv = GCNConv(IN, HIDDEN)
        self.readout_kind = readout
        if readout == "gru":
            self.readout = torch.nn.GRU(HIDDEN, HIDDEN, batch_first=True)
        elif readout == "lstm":
            self.readout = torch.nn.LSTM(HIDDEN, HIDDEN, batch_first=True)
        elif readout == "set2set":
            self.readout = Set2Set(HIDDEN, processing_steps=2)
        elif readout == "gru_aggregation":
            self.readout = GRUAggregation(HIDDEN, HIDDEN)
        else:
            self.readout = LSTMAggregation(HIDDEN, HIDDEN)
        self.head = torch.nn.Linear(2 * HIDDEN if readout == "set2set" else HIDDEN, 1)
        self.calls = 0

    def forward(self, x, edge_index, batch=None):
        self.calls += 1
        batch = torch.zeros(x.shape[0], dtype=torch.long) if batch is None else batch
        h = self.conv(x, edge_index).relu()
        if self.readout_kind in ("gru", "lstm"):
            pooled = self.readout(to_dense_batch(h, batch)[0])[0][:, -1]
        else:
            pooled = self.readout(h, batch)
        return self.head(pooled)


UNSUPPORTED = {
    "gru": "torch.nn.modules.rnn.GRU",
    "lstm": "torch.nn.modules.rnn.LSTM",
    "set2set": "Set2Set",
    "gru_aggregation": "GRUAggregation",
    "lstm_aggregation": "LSTMAggregation",
}


@pytest.mark.parametrize("readout", UNSUPPORTED)
def test_unsupported_layer_is_named_before_any_pass(readout: str) -> None:
    model = Readout(readout).double()
    data = molecule_graph("gcn")
    model(data.x, data.edge_index)
    model.calls = 0
    with pytest.raises(FeatureSpaceError) as error:
        symxai.explain(model, data, "gnn-lrp")
    message = str(error.value)
    assert "'readout'" in message and UNSUPPORTED[readout] in message
    assert "perturbation" in message
    assert model.calls == 0
    # "auto" explains such a model with the perturbation backend instead.
    assert symxai.explain(model, data).backend == "perturbation"


def test_threads_with_different_attention_rules_on_one_model_keep_their_own() -> None:
    """Passes in several threads on one shared GAT model, half of them with constant
    attention and half with AttnLRP, each give what they give alone."""
    from concurrent.futures import ThreadPoolExecutor

    model, data = model_and_graph("gatv2")
    masks = np.random.default_rng(6).random((6, data.num_nodes)) < 0.7

    def relevance(attention: str, seed: int) -> np.ndarray:
        backend = GNNLRPBackend(model, data, target=seed % 2, attention=attention)
        return np.concatenate([backend(masks), backend.feature_relevance()])

    jobs = [(rule, seed) for seed in range(4) for rule in ("constant", "attnlrp")]
    serial = [relevance(*job) for job in jobs]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda job: relevance(*job), jobs))
    for got, expected in zip(threaded, serial, strict=True):
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    assert not np.allclose(serial[0], serial[1])


def test_integer_features_batched_over_many_molecules() -> None:
    """subgraph_relevance_many over OGB-style molecules equals one backend per molecule."""
    from symxai.backends.gnn_lrp import subgraph_relevance_many

    smiles = ["CCO", "c1ccccc1N", "OC(=O)CC(N)C(=O)O", "Clc1ccc(Br)cc1"]
    graphs = [ogb_molecule(s)[0] for s in smiles]
    _, atom_sizes, bond_sizes = ogb_molecule("C")
    model = OGBStyle(atom_sizes, bond_sizes).double()
    rng = np.random.default_rng(9)
    masks = [rng.random((5, int(g.num_nodes))) < 0.6 for g in graphs]
    batched = subgraph_relevance_many(model, graphs, masks)
    for graph, mask, values in zip(graphs, masks, batched, strict=True):
        np.testing.assert_allclose(
            values, GNNLRPBackend(model, graph)(mask), rtol=1e-10, atol=1e-12
        )


class OtherUnsupported(torch.nn.Module):
    """A GCN layer followed by a layer GNN-LRP refuses, and a sum readout."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.conv = GCNConv(IN, HIDDEN)
        if kind == "transformer":
            self.mixer = TransformerConv(HIDDEN, HIDDEN)
        else:
            self.mixer = GatedGraphConv(HIDDEN, num_layers=2)
        self.head = torch.nn.Linear(HIDDEN, 1)

    def forward(self, x, edge_index, batch=None):
        h = self.mixer(self.conv(x, edge_index).relu(), edge_index)
        return self.head(global_add_pool(h, batch))


@pytest.mark.parametrize(
    ("kind", "named"),
    [("transformer", "'mixer' (torch_geometric"), ("gated", "'mixer.rnn' (torch.nn")],
)
def test_other_unsupported_layers_are_named(kind: str, named: str) -> None:
    model, data = OtherUnsupported(kind).double(), molecule_graph("gcn")
    with pytest.raises(FeatureSpaceError, match="perturbation") as error:
        GNNLRPBackend(model, data)
    assert named in str(error.value)

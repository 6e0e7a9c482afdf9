"""Many copies of one graph as a block-diagonal sparse adjacency (CSR).

GNN-LRP evaluates ``B`` coalitions of one graph in one pass over ``B`` disjoint copies of
it. PyG's message-passing layers aggregate messages along ``edge_index`` by a scatter,
which on CPU costs several times a sparse matrix product: on ``8`` copies of a 3,950-node
kNN graph (145,000 edges, 32 features) a scatter-add with its backward took 0.42 s, the
CSR product ``A_t X`` with its backward 0.06 s. Layers that implement
``message_and_aggregate`` (``GINConv``, ``GCNConv``, ``GraphConv``, ``SAGEConv``, ...)
take the transposed adjacency ``A_t`` (``A_t[target, source] = 1`` for every edge
``source -> target``) in place of ``edge_index`` and compute the same sum by ``A_t X``.

The copies form ``diag(A_t, ..., A_t)``: copy ``b`` holds rows and columns
``b n .. (b + 1) n - 1``, so copies never exchange messages.
"""

from __future__ import annotations

import warnings

import torch

__all__ = ["block_diagonal_adjacency"]


def block_diagonal_adjacency(
    edge_index: torch.Tensor, num_nodes: int, copies: int, dtype: torch.dtype
) -> torch.Tensor:
    """``diag(A_t, ..., A_t)`` (``copies`` blocks) as a sparse CSR tensor of ``dtype``.

    ``A_t[j, i]`` counts the edges ``i -> j`` of ``edge_index`` ``[2, E]`` (repeated edges
    add up, as they do in a sum aggregation); the result is ``[copies n, copies n]``.
    """
    source, target = edge_index[0].long().cpu(), edge_index[1].long().cpu()
    single = torch.sparse_coo_tensor(
        torch.stack([target, source]),
        torch.ones(source.numel(), dtype=dtype),
        (num_nodes, num_nodes),
        check_invariants=False,
    ).coalesce()
    rows, columns = single.indices()
    values = single.values()
    stored = values.numel()
    row_counts = torch.bincount(rows, minlength=num_nodes)
    single_crow = torch.zeros(num_nodes + 1, dtype=torch.long)
    single_crow[1:] = torch.cumsum(row_counts, 0)
    shifts = torch.arange(copies, dtype=torch.long)
    crow = (single_crow[None, :-1] + stored * shifts[:, None]).reshape(-1)
    crow = torch.cat([crow, torch.tensor([stored * copies])])
    cols = (columns[None, :] + num_nodes * shifts[:, None]).reshape(-1)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
        return torch.sparse_csr_tensor(
            crow,
            cols,
            values.repeat(copies),
            (copies * num_nodes, copies * num_nodes),
            check_invariants=False,
        )

"""Threads sharing one model: every LRP backend gives, in each thread, what it gives alone.

The LRP backends install forward hooks on the model for the duration of a pass. A Dask
worker with several threads (or a user's thread pool) shares one loaded model between
threads, so a pass in one thread must neither run another thread's hooks nor count their
layer calls. Each test runs many passes at once on one shared model (more threads than
cores, several passes per thread) and compares every result with the serial one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch

from symxai.backends.gnn_lrp import GNNLRPBackend, subgraph_relevance_many
from symxai.backends.lrp import Epsilon, Gamma
from symxai.backends.schnet_lrp import SchNetLRPBackend
from symxai.backends.transformer_lrp import TransformerLRPBackend
from symxai.domains.molecules import DEFAULT_RULES, MUTAGEN, NONMUTAGEN, load_molecules
from symxai.report import ReportSpec, parse_query_lines, run_report

THREADS = 8
MOLECULES = 24


def assert_threads_give_the_serial_values(
    job: Callable[..., Any], arguments: Sequence[tuple[Any, ...]], threads: int = THREADS
) -> None:
    """``job(*a)`` for every ``a`` of ``arguments``, all at once in a pool of ``threads``
    threads, equals (to 1e-12) the same calls one after another."""
    serial = [np.asarray(job(*args)) for args in arguments]
    with ThreadPoolExecutor(threads) as pool:
        threaded = [np.asarray(value) for value in pool.map(lambda args: job(*args), arguments)]
    assert len(threaded) == len(serial)
    for got, expected in zip(threaded, serial, strict=True):
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


@pytest.fixture(scope="module")
def graphs() -> list[Any]:
    """Mutagenicity molecules of different sizes (each its own walk count and layout)."""
    return [molecule.to_data() for molecule in load_molecules("Mutagenicity")[:MOLECULES]]


def gnn_relevance(model: torch.nn.Module, data: Any, seed: int) -> np.ndarray:
    """Random coalitions, atom relevance and every walk of one molecule, in one array."""
    backend = GNNLRPBackend(
        model, data, target=(MUTAGEN, NONMUTAGEN), rules=DEFAULT_RULES, batch_size=16
    )
    masks = np.random.default_rng(seed).random((24, backend.n)) < 0.6
    parts = [backend(masks), backend.feature_relevance(), np.array([backend.prediction()])]
    parts.append(backend.walks(max_walks=500, beam_width=4).relevance)
    return np.concatenate(parts)


def test_gnn_lrp_threads_sharing_one_gin_give_the_serial_values(
    gin: torch.nn.Module, graphs: list[Any]
) -> None:
    arguments = [(gin, data, seed) for seed, data in enumerate(graphs)]
    assert_threads_give_the_serial_values(gnn_relevance, arguments)


def test_batched_subgraph_relevance_in_threads_gives_the_serial_values(
    gin: torch.nn.Module, graphs: list[Any]
) -> None:
    """The report's batched path (:func:`subgraph_relevance_many`), one call per thread."""
    rng = np.random.default_rng(7)
    groups = [graphs[start : start + 3] for start in range(0, len(graphs), 3)]
    masks = [[rng.random((12, int(g.num_nodes))) < 0.5 for g in group] for group in groups]

    def values(index: int) -> np.ndarray:
        return np.concatenate(
            subgraph_relevance_many(
                gin,
                groups[index],
                masks[index],
                target=(MUTAGEN, NONMUTAGEN),
                rules=DEFAULT_RULES,
                max_nodes=600,
            )
        )

    assert_threads_give_the_serial_values(values, [(index,) for index in range(len(groups))])


def test_threads_with_different_rules_on_one_gin_keep_their_own_rules(
    gin: torch.nn.Module, graphs: list[Any]
) -> None:
    """A pass never applies another thread's LRP rules (they would change its values)."""
    rules = [Gamma(0.3), Epsilon(1e-3), None, DEFAULT_RULES]

    def relevance(data: Any, rule: Any) -> np.ndarray:
        backend = GNNLRPBackend(gin, data, target=(MUTAGEN, NONMUTAGEN), rules=rule)
        return backend.feature_relevance()

    arguments = [(data, rules[index % len(rules)]) for index, data in enumerate(graphs)]
    assert_threads_give_the_serial_values(relevance, arguments)


def test_one_gnn_lrp_backend_called_from_many_threads_gives_its_serial_values(
    gin: torch.nn.Module, graphs: list[Any]
) -> None:
    """The pass state lives in the pass: one backend object serves several threads."""
    backend = GNNLRPBackend(
        gin, graphs[0], target=(MUTAGEN, NONMUTAGEN), rules=DEFAULT_RULES, batch_size=8
    )
    rng = np.random.default_rng(11)
    masks = [rng.random((24, backend.n)) < 0.5 for _ in range(2 * THREADS)]
    assert_threads_give_the_serial_values(backend, [(mask,) for mask in masks])


def test_graph_perturbation_threads_sharing_one_gin_give_the_serial_values(
    gin: torch.nn.Module, graphs: list[Any]
) -> None:
    from symxai.backends.graph_perturbation import GraphPerturbationBackend

    def values(data: Any, seed: int) -> np.ndarray:
        backend = GraphPerturbationBackend(gin, data, target=(MUTAGEN, NONMUTAGEN))
        masks = np.random.default_rng(seed).random((16, backend.n)) < 0.6
        return np.concatenate([backend(masks), backend.feature_relevance()])

    assert_threads_give_the_serial_values(values, [(d, seed) for seed, d in enumerate(graphs)])


def test_schnet_lrp_threads_sharing_one_model_give_the_serial_values(schnet: Any) -> None:
    from symxai.data.malondialdehyde import malondialdehyde

    atoms = malondialdehyde()
    base = atoms.get_positions()

    def relevance(seed: int) -> np.ndarray:
        """Atom-set values and atom relevance of a shaken conformation."""
        rng = np.random.default_rng(seed)
        shaken = base + 0.05 * rng.normal(size=base.shape)
        backend = SchNetLRPBackend(schnet, atoms.numbers, shaken, batch_size=8)
        masks = rng.random((24, len(atoms))) < 0.5
        return np.concatenate([backend(masks), backend.feature_relevance()])

    assert_threads_give_the_serial_values(relevance, [(seed,) for seed in range(2 * THREADS)])


@pytest.mark.parametrize("attention", ["constant", "attnlrp"])
def test_transformer_lrp_threads_sharing_one_model_give_the_serial_values(
    attention: str,
) -> None:
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=60,
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
    )
    model = BertForSequenceClassification(config).double().eval()
    rng = np.random.default_rng(5)
    sentences = [
        {"input_ids": torch.tensor([[1, *rng.integers(3, 60, size=length), 2]])}
        for length in rng.integers(3, 9, size=2 * THREADS)
    ]

    def relevance(inputs: dict[str, torch.Tensor]) -> np.ndarray:
        backend = TransformerLRPBackend(
            model, inputs, target=1, rules=Epsilon(1e-6), attention=attention, batch_size=4
        )
        masks = np.random.default_rng(backend.n).random((12, backend.n)) < 0.5
        return np.concatenate([backend(masks), backend.token_relevance()])

    assert_threads_give_the_serial_values(relevance, [(inputs,) for inputs in sentences])


# ------------------------------------------------------------------ Dask threads
QUERIES = 'nitro: smarts"[N+](=O)[O-]"\nN & O\nhalogen: Cl | Br | I\n'


def report_spec(output: Path, mode: str, limit: int, chunk_size: int) -> ReportSpec:
    return ReportSpec(
        domain="molecules",
        data="Mutagenicity",
        queries=parse_query_lines(QUERIES, "queries.txt"),
        output=output,
        limit=limit,
        chunk_size=chunk_size,
        mode=mode,
        formats=("csv",),
    )


@pytest.mark.parametrize(("mode", "limit", "chunk_size"), [("harsanyi", 24, 2), ("shapley", 12, 1)])
def test_dask_threaded_workers_sharing_one_model_give_the_serial_table(
    tmp_path: Path, mode: str, limit: int, chunk_size: int
) -> None:
    """One in-process Dask worker with several threads: one shared GIN, no failed input,
    the serial table (harsanyi: the batched path; shapley: one explanation per input)."""
    distributed = pytest.importorskip("distributed")
    torch_threads = torch.get_num_threads()
    spec = functools.partial(report_spec, mode=mode, limit=limit, chunk_size=chunk_size)
    serial = run_report(spec(tmp_path / "serial"), executor="serial", progress=False)
    try:
        with (
            distributed.LocalCluster(
                n_workers=1,
                threads_per_worker=THREADS,
                processes=False,
                dashboard_address=None,
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            threaded = run_report(spec(tmp_path / "threaded"), scheduler=client, progress=False)
    finally:  # the workers ran in this process and set its torch threads
        torch.set_num_threads(torch_threads)
    assert serial.failures.empty
    assert threaded.failures.empty, threaded.failures["error"].tolist()
    assert len(threaded.table) == limit * 3
    pd.testing.assert_frame_equal(serial.table, threaded.table, rtol=1e-9)

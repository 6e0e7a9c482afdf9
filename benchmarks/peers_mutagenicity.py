"""symxai beside its peers on the Mutagenicity NO2/NH2 bonds: one JSON line.

The shipped GIN, the explained scalar ``f_mutagen - f_nonmutagen`` for every method.
Molecules: the mutagens that carry NO2/NH2 ground-truth bonds (``Mutagenicity_edge_gt``);
every method explains the same fixed random sample of them (``--sample``, default 300,
seed 0; ``--sample 0`` for all). Each undirected bond ``{i, j}`` is scored by

* symxai: its subgraph relevance ``v({i, j})`` (GNN-LRP, ``DEFAULT_RULES``), as in
  ``benchmarks/gnn_lrp.py``;
* PyG ``GNNExplainer`` (100 epochs), ``PGExplainer`` (30 epochs over ``--pg-train``
  molecules drawn at random, seed 1, from all of Mutagenicity; labels unused),
  ``CaptumExplainer`` with Integrated Gradients, Saliency and Input x Gradient: the two
  directed edge masks summed; gradient x input (autograd, node features only): the sum
  of the two atoms' scores; random scores: the floor.

Reported per method: pooled ROC AUC over all bonds of all molecules (signed scores, and
``|score|`` for signed methods), the mean per-molecule AUC, and CPU seconds
(``time.process_time``, one torch thread) per molecule. ``symxai_all_carriers_auc``: symxai
on every carrier, not only the sample.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from symxai.backends.gnn_lrp import GNNLRPBackend
from symxai.domains.molecules import (
    DEFAULT_RULES,
    MUTAGEN,
    NONMUTAGEN,
    Molecule,
    load_molecules,
    load_mutagenicity_gin,
)
from symxai.evaluation.peers import available_peers, get_peer

TARGET = (MUTAGEN, NONMUTAGEN)
SIGNED = {"integrated-gradients", "input-x-gradient", "gradient-x-input", "symxai"}


def undirected_bonds(molecule: Molecule) -> tuple[np.ndarray, np.ndarray]:
    """Bonds ``[P, 2]`` (each once) and their 0/1 NO2/NH2 ground truth ``[P]``."""
    edges = molecule.edge_index
    once = edges[0] < edges[1]
    return edges.T[once], np.asarray(molecule.edge_ground_truth)[once].astype(int)


def symxai_bond_scores(model: torch.nn.Module, molecule: Molecule, pairs: np.ndarray) -> np.ndarray:
    """``v({i, j})`` of every bond, one batch."""
    masks = np.zeros((len(pairs), molecule.num_atoms), dtype=bool)
    rows = np.arange(len(pairs))
    masks[rows, pairs[:, 0]] = True
    masks[rows, pairs[:, 1]] = True
    backend = GNNLRPBackend(
        model, molecule.to_data(), target=TARGET, rules=DEFAULT_RULES, batch_size=1024
    )
    return backend(masks)


def summary(labels: list[np.ndarray], scores: list[np.ndarray], seconds: list[float]) -> dict:
    pooled_labels, pooled_scores = np.concatenate(labels), np.concatenate(scores)
    per_molecule = [
        roc_auc_score(label, score)
        for label, score in zip(labels, scores, strict=True)
        if 0 < label.sum() < len(label)
    ]
    return {
        "pooled_auc": round(float(roc_auc_score(pooled_labels, pooled_scores)), 4),
        "pooled_auc_absolute": round(float(roc_auc_score(pooled_labels, np.abs(pooled_scores))), 4),
        "mean_auc": round(float(np.mean(per_molecule)), 4),
        "seconds_per_molecule": round(float(np.mean(seconds)), 5),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=300, help="carriers explained (0: all)")
    parser.add_argument("--pg-train", type=int, default=300, help="PGExplainer training set")
    arguments = parser.parse_args()
    torch.set_num_threads(1)
    model = load_mutagenicity_gin().model.eval()
    molecules = load_molecules("Mutagenicity")
    carriers = [m for m in molecules if m.label == MUTAGEN and m.edge_ground_truth.any()]
    if arguments.sample and arguments.sample < len(carriers):
        chosen = np.random.default_rng(0).choice(len(carriers), arguments.sample, replace=False)
        sample = [carriers[i] for i in sorted(chosen)]
    else:
        sample = carriers
    bonds = [undirected_bonds(m) for m in sample]
    labels = [label for _, label in bonds]

    results: dict[str, dict] = {}
    scores, seconds = [], []
    for molecule, (pairs, _) in zip(sample, bonds, strict=True):
        start = time.process_time()
        scores.append(symxai_bond_scores(model, molecule, pairs))
        seconds.append(time.process_time() - start)
    results["symxai"] = {"label": "symxai v({i,j}) (GNN-LRP)", **summary(labels, scores, seconds)}

    all_labels, all_scores = [], []
    for molecule in carriers:
        pairs, label = undirected_bonds(molecule)
        all_scores.append(symxai_bond_scores(model, molecule, pairs))
        all_labels.append(label)
    all_auc = roc_auc_score(np.concatenate(all_labels), np.concatenate(all_scores))

    fit_seconds = {}
    for name in available_peers():
        peer = get_peer(name)
        if peer.needs_training:
            training = np.random.default_rng(1).choice(len(molecules), arguments.pg_train, False)
            start = time.process_time()
            peer.fit(model, [molecules[i].to_data() for i in training], TARGET)
            fit_seconds[name] = round(time.process_time() - start, 2)
        scores, seconds = [], []
        for molecule, (pairs, _) in zip(sample, bonds, strict=True):
            explained = peer.explain(model, molecule.to_data(), TARGET, pairs)
            scores.append(explained.pairs)
            seconds.append(explained.seconds)
        results[name] = {"label": peer.label, **summary(labels, scores, seconds)}
    for name, figures in results.items():
        if name not in SIGNED:
            del figures["pooled_auc_absolute"]

    peers = {name: r for name, r in results.items() if name not in ("symxai", "random")}
    best = max(peers, key=lambda name: peers[name]["pooled_auc"])
    print(
        json.dumps(
            {
                "molecules": len(sample),
                "carriers": len(carriers),
                "bonds": int(sum(len(label) for label in labels)),
                "symxai_all_carriers_auc": round(float(all_auc), 4),
                "mutagenicity_symxai_auc": results["symxai"]["pooled_auc"],
                "mutagenicity_best_peer": best,
                "mutagenicity_best_peer_auc": peers[best]["pooled_auc"],
                "fit_seconds": fit_seconds,
                "methods": results,
            }
        )
    )


if __name__ == "__main__":
    main()

"""Faithfulness of symxai against its peers, in one run: one JSON line.

Everything goes through :func:`symxai.evaluation.evaluate_inputs`, the function behind
``symxai evaluate``: the same model, inputs, explained scalar and metric for every
method, on this machine, one torch thread.

* **Mutagenicity NO2/NH2 bonds** (shipped GIN, ``f_mutagen - f_nonmutagen``): the
  mutagens carrying ground-truth bonds (``Mutagenicity_edge_gt``), a fixed sample of
  ``--mutagenicity`` of them (seed 0). Each bond ``{i, j}`` is scored by symxai's
  subgraph relevance ``v({i, j})`` and by every graph peer (PyG ``GNNExplainer``,
  ``PGExplainer`` fitted on ``--pg-train`` random Mutagenicity molecules, Captum
  Integrated Gradients / Saliency / Input x Gradient, autograd gradient x input,
  random). Pooled ROC AUC over all bonds, mean per-molecule AUC, CPU s per molecule.
* **BA-2motif** (house vs 5-cycle on Barabási–Albert graphs, shipped GIN, the logit
  difference true class - other class): the 100 test graphs, the motif's nodes and its
  edges as ground truth, the same methods (PGExplainer fitted on ``--pg-train``
  training graphs). ``ba2motif_symxai_auc`` is the mean per-graph AUC of symxai's node
  relevance ``R_i`` against the motif's nodes (the best peer on the same nodes beside
  it); ``ba2motif_symxai_edge_auc`` that of GNN-LRP's edge relevance (the walks
  crossing an edge, ``symxai-walks``) against the motif's edges, and the row
  ``symxai`` scores edges by ``v({i, j})``. The sGNN-LRP paper reports GNN-LRP's mean
  AUC 0.993 on the original BA-2motif.
* **Perturbation curves** on text (the first ``--sentences`` Rotten Tomatoes sentences
  of at most ``--words`` words, the fine-tuned MiniLM; words replaced by ``[MASK]``),
  molecules (the first ``--molecules`` Mutagenicity molecules; atoms removed with their
  bonds), faces (``--faces`` images; patches set to 0), each explaining the class the
  model decides (``target="decision"``); structures (``--frames`` malondialdehyde
  frames, the energy) and cell graphs (``--cells`` cores of the small synthetic cohort,
  the log hazard; greedy in steps of 5 % of the cells): deletion and insertion areas of
  the normalised output for the random, first-order (LRP ``R_i``), occlusion, Shapley
  (exact from the walk dividends on molecules; shapiq KernelSHAP as a peer on text) and
  symbolic greedy orderings. Deletion: lower is better; insertion: higher.
  ``*_greedy_perturbation_*``: the greedy ordering of the perturbation explainer's own
  set function, which is the removal function itself (the greedy optimum of the
  measured curve, at ``n (n + 1)`` model calls), beside the greedy ordering of the LRP
  set function ``v`` (``*_greedy_*``).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from typing import Any

import numpy as np
import torch

from symxai.evaluation import evaluate_inputs

GRAPH_PEERS = (
    "gnnexplainer",
    "pgexplainer",
    "integrated-gradients",
    "saliency",
    "input-x-gradient",
    "gradient-x-input",
    "random",
)


def _round(value: Any, digits: int = 4) -> Any:
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else round(float(value), digits)
    return value


def ground_truth_figures(result: Any, part: str) -> dict[str, dict[str, Any]]:
    """Per method: pooled and mean AUROC of ``part`` (``pairs`` or ``features``), AP,
    top-k and CPU seconds per input."""
    summary = result.method_summary()
    figures = {}
    for method, row in summary.iterrows():
        figures[str(method)] = {
            "pooled_auc": _round(row.get(f"{part}_pooled_auroc", np.nan)),
            "mean_auc": _round(row.get(f"{part}_mean_auroc", np.nan)),
            "average_precision": _round(row.get(f"{part}_average_precision", np.nan)),
            "top_k": _round(row.get(f"{part}_top_k", np.nan)),
            "seconds_per_input": _round(row["seconds_per_input"], 5),
            "inputs": int(row["inputs"]),
        }
    return figures


def best_peer(figures: dict[str, dict[str, Any]], key: str) -> tuple[str, float]:
    peers = {
        name: f[key]
        for name, f in figures.items()
        if not name.startswith("symxai") and name != "random" and f[key] is not None
    }
    name = max(peers, key=peers.__getitem__)
    return name, peers[name]


def mutagenicity(sample: int, pg_train: int) -> dict[str, Any]:
    from symxai.domains.molecules import MUTAGEN, load_molecules

    molecules = load_molecules("Mutagenicity")
    carriers = [
        str(m.index)
        for m in molecules
        if m.label == MUTAGEN and m.edge_ground_truth is not None and m.edge_ground_truth.any()
    ]
    rng = np.random.default_rng(0)
    chosen = sorted(rng.choice(len(carriers), min(sample, len(carriers)), replace=False))
    training = np.random.default_rng(1).choice(len(molecules), pg_train, replace=False)
    start = time.perf_counter()
    result = evaluate_inputs(
        "molecules",
        "Mutagenicity",
        inputs=[carriers[i] for i in chosen],
        orderings=(),
        peers=GRAPH_PEERS,
        fit_inputs=[molecules[i].to_data() for i in training],
    )
    figures = ground_truth_figures(result, "pairs")
    name, auc = best_peer(figures, "pooled_auc")
    return {
        "mutagenicity_symxai_auc": figures["symxai"]["pooled_auc"],
        "mutagenicity_best_peer": name,
        "mutagenicity_best_peer_auc": auc,
        "mutagenicity": {
            "molecules": len(chosen),
            "carriers": len(carriers),
            "methods": figures,
            "errors": len(result.errors),
            "notes": result.settings["notes"],
            "wall_s": round(time.perf_counter() - start, 1),
        },
    }


def ba2motif(pg_train: int) -> dict[str, Any]:
    from symxai.data.motifs import seeded_split
    from symxai.domains.registry import get_domain

    domain = get_domain("graphs")
    records = domain.load_inputs("ba-2motif")
    split = seeded_split(len(records))
    test = [records[i].id for i in split["test"]]
    train = [domain.load_input("ba-2motif", records[i]) for i in split["train"][:pg_train]]
    start = time.perf_counter()
    result = evaluate_inputs(
        "graphs",
        "ba-2motif",
        inputs=test,
        orderings=(),
        peers=GRAPH_PEERS,
        fit_inputs=train,
        symxai_pair_scores=("subgraph", "walks"),
    )
    nodes = ground_truth_figures(result, "features")
    edges = ground_truth_figures(result, "pairs")
    node_peer, node_auc = best_peer(nodes, "mean_auc")
    edge_peer, edge_auc = best_peer(edges, "mean_auc")
    return {
        "ba2motif_symxai_auc": nodes["symxai"]["mean_auc"],
        "ba2motif_best_peer": node_peer,
        "ba2motif_best_peer_auc": node_auc,
        "ba2motif_symxai_edge_auc": edges["symxai-walks"]["mean_auc"],
        "ba2motif_best_peer_edge": edge_peer,
        "ba2motif_best_peer_edge_auc": edge_auc,
        "ba2motif": {
            "graphs": len(test),
            "node_auc": nodes,
            "edge_auc": edges,
            "published_gnn_lrp_mean_auc": 0.993,
            "errors": len(result.errors),
            "notes": result.settings["notes"],
            "wall_s": round(time.perf_counter() - start, 1),
        },
    }


def short_sentences(count: int, words: int) -> list[str]:
    """Ids of the first ``count`` Rotten Tomatoes sentences of at most ``words`` words
    (the greedy ordering on the LRP set function costs ``n (n + 1)`` BERT passes)."""
    from symxai.domains.registry import get_domain

    records = get_domain("text").load_inputs("rotten-tomatoes")
    return [r.id for r in records if len(r.text.split()) <= words][:count]


def curves(domain: str, data: str, count: int | list[str], **options: Any) -> dict[str, Any]:
    """Mean deletion/insertion areas per ordering on the first ``count`` inputs (or the
    inputs named)."""
    start = time.perf_counter()
    chosen = {"inputs": count} if isinstance(count, list) else {"limit": count}
    result = evaluate_inputs(domain, data, **chosen, **options)
    areas = result.mean_areas()
    seconds = result.table.groupby("ordering", sort=False)["seconds"].mean()
    return {
        "inputs": int(result.table["input"].nunique()),
        "deletion": {o: _round(areas.loc[o, "deletion"]) for o in areas.index},
        "insertion": {o: _round(areas.loc[o, "insertion"]) for o in areas.index},
        "ordering_seconds_per_input": {o: _round(float(s), 4) for o, s in seconds.items()},
        "peers": {
            str(m): {
                "deletion": _round(row["deletion_area"]),
                "insertion": _round(row["insertion_area"]),
                "seconds_per_input": _round(row["seconds_per_input"], 4),
            }
            for m, row in result.method_summary().iterrows()
            if m != "symxai"
        },
        "errors": len(result.errors),
        "wall_s": round(time.perf_counter() - start, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutagenicity", type=int, default=300, help="NO2/NH2 carriers")
    parser.add_argument("--pg-train", type=int, default=300, help="PGExplainer training set")
    parser.add_argument("--sentences", type=int, default=10)
    parser.add_argument("--words", type=int, default=16, help="longest sentence, in words")
    parser.add_argument("--molecules", type=int, default=50)
    parser.add_argument("--faces", type=int, default=10)
    parser.add_argument("--frames", type=int, default=5)
    parser.add_argument("--cells", type=int, default=3)
    arguments = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    out: dict[str, Any] = {}
    out.update(mutagenicity(arguments.mutagenicity, arguments.pg_train))
    out.update(ba2motif(arguments.pg_train))
    everywhere = ("random", "first-order", "occlusion", "greedy")
    decided = {"target": "decision"}
    text = curves(
        "text",
        "rotten-tomatoes",
        short_sentences(arguments.sentences, arguments.words),
        orderings=everywhere,
        peers=("shapley",),
        **decided,
    )
    molecules = curves(
        "molecules",
        "Mutagenicity",
        arguments.molecules,
        orderings=(*everywhere, "shapley"),
        **decided,
    )
    # the greedy ordering of the perturbation explainer's own set function, which is the
    # removal function itself: the greedy optimum the curves measure (n (n + 1) model calls)
    text_oracle = curves(
        "text",
        "rotten-tomatoes",
        short_sentences(arguments.sentences, arguments.words),
        orderings=("greedy",),
        backend="perturbation",
        **decided,
    )
    molecules_oracle = curves(
        "molecules",
        "Mutagenicity",
        arguments.molecules,
        orderings=("greedy",),
        backend="perturbation",
        **decided,
    )
    faces = curves("faces", "lfw-subset", arguments.faces, orderings=everywhere, **decided)
    structures = curves("structures", "malondialdehyde", arguments.frames, orderings=everywhere)
    cells = curves(
        "cells", "synthetic-luad-small", arguments.cells, orderings=everywhere, greedy_step=0.05
    )
    for name, figures, oracle in (
        ("text", text, text_oracle),
        ("molecules", molecules, molecules_oracle),
    ):
        out[f"deletion_area_greedy_{name}"] = figures["deletion"]["greedy"]
        out[f"deletion_area_first_order_{name}"] = figures["deletion"]["first-order"]
        out[f"deletion_area_random_{name}"] = figures["deletion"]["random"]
        out[f"deletion_area_greedy_perturbation_{name}"] = oracle["deletion"]["greedy"]
        out[f"insertion_area_greedy_{name}"] = figures["insertion"]["greedy"]
        out[f"insertion_area_first_order_{name}"] = figures["insertion"]["first-order"]
        out[f"insertion_area_greedy_perturbation_{name}"] = oracle["insertion"]["greedy"]
    out["curves"] = {
        "text": text,
        "molecules": molecules,
        "faces": faces,
        "structures": structures,
        "cells": cells,
    }
    out["seconds_per_input"] = {
        f"{data}_{method}": figures["seconds_per_input"]
        for data, block in (
            ("mutagenicity", out["mutagenicity"]["methods"]),
            ("ba2motif", out["ba2motif"]["edge_auc"]),
        )
        for method, figures in block.items()
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()

"""``symxai demo`` (what ``make demo`` runs): why does the GIN call molecules mutagenic?

Part one loads the GIN shipped with symxai (3 GINConv layers, hidden 64, trained on the
4,337 Mutagenicity molecules by ``examples/train_mutagenicity_gin.py``), picks a
nitroaromatic mutagen, explains the mutagen-vs-nonmutagen logit difference with
GNN-LRP and asks logical queries about it: the nitro group, nitrogen together with
oxygen, the nitro group together with the benzene ring. It prints the answers, the
most relevant walks and Harsanyi dividends, searches for the queries that explain the
molecule best, and writes a molecule drawing coloured by relevance, a chart of the top
dividends and a JSON summary to ``symxai-output/``.

Part two is a batch report (:func:`symxai.report.run_report`): the same kind of queries
on every Mutagenicity molecule, written as a tidy table and an HTML page to
``symxai-output/report/``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from symxai.domains.molecules import (
    MUTAGEN,
    Molecule,
    explain_molecule,
    load_molecules,
    load_mutagenicity_gin,
)
from symxai.domains.molecules.drawing import draw_molecule, plot_top_contributions

NITRO = 'smarts"[N+](=O)[O-]"'
BENZENE = 'smarts"c1ccccc1"'
QUERIES = [
    NITRO,
    "N & O",
    f"{NITRO} & {BENZENE}",
    f"{BENZENE} & ~{NITRO}",
    f"{NITRO} | {BENZENE}",
    "H",
]


REPORT_QUERIES = """\
# The queries of the batch report part of the demo (a query file, see symxai.report).
nitro: smarts"[N+](=O)[O-]"
nitro_aromatic: smarts"[N+](=O)[O-]" & smarts"c1ccccc1"
amine: smarts"[NX3;H2]"
N_and_O: N & O
halogen: Cl | Br | I
aromatic_only: smarts"c1ccccc1" & ~N & ~O
"""


def confident_mutagen(model: torch.nn.Module, molecule: Molecule, margin: float = 2.0) -> bool:
    """The model predicts *mutagen* with a logit margin of at least ``margin``."""
    data = molecule.to_data()
    with torch.no_grad():
        logits = model(data.x, data.edge_index)[0]
    return bool(logits[MUTAGEN] - logits[1 - MUTAGEN] >= margin)


def explain_one(output: Path) -> None:
    """Part one: one molecule, its queries, walks, dividends and query search."""
    trained = load_mutagenicity_gin()
    print(
        "GIN (3 x GINConv, hidden 64) on Mutagenicity: test accuracy "
        f"{trained.metrics['test_accuracy']:.2f}"
    )
    molecule = next(
        m
        for m in load_molecules("Mutagenicity")
        if m.label == MUTAGEN
        and m.num_atoms <= 24
        and m.match_smarts("[O-][N+](=O)c1ccccc1")
        and confident_mutagen(trained.model, m)
    )
    explanation = explain_molecule(molecule, trained.model, missing="absent")
    print(f"\nmolecule #{molecule.index}: {molecule.smiles} ({molecule.num_atoms} atoms with H)")
    print(
        f"f_mutagen - f_nonmutagen = {explanation.prediction:+.3f}; GNN-LRP conserves "
        f"v(all atoms) = {explanation.value():+.3f} (biases absorb the rest)"
    )
    relevances = explanation.relevances(QUERIES)
    print("\nquery relevance")
    for query, value in relevances.items():
        print(f"  {query:<48} {value:+.3f}")
    walks = explanation.walks()
    print(f"\ntop relevant walks (of {len(walks)})")
    for _, row in walks.top(5).iterrows():
        print(f"  {row['names']:<28} {row['relevance']:+.3f}")
    decomposition = walks.decomposition()
    top = decomposition.top(8)
    print("\nstrongest Harsanyi dividends (exact, from walks)")
    for _, row in top.iterrows():
        print(f"  {row['names']:<28} {row['dividend']:+.3f}")

    output.mkdir(parents=True, exist_ok=True)
    node_relevance = explanation.feature_relevance()
    drawing = draw_molecule(
        molecule,
        node_relevance,
        output / "demo_molecule.png",
        legend=f"#{molecule.index}: GNN-LRP node relevance (red: mutagenic)",
        hide_hydrogens=True,
    )
    chart = plot_top_contributions(
        top,
        output / "demo_dividends.png",
        title=f"Top Harsanyi dividends, molecule #{molecule.index}",
    )
    summary = {
        "molecule": molecule.index,
        "smiles": molecule.smiles,
        "prediction": explanation.prediction,
        "value_all_atoms": explanation.value(),
        "relevance": relevances.to_dict(),
        "node_relevance": dict(zip(explanation.space.names, node_relevance.tolist(), strict=True)),
        "top_walks": walks.top(5)[["names", "relevance"]].to_dict("records"),
        "top_dividends": top[["names", "dividend"]].to_dict("records"),
        "walks_sum": float(np.sum(walks.relevance)),
    }
    search = explanation.search(["C", "N", "O", "H"], by="correlation", top=5)
    print("\nbest queries by correlation with the dividends (query search)")
    for _, row in search.top(5).iterrows():
        print(f"  {row['query']:<28} {row['score']:+.3f}")
    summary["search"] = search.top(5)[["query", "score"]].to_dict("records")
    (output / "demo.json").write_text(json.dumps(summary, indent=2))
    print(f"\nwrote {drawing}, {chart} and {output / 'demo.json'}")


def batch_report(output: Path, limit: int | None = None) -> Path:
    """Part two: :data:`REPORT_QUERIES` on every Mutagenicity molecule (or the first
    ``limit``), tidy table and HTML page in ``output``; returns the HTML path."""
    from symxai.report import ReportSpec, parse_query_lines, run_report

    spec = ReportSpec(
        domain="molecules",
        data="Mutagenicity",
        queries=parse_query_lines(REPORT_QUERIES, "symxai demo"),
        output=output,
        limit=limit,
        title="symxai demo: what the Mutagenicity GIN finds in every molecule",
        source="symxai demo",
    )
    print(f"\nbatch report: {len(spec.queries)} queries on Mutagenicity (GNN-LRP, harsanyi)")
    result = run_report(spec)
    table = result.table
    means = table.pivot_table(index="query", columns="label", values="relevance", aggfunc="mean")
    print("mean relevance per class (label 0 = mutagen, 1 = nonmutagen)")
    for name in [q.name for q in spec.queries]:
        row = means.loc[name]
        print(
            f"  {name:<14} mutagen {row.get(0, float('nan')):+.3f}   nonmutagen "
            f"{row.get(1, float('nan')):+.3f}"
        )
    print(
        f"{table['input'].nunique()} molecules in {result.seconds:.1f} s "
        f"({len(result.computed)} explained now); wrote {result.files['html']}"
    )
    return result.files["html"]


def run_demo(output: Path = Path("symxai-output"), limit: int | None = None) -> None:
    """Both parts; files go to ``output``."""
    explain_one(output)
    batch_report(output / "report", limit)

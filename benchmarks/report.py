"""Batch report and query search benchmark: one JSON line.

* ``mutagenicity_10q_s``: ``symxai report`` over all 4,337 Mutagenicity molecules x the
  10 queries of ``examples/mutagenicity_queries.txt`` (at most 3 atoms each) with the
  shipped GIN and GNN-LRP, default executor (local processes), tidy CSV and Parquet
  written; wall clock from the call to the finished tables, worker start-up included.
  ``mutagenicity_10q_serial_s``: the same in this process (all torch threads).
  ``inputs_per_s``: molecules per second of the default run.
* ``html_s``: the HTML page of that run (plots, 40 molecule drawings).
* ``dask_localcluster_inputs_per_s``: the same run on a Dask ``LocalCluster`` of 2
  worker processes x 1 thread (cluster started beforehand; worker imports included).
* ``resume_s``: re-running the finished report (nothing to explain, tables rewritten).
* ``search_candidates_per_s``: query search on one molecule's exact walk-based dividend
  table, 10 atoms, conjunctions of up to 3 literals plus disjunctions of two, scored by
  correlation (candidates scored per second, dedupe included), and
  ``search_dataset_s``: the median-score search over 500 molecules with 6 atoms.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from symxai.report import load_spec, run_report
from symxai.report.html import write_html

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "examples" / "mutagenicity.toml"


def timed_run(output: Path, **options: object) -> tuple[float, int, object]:
    spec = load_spec(SPEC, output=str(output), formats=["csv", "parquet"])
    start = time.perf_counter()
    result = run_report(spec, progress=False, **options)
    return time.perf_counter() - start, result.table["input"].nunique(), result


def search_figures() -> dict[str, float]:
    from symxai.domains.molecules import explain_molecule, load_molecules, load_mutagenicity_gin
    from symxai.search import search_over_inputs

    model = load_mutagenicity_gin().model
    molecules = load_molecules("Mutagenicity")
    molecule = next(m for m in molecules if m.num_atoms >= 30 and m.match_smarts("[N+](=O)[O-]"))
    explanation = explain_molecule(molecule, model, missing="absent")
    atoms = [
        "C",
        "N",
        "O",
        "H",
        'smarts"[N+](=O)[O-]"',
        'smarts"c1ccccc1"',
        'smarts"[NX3;H2]"',
        "Cl",
        "Br",
        "S",
    ]
    explanation.dividends()
    start = time.perf_counter()
    result = explanation.search(atoms, by="correlation", max_literals=3, disjunctions=True)
    seconds = time.perf_counter() - start
    six = atoms[:6]
    pairs = []
    for m in molecules[:500]:
        e = explain_molecule(m, model, missing="absent")
        sets = {}
        for atom in six:
            sets.update(e.resolve(atom, missing="absent"))
        pairs.append((e.dividends(), {str(a): s for a, s in sets.items()}))
    start = time.perf_counter()
    search_over_inputs(pairs, by="correlation", max_literals=3)
    dataset_seconds = time.perf_counter() - start
    return {
        "search_candidates": int(result.candidates),
        "search_s": round(seconds, 3),
        "search_candidates_per_s": round(result.candidates / seconds),
        "search_dataset_s": round(dataset_seconds, 3),
    }


def main() -> None:
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        seconds, inputs, result = timed_run(folder / "default")
        figures["mutagenicity_10q_s"] = round(seconds, 2)
        figures["inputs"] = inputs
        figures["inputs_per_s"] = round(inputs / seconds, 1)
        figures["failures"] = len(result.failures)
        start = time.perf_counter()
        write_html(result.task, result.table, result.failures, folder / "report.html", top=4)
        figures["html_s"] = round(time.perf_counter() - start, 2)
        start = time.perf_counter()
        timed_run(folder / "default")
        figures["resume_s"] = round(time.perf_counter() - start, 2)
        seconds, _, _ = timed_run(folder / "serial", executor="serial")
        figures["mutagenicity_10q_serial_s"] = round(seconds, 2)
        from distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            seconds, inputs, _ = timed_run(folder / "dask", scheduler=client)
        figures["dask_localcluster_s"] = round(seconds, 2)
        figures["dask_localcluster_inputs_per_s"] = round(inputs / seconds, 1)
    figures |= search_figures()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

"""Queries with many atoms on a large molecule: prints one JSON line of figures.

The closed form of a query over ``k`` atoms evaluates ``2^k`` coalitions. This takes
the first Mutagenicity molecule with 120 to 130 atoms (hydrogens included), explains
it with the shipped GIN and GNN-LRP, and times the harsanyi relevance of the
disjunction of its first ``k`` atom names for ``k = 8 .. 12`` (a fresh explanation per
``k``, so no value is cached), once with the memory-based number of molecule copies
per pass (the default) and once with the former fixed 512 copies.

The default route sends queries whose closed form needs more coalitions than the
molecule has walks to the exact walk dividends: ``k16_seconds_on_walks`` times a
16-atom query (65,536 coalitions in closed form, 173 s before) that way.

Figures: ``atoms``, ``copies_per_pass``, ``walks``, and per setting ``seconds``, ``cpu_seconds``
(process time, steadier on a shared machine) and ``coalitions_per_second`` by ``k``.
"""

from __future__ import annotations

import json
import logging
import time

from symxai.domains.molecules import explain_molecule, load_molecules, load_mutagenicity_gin

KS = range(8, 13)


def timings(molecule, model, batch_size: int | None) -> dict[str, dict[int, float]]:
    seconds, cpu_seconds, rates = {}, {}, {}
    for k in KS:
        explanation = explain_molecule(molecule, model, batch_size=batch_size)
        query = " | ".join(explanation.space.names[:k])
        start, cpu_start = time.perf_counter(), time.process_time()
        explanation.relevance(query)
        elapsed = time.perf_counter() - start
        seconds[k] = round(elapsed, 3)
        cpu_seconds[k] = round(time.process_time() - cpu_start, 3)
        rates[k] = round((1 << k) / elapsed, 1)
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "coalitions_per_second": rates}


def k16_on_walks(molecule, model) -> float:
    """A 16-atom query (65,536 coalitions in closed form) answered from the walks."""
    explanation = explain_molecule(molecule, model)
    start = time.perf_counter()
    explanation.relevance(" | ".join(explanation.space.names[:16]))
    return round(time.perf_counter() - start, 3)


def main() -> None:
    logging.getLogger("symxai").setLevel(logging.ERROR)
    molecule = next(m for m in load_molecules("Mutagenicity") if 120 <= m.num_atoms <= 130)
    model = load_mutagenicity_gin().model
    backend = explain_molecule(molecule, model).source
    figures = {
        "molecule": int(molecule.index),
        "atoms": molecule.num_atoms,
        "copies_per_pass": backend.batch_size,
        "by_memory": timings(molecule, model, None),
        "fixed_512_copies": timings(molecule, model, 512),
        "walks": backend.count_walks(),
        "k16_seconds_on_walks": k16_on_walks(molecule, model),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

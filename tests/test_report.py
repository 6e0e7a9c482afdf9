"""Batch reports: query files, specs, the batched molecule path, the resumable runner,
failures, executors (local processes, Dask LocalCluster) and the HTML page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from symxai import parse_query
from symxai.backends.gnn_lrp import GNNLRPBackend, subgraph_relevance_many
from symxai.domains.molecules import (
    DEFAULT_RULES,
    explain_molecule,
    load_molecules,
    molecule_from_smiles,
    molecule_relevances,
)
from symxai.report import (
    QueryFileError,
    ReportSpec,
    ResumeError,
    SpecError,
    load_spec,
    parse_query_lines,
    read_query_file,
    run_report,
)
from symxai.report.store import TABLE_COLUMNS

NITRO = 'smarts"[N+](=O)[O-]"'
QUERY_TEXT = f"""\
# Mutagenicity queries
nitro: {NITRO}          # the nitro group, a trailing comment
nitro_ring: {NITRO} & smarts"c1ccccc1"
N & O
halogen: Cl | Br | I
nitrile: smarts"C#N" | #0
"""


def spec_for(tmp_path: Path, **changes) -> ReportSpec:
    values = {
        "domain": "molecules",
        "data": "Mutagenicity",
        "queries": parse_query_lines(QUERY_TEXT, "queries.txt"),
        "output": tmp_path / "out",
        "limit": 40,
        "chunk_size": 10,
        "formats": ("csv", "parquet", "jsonl"),
    }
    return ReportSpec(**(values | changes))


# ------------------------------------------------------------------ query files
def test_query_file_names_comments_and_hash_atoms() -> None:
    queries = parse_query_lines(QUERY_TEXT, "queries.txt")
    assert [q.name for q in queries] == ["nitro", "nitro_ring", "N & O", "halogen", "nitrile"]
    assert queries[0].query == parse_query(NITRO)
    # '#' inside a quoted pattern is text, '#0' is an index atom, not comments
    assert queries[4].query == parse_query('smarts"C#N" | #0')
    assert [q.line for q in queries] == [2, 3, 4, 5, 6]


def test_query_file_bad_line_reports_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "queries.txt"
    path.write_text("# fine\nnitro: N & O\nbad:  N & & O\nlast: C\n")
    with pytest.raises(QueryFileError) as caught:
        read_query_file(path)
    error = caught.value
    assert (error.line, error.column) == (3, 11)
    text = str(error)
    assert f"{path}, line 3, column 11" in text
    line, caret = text.splitlines()[-2:]
    assert line.strip() == "bad:  N & & O"
    assert caret.index("^") == line.index("& O")


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("a: N\na: O\n", 2, "used twice"),
        ("N\nname:   \n", 2, "no query"),
        ("# only comments\n\n", 1, "no queries"),
    ],
)
def test_query_file_structure_errors(text: str, line: int, reason: str) -> None:
    with pytest.raises(QueryFileError, match=reason) as caught:
        parse_query_lines(text, "q.txt")
    assert caught.value.line == line


def test_missing_query_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.txt"):
        read_query_file(tmp_path / "nope.txt")


# ------------------------------------------------------------------------ specs
def test_toml_and_yaml_specs_agree(tmp_path: Path) -> None:
    (tmp_path / "q.txt").write_text(QUERY_TEXT)
    (tmp_path / "s.toml").write_text(
        'domain = "molecules"\ndata = "MUTAG"\nqueries = "q.txt"\ntarget = [0, 1]\n'
        'output = "out"\nlimit = 7\n'
    )
    (tmp_path / "s.yaml").write_text(
        "domain: molecules\ndata: MUTAG\nqueries: q.txt\ntarget: [0, 1]\noutput: out\nlimit: 7\n"
    )
    toml, yaml = load_spec(tmp_path / "s.toml"), load_spec(tmp_path / "s.yaml")
    assert toml.describe() == yaml.describe()
    assert toml.target == (0, 1) and toml.output == (tmp_path / "out").resolve()
    assert [q.name for q in toml.queries][:2] == ["nitro", "nitro_ring"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('queries = ["N"]\nlimt = 3\n', "unknown key 'limt'; did you mean 'limit'"),
        ('queries = ["N"]\nlimit = "ten"\n', "key 'limit' must be int"),
        ('queries = ["N"]\nmode = "banzhaf"\n', "mode 'banzhaf'"),
        ('queries = ["N"]\ndomain = "galaxies"\n', "domain 'galaxies'"),
        ("limit = 3\n", "no queries"),
        ('queries = ["N & & O"]\n', "column 5"),
        ("queries = [\n", "not valid TOML"),
    ],
)
def test_bad_specs_name_the_key(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "spec.toml"
    path.write_text(body)
    with pytest.raises((SpecError, QueryFileError), match=re.escape(message)):
        load_spec(path)


# ----------------------------------------------------------- batched molecules
def test_many_graphs_in_one_pass_equal_one_backend_per_graph(gin) -> None:
    molecules = load_molecules("Mutagenicity")[:12]
    rng = np.random.default_rng(0)
    graphs = [m.to_data() for m in molecules]
    masks = [rng.random((int(rng.integers(1, 9)), m.num_atoms)) < 0.6 for m in molecules]
    many = subgraph_relevance_many(
        gin, graphs, masks, target=(0, 1), rules=DEFAULT_RULES, max_nodes=700
    )
    for graph, mask, values in zip(graphs, masks, many, strict=True):
        backend = GNNLRPBackend(gin, graph, target=(0, 1), rules=DEFAULT_RULES)
        np.testing.assert_allclose(values, backend(mask), rtol=1e-5, atol=1e-6)


def test_molecule_relevances_equal_single_explanations(gin) -> None:
    extra = molecule_from_smiles("O=[N+]([O-])c1ccccc1Cl")
    molecules = [*load_molecules("Mutagenicity")[:15], extra]
    queries = [q.query for q in parse_query_lines(QUERY_TEXT)]
    batch = molecule_relevances(molecules, queries, gin)
    assert not batch.errors
    for row, molecule in enumerate(molecules):
        explanation = explain_molecule(molecule, gin, missing="absent")
        expected = explanation.relevances(queries).to_numpy()
        np.testing.assert_allclose(batch.relevance[row], expected, rtol=1e-5, atol=1e-6)
        assert batch.prediction[row] == pytest.approx(explanation.prediction, rel=1e-5)


# ---------------------------------------------------------------------- runner
def test_report_rows_match_the_api_and_tables_agree(tmp_path: Path, gin) -> None:
    spec = spec_for(tmp_path, limit=12, chunk_size=5)
    result = run_report(spec, executor="serial", progress=False)
    table = result.table
    assert list(table.columns) == list(TABLE_COLUMNS)
    assert len(table) == 12 * len(spec.queries) and not table.duplicated(["input", "query"]).any()
    molecules = load_molecules("Mutagenicity")
    for input_id in ("0", "7", "11"):
        explanation = explain_molecule(molecules[int(input_id)], gin, missing="absent")
        expected = explanation.relevances([q.query for q in spec.queries]).to_numpy()
        rows = table[table["input"] == input_id]
        np.testing.assert_allclose(rows["relevance"], expected, rtol=1e-5, atol=1e-6)
        assert (rows["label"] == molecules[int(input_id)].label).all()
    csv = pd.read_csv(result.files["csv"], dtype={"input": str})
    parquet = pd.read_parquet(result.files["parquet"])
    jsonl = pd.read_json(result.files["jsonl"], lines=True, dtype={"input": str})
    for frame in (csv, parquet, jsonl):
        np.testing.assert_allclose(frame["relevance"], table["relevance"])
        assert list(frame["input"].astype(str)) == list(table["input"])


def test_interrupted_report_resumes_without_recomputing_or_duplicates(tmp_path: Path) -> None:
    spec = spec_for(tmp_path)

    def interrupt_after_two(chunk: list[str], _result: object) -> None:
        if len(seen) == 1:
            raise KeyboardInterrupt
        seen.append(chunk)

    seen: list[list[str]] = []
    with pytest.raises(KeyboardInterrupt):
        run_report(spec, executor="serial", progress=False, on_chunk=interrupt_after_two)
    journal = (spec.output / "rows.jsonl").read_text().splitlines()
    assert len(journal) == 20 * len(spec.queries)  # two finished chunks of 10 inputs
    # a line cut off mid-write by the interruption is dropped on resume
    with (spec.output / "rows.jsonl").open("a") as handle:
        handle.write('{"input": "39", "query": "nitro", "relev')
    resumed = run_report(spec, executor="serial", progress=False)
    finished = {row["input"] for row in map(json.loads, journal)}
    assert resumed.skipped == 20 and set(resumed.computed).isdisjoint(finished)
    assert sorted(resumed.computed, key=int) == [str(i) for i in range(20, 40)]
    fresh = run_report(spec_for(tmp_path / "fresh"), executor="serial", progress=False)
    assert not resumed.table.duplicated(["input", "query"]).any()
    pd.testing.assert_frame_equal(resumed.table, fresh.table)
    again = run_report(spec, executor="serial", progress=False)
    assert again.computed == [] and again.skipped == 40
    pd.testing.assert_frame_equal(again.table, fresh.table)


def test_resuming_with_another_model_setting_is_refused(tmp_path: Path) -> None:
    run_report(spec_for(tmp_path, limit=3), executor="serial", progress=False)
    with pytest.raises(ResumeError, match="--overwrite"):
        run_report(spec_for(tmp_path, limit=3, target=0), executor="serial", progress=False)
    redone = run_report(
        spec_for(tmp_path, limit=3, target=0), executor="serial", progress=False, overwrite=True
    )
    assert len(redone.computed) == 3


def test_failing_inputs_are_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    data = tmp_path / "molecules.smi"
    data.write_text(
        "O=[N+]([O-])c1ccccc1 nitrobenzene 0\nC1CC broken\n[Se]CC selenium\nNc1ccccc1 aniline 1\n"
    )
    spec = spec_for(tmp_path, data=str(data), limit=None, formats=("csv", "html"))
    result = run_report(spec, executor="serial", progress=False)
    assert sorted(result.table["input"].unique()) == ["aniline", "nitrobenzene"]
    failures = result.failures.set_index("input")["error"]
    assert set(failures.index) == {"broken", "selenium"}
    assert "unclosed ring" in failures["broken"] and "Se" in failures["selenium"]
    assert pd.read_csv(result.files["failures"])["input"].tolist() == ["broken", "selenium"]
    html = result.files["html"].read_text()
    assert "Failed inputs" in html and "unclosed ring" in html


def test_local_processes_give_the_serial_table(tmp_path: Path) -> None:
    serial = run_report(spec_for(tmp_path / "a", limit=24, chunk_size=6), executor="serial")
    pooled = run_report(
        spec_for(tmp_path / "b", limit=24, chunk_size=6), executor="processes", workers=2
    )
    pd.testing.assert_frame_equal(serial.table, pooled.table, rtol=1e-6)


@pytest.mark.parametrize(
    "start_method",
    # Forked workers inherit the imported libraries (about 3 s); spawned ones import
    # torch, RDKit and symxai afresh, as on a remote cluster (about 45 s).
    ["fork", pytest.param("spawn", marks=pytest.mark.slow)],
)
def test_dask_local_cluster_gives_the_serial_table(tmp_path: Path, start_method: str) -> None:
    distributed = pytest.importorskip("distributed")
    import dask

    serial = run_report(spec_for(tmp_path / "a", limit=24, chunk_size=6), executor="serial")
    with (
        dask.config.set({"distributed.worker.multiprocessing-method": start_method}),
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = run_report(spec_for(tmp_path / "b", limit=24, chunk_size=6), scheduler=client)
        workers = {worker for worker in client.scheduler_info()["workers"]}
    assert len(workers) == 2
    pd.testing.assert_frame_equal(serial.table, remote.table, rtol=1e-6)


# ------------------------------------------------------------------------- HTML
def test_html_is_self_contained_and_escapes_input_text(tmp_path: Path) -> None:
    sentences = tmp_path / "sentences.txt"
    hostile = '<script>alert("owned")</script> a truly great film'
    sentences.write_text(f"{hostile}\nnot good at all\n")
    spec = ReportSpec(
        domain="text",
        data=str(sentences),
        model="tiny-bert",
        queries=parse_query_lines('"great"\nnegation: "not" & "good"\n'),
        output=tmp_path / "text",
        formats=("csv", "html"),
    )
    result = run_report(spec, executor="serial", progress=False)
    assert len(result.table) == 4 and result.failures.empty
    html = result.files["html"].read_text()
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt; a truly great film" in html
    # pictures and plots are embedded, nothing is fetched
    assert re.findall(r'src="([^"]+)"', html) and all(
        src.startswith("data:image/svg+xml;base64,") for src in re.findall(r'src="([^"]+)"', html)
    )
    assert "http://" not in html and "https://" not in html

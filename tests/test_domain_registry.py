"""The domain registry: a toy domain registered in this file only (strings of bits
explained by a small real torch model under the perturbation backend) is usable from a
report spec, ``symxai query`` and ``symxai domains``; unknown names and duplicate
registrations are clear errors; installed packages register through entry points."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch
from typer.testing import CliRunner

import symxai
from symxai.cli import app
from symxai.domains import registry
from symxai.domains.registry import (
    Domain,
    DomainError,
    InputRecord,
    UnknownDomainError,
    available_domains,
    get_domain,
    register_domain,
    unregister_domain,
)
from symxai.explanation import Explanation
from symxai.features import FeatureSpace
from symxai.report.spec import SpecError, spec_from_mapping

BITS = 6
SHIPPED = ("101100", "011011", "111000", "000111", "100001")
QUERIES = ["b0 & b2", "b1 | ~b3", "b4 & ~b5", "b0"]
runner = CliRunner()


@cache
def toy_model() -> torch.nn.Module:
    """A small real MLP on bits encoded as -1/+1 (fixed seed)."""
    torch.manual_seed(7)
    model = torch.nn.Sequential(
        torch.nn.Linear(BITS, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2)
    ).double()
    return model.eval()


@dataclass
class Bits:
    """A bit string prepared for ``symxai.explain``: bit ``i`` is feature ``b{i}``; a
    removed bit is 0, halfway between its two values."""

    text: str

    def __post_init__(self) -> None:
        if len(self.text) != BITS or set(self.text) - {"0", "1"}:
            raise ValueError(f"{self.text!r} is not a string of {BITS} bits")

    def model_input(self) -> torch.Tensor:
        return torch.tensor([1.0 if bit == "1" else -1.0 for bit in self.text], dtype=torch.float64)

    def feature_space(self) -> FeatureSpace:
        return FeatureSpace.indexed(BITS, prefix="b")

    def backend_options(self, backend: str) -> dict[str, Any]:
        return {"target": (1, 0)}


class ToyDomain(Domain):
    name = "toy"
    description = "Bit strings explained by a small MLP; bits are the features."
    default_data = "toy-bits"
    datasets = ("toy-bits",)
    models = ("toy-mlp",)
    backends = ("perturbation",)

    def load_inputs(self, data: str) -> list[InputRecord]:
        if data == "toy-bits":
            lines = list(SHIPPED)
        elif Path(data).is_file():
            lines = Path(data).read_text().split()
        else:
            raise DomainError(f"toy data {data!r} is neither toy-bits nor a file")
        return [InputRecord(str(i), line.count("1") % 2, line) for i, line in enumerate(lines)]

    def class_names(self, data: str) -> dict[Any, str]:
        return {0: "even", 1: "odd"}

    def prepare(self, text: str) -> Bits:
        return Bits(text.strip())

    def load_model(self, name_or_path: str) -> torch.nn.Module:
        if name_or_path != "toy-mlp":
            raise DomainError(f"model {name_or_path!r} is not a toy model")
        return toy_model()

    def output_count(self, model: Any) -> int:
        return 2

    def output_names(self, model: str) -> dict[int, str]:
        return {0: "zero", 1: "one"}

    def default_target(self) -> tuple[str, Any]:
        return "one-vs-zero", (1, 0)

    def explain(
        self,
        inputs: Any,
        model: Any,
        *,
        backend: str,
        target: Any,
        missing: str,
        perturbation: str | None = None,
    ) -> Explanation:
        return symxai.explain(model, inputs, backend, target=target, missing=missing)

    def check_atom(self, atom: Any) -> tuple[str, list[str]] | None:
        names = [f"b{i}" for i in range(BITS)]
        if atom.kind == "name" and str(atom.value) not in names:
            return f"{atom} is not a bit (b0 .. b{BITS - 1})", names[:1]
        return None

    def feature_relevance(self, explanation: Explanation) -> np.ndarray:
        return explanation.relevances([f"#{i}" for i in range(explanation.n)]).to_numpy()

    def draw(self, explanation: Explanation, path: Path, legend: str) -> Path:
        cells = "".join(
            f'<rect x="{20 * i}" y="0" width="18" height="18" '
            f'fill="{"red" if value > 0 else "blue"}"/>'
            for i, value in enumerate(self.feature_relevance(explanation))
        )
        path.write_text(f'<svg xmlns="http://www.w3.org/2000/svg">{cells}</svg>')
        return path


class PluginToyDomain(ToyDomain):
    """The toy domain as an installed package would provide it (entry point)."""

    name = "toy-plugin"


@pytest.fixture(autouse=True)
def toy() -> Iterator[Domain]:
    domain = register_domain(ToyDomain)
    yield domain
    unregister_domain("toy")


def expected_relevances(text: str, queries: list[str]) -> np.ndarray:
    explanation = symxai.explain(toy_model(), Bits(text), "perturbation", missing="absent")
    return explanation.relevances(queries).to_numpy()


# ---------------------------------------------------------------------- registry
def test_the_toy_domain_is_listed_after_the_built_in_ones(toy: Domain) -> None:
    assert available_domains()[:2] == ["molecules", "text"]
    assert "toy" in available_domains() and get_domain("toy") is toy
    assert get_domain("molecules").backends[0] == "gnn-lrp"
    assert get_domain("text").default_data == "rotten-tomatoes"


def test_an_unknown_domain_names_the_registered_ones_and_close_matches() -> None:
    with pytest.raises(UnknownDomainError) as raised:
        get_domain("toi")
    message = str(raised.value)
    assert "domain 'toi' is not one of molecules, text" in message and "toy" in message
    assert "did you mean 'toy'?" in message
    with pytest.raises(SpecError, match=r"<spec>: domain 'galaxies' is not one of molecules, text"):
        spec_from_mapping({"domain": "galaxies", "queries": ["b0"]})
    result = runner.invoke(app, ["query", "101100", "b0", "--domain", "txt"])
    assert result.exit_code == 2
    assert "domain 'txt' is not one of" in result.stderr and "did you mean 'text'" in result.stderr


def test_a_duplicate_name_is_refused_unless_replace_is_given(toy: Domain) -> None:
    with pytest.raises(DomainError, match="a domain named 'toy' is already registered"):
        register_domain(ToyDomain())
    with pytest.raises(DomainError, match="a domain named 'molecules' is already registered"):
        register_domain(type("Molecules", (ToyDomain,), {"name": "molecules"}))
    replacement = register_domain(ToyDomain, replace=True)
    assert get_domain("toy") is replacement is not toy
    with pytest.raises(DomainError, match=r"is not a symxai\.domains\.registry\.Domain"):
        register_domain(object(), replace=True)  # type: ignore[arg-type]


def test_an_installed_package_registers_through_the_entry_point_group(monkeypatch) -> None:
    entry = metadata.EntryPoint(
        name="toy-plugin",
        value=f"{__name__}:PluginToyDomain",
        group=registry.ENTRY_POINT_GROUP,
    )
    found = metadata.entry_points

    def entry_points(**selection: Any) -> Any:
        if selection.get("group") == registry.ENTRY_POINT_GROUP:
            return [entry]
        return found(**selection)

    monkeypatch.setattr(registry.metadata, "entry_points", entry_points)
    try:
        assert "toy-plugin" in available_domains()
        assert isinstance(get_domain("toy-plugin"), PluginToyDomain)
        result = runner.invoke(app, ["query", "111000", "b0 & b2", "--domain", "toy-plugin"])
        assert result.exit_code == 0, result.output
    finally:
        unregister_domain("toy-plugin")


# ---------------------------------------------------------------- command line
def test_query_on_the_toy_domain_equals_symxai_explain() -> None:
    args = ["query", "101100", *QUERIES, "--domain", "toy", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    relevance = [row["relevance"] for row in payload["relevance"]]
    assert relevance == pytest.approx(expected_relevances("101100", QUERIES), rel=1e-9)
    assert payload["backend"] == "perturbation"
    explanation = symxai.explain(toy_model(), Bits("101100"), "perturbation")
    assert payload["prediction"] == pytest.approx(explanation.prediction)


def test_query_reads_an_input_of_the_domains_data_set() -> None:
    result = runner.invoke(app, ["query", "toy-bits:2", "b0 & b2", "--domain", "toy", "--json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)["relevance"]
    assert row["relevance"] == pytest.approx(expected_relevances(SHIPPED[2], ["b0 & b2"])[0])
    missing = runner.invoke(app, ["query", "toy-bits:9", "b0", "--domain", "toy"])
    assert missing.exit_code == 2 and "toy-bits has no input '9'" in missing.stderr


def test_the_domain_checks_atoms_backends_and_perturbations() -> None:
    bad_atom = runner.invoke(app, ["query", "101100", "b0 & c1", "--domain", "toy"])
    assert bad_atom.exit_code == 2
    assert "c1 is not a bit (b0 .. b5); did you mean 'b0'?" in bad_atom.stderr
    backend = runner.invoke(app, ["query", "101100", "b0", "-d", "toy", "--backend", "gnn-lrp"])
    assert backend.exit_code == 2
    assert "backend 'gnn-lrp' is not available for toy; choose from perturbation" in backend.stderr
    with pytest.raises(
        SpecError, match="perturbation applies to molecules and graphs only, not to toy"
    ):
        spec_from_mapping({"domain": "toy", "queries": ["b0"], "perturbation": "remove"})


def test_symxai_domains_lists_data_models_and_backends() -> None:
    result = runner.invoke(app, ["domains"])
    assert result.exit_code == 0, result.output
    assert f"toy: {ToyDomain.description}" in result.stdout
    assert "molecules: " in result.stdout and "gnn-lrp, perturbation" in result.stdout
    rows = {
        row["domain"]: row for row in json.loads(runner.invoke(app, ["domains", "--json"]).stdout)
    }
    assert rows["toy"] == {
        "domain": "toy",
        "description": ToyDomain.description,
        "data": ["toy-bits"],
        "models": ["toy-mlp"],
        "backends": ["perturbation"],
        "perturbations": [],
    }
    assert rows["molecules"]["perturbations"] == ["remove", "baseline"]
    assert rows["text"]["backends"] == ["lrp", "perturbation"]


# ---------------------------------------------------------------------- report
def test_a_report_on_the_toy_domain_equals_symxai_explain(tmp_path: Path) -> None:
    data = tmp_path / "bits.txt"
    lines = ["110011", "001100", "10101", "011110"]  # the third is one bit short
    data.write_text("\n".join(lines) + "\n")
    spec = tmp_path / "toy.toml"
    spec.write_text(
        'title = "Toy bits"\ndomain = "toy"\ndata = "bits.txt"\n'
        f"queries = {json.dumps(QUERIES)}\n"
        'output = "out"\nformats = ["csv", "html"]\n'
    )
    result = runner.invoke(app, ["report", str(spec), "--executor", "serial"])
    assert result.exit_code == 0, result.output
    assert "3 inputs x 4 queries" in result.stdout and "1 failed" in result.stdout
    table = pd.read_csv(tmp_path / "out" / "relevance.csv", dtype={"input": str})
    assert list(table["input"].unique()) == ["0", "1", "3"]
    for input_id, rows in table.groupby("input"):
        text = lines[int(input_id)]
        assert list(rows["query"]) == QUERIES
        np.testing.assert_allclose(rows["relevance"], expected_relevances(text, QUERIES), rtol=1e-9)
        explanation = symxai.explain(toy_model(), Bits(text), "perturbation")
        assert rows["prediction"].iloc[0] == pytest.approx(explanation.prediction)
    failures = pd.read_csv(tmp_path / "out" / "failures.csv", dtype={"input": str})
    assert list(failures["input"]) == ["2"] and "not a string of 6 bits" in failures["error"][0]
    html = (tmp_path / "out" / "report.html").read_text()
    assert "Toy bits" in html and f"Domain toy: {ToyDomain.description}" in html
    assert "f(one) - f(zero)" in html and "data:image/svg+xml;base64," in html
    assert "class odd<" in html or "class even<" in html

"""The ``faces`` domain of the registry: lfw_subset crops and image files explained by the
shipped ViT, from ``symxai query`` and a report, equal to
:func:`~symxai.domains.vision.explain_face`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from symxai.cli import app
from symxai.domains.registry import DomainError, available_domains, get_domain
from symxai.domains.vision import FACE, NON_FACE, explain_face, faces_dataset

QUERIES = ["eyes & mouth", "eyes & ~mouth", "nose", "p7 | region:mouth"]
runner = CliRunner()


def image(index: int) -> np.ndarray:
    return faces_dataset().images[index, 0].numpy()


def expected(pixels: np.ndarray, backend: str) -> np.ndarray:
    return explain_face(pixels, backend=backend).relevances(QUERIES).to_numpy()


@pytest.fixture
def stack_file(tmp_path: Path) -> Path:
    path = tmp_path / "faces.npy"
    np.save(path, np.stack([image(i) for i in (3, 50, 150)]))
    return path


def test_the_domain_is_registered_with_its_data_model_and_backends() -> None:
    assert "faces" in available_domains()
    domain = get_domain("faces")
    assert domain.backends == ("lrp", "perturbation")
    assert domain.models == ("faces-vit",) and domain.default_data == "lfw-subset"
    assert domain.default_target() == ("face-vs-non-face", (FACE, NON_FACE))
    records = domain.load_inputs("lfw-subset")
    assert len(records) == 200 and records[0].text == "lfw-subset image 0 (face, train)"
    assert [record.label for record in records] == [FACE] * 100 + [NON_FACE] * 100
    assert domain.class_names("lfw-subset") == {FACE: "face", NON_FACE: "non-face"}
    with pytest.raises(DomainError, match=r"neither lfw-subset nor an image or \.npy file"):
        domain.load_inputs("faces.tiff")
    with pytest.raises(DomainError, match="loads only faces-vit"):
        domain.load_model("vit-base")


@pytest.mark.parametrize("backend", ["lrp", "perturbation"])
def test_the_adapter_equals_explain_face(face_vit, backend: str) -> None:
    domain = get_domain("faces")
    prepared = domain.prepare("lfw-subset:3")
    explanation = domain.explain(
        prepared,
        domain.load_model("faces-vit"),
        backend=backend,
        target=domain.default_target()[1],
        missing="error",
    )
    reference = explain_face(image(3), face_vit.model, backend=backend)
    assert explanation.prediction == pytest.approx(reference.prediction)
    np.testing.assert_allclose(
        explanation.relevances(QUERIES).to_numpy(), reference.relevances(QUERIES).to_numpy()
    )
    relevance = domain.feature_relevance(explanation)
    full = explanation.value()
    masks = ~np.eye(25, dtype=bool)
    np.testing.assert_allclose(relevance, full - explanation.values(masks), rtol=1e-6)


@pytest.mark.parametrize("backend", ["lrp", "perturbation"])
def test_query_on_a_shipped_image_equals_explain_face(backend: str) -> None:
    args = ["query", "lfw-subset:150", *QUERIES, "--domain", "faces", "--json"]
    result = runner.invoke(app, [*args, "--backend", backend])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    relevance = [row["relevance"] for row in payload["relevance"]]
    assert relevance == pytest.approx(expected(image(150), backend), rel=1e-5, abs=1e-6)
    assert payload["backend"] == ("transformer-lrp" if backend == "lrp" else backend)


def test_query_on_image_files(tmp_path: Path, stack_file: Path) -> None:
    from skimage.io import imsave

    png = tmp_path / "face.png"
    imsave(png, np.round(image(3) * 255).astype(np.uint8), check_contrast=False)
    domain = get_domain("faces")
    read = domain.prepare(str(png)).image
    np.testing.assert_allclose(read, image(3), atol=0.5 / 255 + 1e-7)
    result = runner.invoke(app, ["query", str(png), *QUERIES, "-d", "faces", "--json"])
    assert result.exit_code == 0, result.output
    relevance = [row["relevance"] for row in json.loads(result.stdout)["relevance"]]
    assert relevance == pytest.approx(expected(read, "lrp"), rel=1e-5, abs=1e-6)
    np.testing.assert_array_equal(domain.prepare(f"{stack_file}:1").image, image(50))
    with pytest.raises(DomainError, match="holds 3 images"):
        domain.prepare(str(stack_file))
    with pytest.raises(DomainError, match=r"has no image '700' \(ids 0 \.\. 199\)"):
        domain.prepare("lfw-subset:700")
    with pytest.raises(DomainError, match="image file or <data>:<id>"):
        domain.prepare("a face")
    wrong = tmp_path / "wrong.npy"
    np.save(wrong, np.zeros((3, 32, 32)))
    with pytest.raises(DomainError, match="25x25 grey pixels"):
        domain.load_inputs(str(wrong))


def test_atoms_that_name_no_patch_are_refused_with_a_suggestion() -> None:
    result = runner.invoke(app, ["query", "lfw-subset:3", "eyes & nose2", "--domain", "faces"])
    assert result.exit_code == 2
    assert "nose2 is not a patch" in result.stderr and "did you mean 'nose'?" in result.stderr
    domain = get_domain("faces")
    from symxai.query.parser import parse_query

    def problem(query: str) -> tuple | None:
        (atom,) = parse_query(query).atoms()
        return domain.check_atom(atom)

    assert problem("p24") is None and problem("row4") is None and problem("region:rest") is None
    assert problem("p25") is not None and "p0 .. p24" in problem("p25")[0]
    assert problem('"eye"')[1] == ["eyes"]
    assert "no such region" in problem("region:ear")[0]
    assert "unknown qualifier" in problem('tile:"1,2"')[0]


def test_a_report_over_an_image_stack_equals_explain_face(tmp_path: Path, stack_file: Path) -> None:
    output = tmp_path / "out"
    queries = tmp_path / "q.txt"
    queries.write_text("".join(f"q{i}: {query}\n" for i, query in enumerate(QUERIES)))
    args = ["report", "--queries", str(queries), "--domain", "faces"]
    args += ["--data", str(stack_file), "--output", str(output), "--formats", "csv,html"]
    result = runner.invoke(app, [*args, "--executor", "serial"])
    assert result.exit_code == 0, result.output
    assert "3 inputs x 4 queries" in result.stdout
    table = pd.read_csv(output / "relevance.csv", dtype={"input": str})
    for position, index in enumerate((3, 50, 150)):
        rows = table[table["input"] == str(position)]
        np.testing.assert_allclose(rows["relevance"], expected(image(index), "lrp"), rtol=1e-5)
    html = (output / "report.html").read_text()
    assert "data:image/svg+xml;base64," in html


@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_draw_writes_the_heatmap(tmp_path: Path, suffix: str) -> None:
    domain = get_domain("faces")
    explanation = domain.explain(
        domain.prepare("lfw-subset:3"),
        domain.load_model("faces-vit"),
        backend="lrp",
        target=(FACE, NON_FACE),
        missing="error",
    )
    path = domain.draw(explanation, tmp_path / f"face{suffix}", "lfw-subset:3")
    assert path.is_file() and path.stat().st_size > 1000
    if suffix == ".svg":
        text = path.read_text()
        assert text.lstrip().startswith("<?xml") and "lfw-subset:3" in text

"""One entry path: ``symxai.explain`` builds every explanation, the domain functions are
thin adapters over it, and the backends share a base instead of each other's privates."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import symxai
from symxai.backends import PerturbationBackend
from symxai.errors import BackendCapabilityError

BACKENDS = Path(symxai.__file__).parent / "backends"


def _module_name(path: Path) -> str:
    parts = path.relative_to(BACKENDS.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_private_names(source: str, own: str, is_package: bool) -> list[str]:
    """``module:name`` for every ``from <another symxai.backends module> import _name`` in the
    source of module ``own`` (relative imports resolved as Python does)."""
    package = own if is_package else own.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ImportFrom):
            continue
        module = node.module or ""
        if node.level:
            base = package.split(".")
            base = base[: len(base) - node.level + 1]
            module = ".".join([*base, module] if module else base)
        if not module.startswith("symxai.backends") or module == own:
            continue
        found += [f"{module}:{alias.name}" for alias in node.names if alias.name.startswith("_")]
    return found


def test_no_backend_module_imports_another_backend_modules_private_names() -> None:
    files = sorted(BACKENDS.rglob("*.py"))
    assert len(files) >= 8  # the walk really reaches the backends and backends/lrp
    offending = {
        str(path.relative_to(BACKENDS)): _imported_private_names(
            path.read_text(), _module_name(path), path.name == "__init__.py"
        )
        for path in files
    }
    assert {path: names for path, names in offending.items() if names} == {}


def test_the_private_import_check_sees_absolute_and_relative_imports() -> None:
    """The checker itself flags both spellings of a sideways private import, and lets
    public names and a module's own names pass."""
    source = (
        "from symxai.backends.gnn_lrp import _ModelCall, GNNLRPBackend\n"
        "from ..base import _REGISTRY\n"
        "from .masking import MaskGradient\n"
        "from symxai._compat import import_schnetpack\n"
    )
    assert _imported_private_names(source, "symxai.backends.lrp.fake", False) == [
        "symxai.backends.gnn_lrp:_ModelCall",
        "symxai.backends.base:_REGISTRY",
    ]
    assert _imported_private_names("from . import _x", "symxai.backends", True) == []


# ------------------------------------------------------------ one way in, per domain
def _same_numbers(generic, domain, seed: int = 0) -> None:
    """Same backend, prediction, feature names and ``v(S)`` on random coalitions (and on
    the empty and the full coalition), with default arguments on both sides."""
    assert generic.backend == domain.backend
    assert generic.space.names == domain.space.names
    assert generic.prediction == domain.prediction
    masks = np.random.default_rng(seed).random((10, domain.n)) < 0.5
    masks = np.concatenate([masks, np.zeros((1, domain.n), bool), np.ones((1, domain.n), bool)])
    np.testing.assert_array_equal(generic.set_function(masks), domain.set_function(masks))


def test_molecule_explain_equals_explain_molecule(gin) -> None:
    from symxai.domains.molecules import explain_molecule, molecule_from_smiles

    smiles = "O=[N+]([O-])c1ccc2ccccc2c1"
    domain = explain_molecule(smiles)
    generic = symxai.explain(gin, molecule_from_smiles(smiles))
    assert generic.backend == "gnn-lrp"
    _same_numbers(generic, domain)
    nitro = 'smarts"[N+](=O)[O-]"'
    assert generic.relevance(nitro) == domain.relevance(nitro)


def test_sentence_explain_equals_explain_sentence() -> None:
    from symxai.domains.text import Sentence, explain_sentence, tiny_bert

    model = tiny_bert(seed=3)
    text = "schwarzenegger is not good , and not great either"
    domain = explain_sentence(text, model)
    generic = symxai.explain(model, Sentence(text))
    assert generic.backend == "transformer-lrp"
    _same_numbers(generic, domain, seed=1)
    assert list(generic.space.texts) == list(domain.space.texts) == text.split()


def test_face_explain_equals_explain_face(face_vit) -> None:
    from symxai.domains.vision import FaceImage, explain_face, faces_dataset

    data = faces_dataset()
    image = data.images[data.test[0]]
    domain = explain_face(image)
    generic = symxai.explain(face_vit.model, FaceImage(image))
    assert generic.backend == "transformer-lrp"
    _same_numbers(generic, domain, seed=2)
    assert generic.relevance("eyes & ~mouth") == domain.relevance("eyes & ~mouth")


def test_the_faces_domain_adapter_equals_symxai_explain(face_vit) -> None:
    """The registry's ``faces`` adapter, on an input named ``lfw-subset:<id>``, gives the
    numbers of ``symxai.explain`` on the same :class:`FaceImage`."""
    from symxai.domains.registry import get_domain
    from symxai.domains.vision import FaceImage, faces_dataset

    domain = get_domain("faces")
    prepared = domain.prepare("lfw-subset:120")
    image = faces_dataset().images[120]
    np.testing.assert_array_equal(np.asarray(prepared.image), image[0].numpy())
    _, target = domain.default_target()
    adapted = domain.explain(
        prepared, face_vit.model, backend="lrp", target=target, missing="error"
    )
    generic = symxai.explain(face_vit.model, FaceImage(image))
    assert adapted.backend == generic.backend == "transformer-lrp"
    _same_numbers(generic, adapted, seed=4)


def test_structure_explain_equals_explain_structure(schnet) -> None:
    from symxai.data.malondialdehyde import malondialdehyde
    from symxai.domains.structures import explain_structure

    atoms = malondialdehyde()
    domain = explain_structure(atoms)
    generic = symxai.explain(schnet, atoms)
    assert generic.backend == "schnet-lrp"
    _same_numbers(generic, domain, seed=3)
    assert list(generic.space.names[:6]) == ["C0", "C1", "C2", "O3", "O4", "H5"]
    assert generic.relevance("H5 & O3 & ~O4") == domain.relevance("H5 & O3 & ~O4")


# ------------------------------------------------------------------ auto's choice
def test_auto_picks_each_lrp_backend_and_falls_back_to_perturbation(gin, schnet) -> None:
    """``auto`` returns the LRP backend for a PyG, a Hugging Face (BERT and ViT) and a
    schnetpack model, perturbation for a plain module, and says so in ``.backend``."""
    from symxai.backends.gnn_lrp import GNNLRPBackend
    from symxai.backends.schnet_lrp import SchNetLRPBackend
    from symxai.backends.transformer_lrp import TransformerLRPBackend
    from symxai.data.malondialdehyde import malondialdehyde
    from symxai.domains.molecules import molecule_from_smiles
    from symxai.domains.text import load_tokenizer, tiny_bert
    from symxai.domains.vision import faces_vit

    graph = molecule_from_smiles("c1ccccc1O").to_data()
    encoded = dict(load_tokenizer()("not good", return_tensors="pt"))
    pixels = {"pixel_values": torch.zeros(1, 1, 25, 25)}
    cases = [
        (gin, graph, "gnn-lrp", GNNLRPBackend),
        (tiny_bert(seed=0), encoded, "transformer-lrp", TransformerLRPBackend),
        (faces_vit(), pixels, "transformer-lrp", TransformerLRPBackend),
        (schnet, malondialdehyde(), "schnet-lrp", SchNetLRPBackend),
        (torch.nn.Linear(4, 1), torch.ones(4), "perturbation", PerturbationBackend),
    ]
    for model, inputs, name, kind in cases:
        options = {"target": 0} if name in ("gnn-lrp", "transformer-lrp") else {}
        explanation = symxai.explain(model, inputs, **options)
        assert explanation.backend == name, type(model).__name__
        assert isinstance(explanation.source, kind)
    # transformer default features: every token but [CLS] (and [SEP] for text)
    bert = symxai.explain(tiny_bert(seed=0), encoded, target=0)
    assert bert.n == encoded["input_ids"].shape[1] - 2
    vit = symxai.explain(faces_vit(), pixels, target=0)
    assert vit.n == 25


def test_registration_does_not_import_the_model_libraries() -> None:
    """Registering (and importing symxai.backends) loads no transformers or schnetpack:
    the acceptance predicates look at the class's module name only."""
    code = (
        "import sys, symxai.backends as b; "
        "assert {'gnn-lrp', 'perturbation', 'schnet-lrp', 'transformer-lrp'} <= "
        "set(b.available_backends()); "
        "import torch; b.get_backend('auto', torch.nn.Linear(2, 1), torch.ones(2)); "
        "print(sorted(m for m in ('transformers', 'schnetpack', 'torch_geometric') "
        "if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# -------------------------------------------------------------- typed accessors
def test_accessors_delegate_to_the_backend(gin) -> None:
    from symxai.domains.molecules import molecule_from_smiles

    molecule = molecule_from_smiles("O=[N+]([O-])c1ccccc1")
    explanation = symxai.explain(gin, molecule)
    backend = explanation.source
    relevance = explanation.feature_relevance()
    np.testing.assert_array_equal(relevance, backend.feature_relevance())
    # the walks starting at atom i carry R_i, and all walks together carry v(N)
    walks = explanation.walks()
    assert walks.exact and walks.space is explanation.space
    starts = np.bincount(walks.nodes[:, 0], weights=walks.relevance, minlength=explanation.n)
    np.testing.assert_allclose(starts, relevance, rtol=1e-5, atol=1e-6)
    assert walks.relevance.sum() == pytest.approx(explanation.value(), rel=1e-5, abs=1e-6)
    top = explanation.walks(3)
    assert len(top) == 3
    assert np.abs(top.relevance).min() >= np.sort(np.abs(walks.relevance))[-3] - 1e-12
    assert top.to_pandas()["names"][0].split(" → ")[0] in explanation.space.names


def test_backends_return_plain_data_that_the_explanation_names(gin, schnet) -> None:
    """Backends hand back indices and arrays (walks, :class:`Dividends`,
    :class:`FeatureNames`); the explanation names them by its feature space."""
    from symxai.backends import Dividends, FeatureNames
    from symxai.data.malondialdehyde import malondialdehyde
    from symxai.domains.molecules import molecule_from_smiles
    from symxai.walks import NamedWalks

    explanation = symxai.explain(gin, molecule_from_smiles("O=[N+]([O-])c1ccccc1"))
    backend = explanation.source
    plain = backend.walks()
    assert not isinstance(plain, NamedWalks) and plain.to_pandas()["names"][0].startswith("#")
    named = explanation.walks()
    np.testing.assert_array_equal(named.nodes, plain.nodes)
    np.testing.assert_array_equal(named.relevance, plain.relevance)
    first = named.to_pandas()["names"][0].split(" → ")
    assert first == [explanation.space.names[i] for i in plain.nodes[0]]
    dividends = backend.exact_dividends()
    assert isinstance(dividends, Dividends) and dividends.complete
    assert dividends.n == explanation.n and (dividends.members[0] == -1).all()
    exact = explanation.dividends()
    assert exact.space is explanation.space
    assert exact.subsets() == named.decomposition().subsets()
    np.testing.assert_array_equal(exact.values, dividends.values)
    # A backend that knows its atoms names them; the api builds the feature space.
    atoms = malondialdehyde()
    structure = symxai.explain(schnet, atoms)
    known = structure.source.feature_names
    assert known == FeatureNames.of_elements(atoms.get_chemical_symbols())
    assert structure.space.names == known.names
    assert structure.space.labels == {"element": tuple(atoms.get_chemical_symbols())}


def test_accessors_fail_clearly_without_walks_or_feature_relevance() -> None:
    explanation = symxai.explain(torch.nn.Linear(3, 1), torch.ones(3))
    assert explanation.backend == "perturbation"
    with pytest.raises(BackendCapabilityError, match=r"perturbation backend .*no relevant walks"):
        explanation.walks()
    with pytest.raises(BackendCapabilityError, match="per-feature relevance"):
        explanation.feature_relevance()

"""Vision domain: LFW faces data, the shipped faces ViT, patch features and heatmaps."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from symxai import UnknownAtomError, parse_query
from symxai.cache import find_weights
from symxai.data.faces import augment
from symxai.domains.vision import (
    FACE,
    NON_FACE,
    REGION_BOXES,
    VIT_CONFIG,
    faces_dataset,
    faces_vit,
    load_faces_vit,
    patch_heatmap,
    patch_regions,
    patch_space,
    to_pixel_values,
    token_groups,
)
from symxai.training.faces import WEIGHTS_NAME, accuracy, save_trained, train_faces_vit

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def data():
    return faces_dataset()


def test_dataset_shapes_labels_and_stratified_split(data) -> None:
    assert data.images.shape == (200, 1, 25, 25)
    assert data.images.dtype == torch.float32
    assert float(data.images.min()) >= 0.0 and float(data.images.max()) <= 1.0
    assert data.labels.tolist() == [FACE] * 100 + [NON_FACE] * 100
    train, test = set(data.train.tolist()), set(data.test.tolist())
    assert not train & test
    assert train | test == set(range(200))
    for split, per_class in ((data.test, 30), (data.train, 70)):
        counts = torch.bincount(data.labels[torch.as_tensor(split)], minlength=2)
        assert counts.tolist() == [per_class, per_class]
    again = faces_dataset()
    assert np.array_equal(again.test, data.test)
    assert not np.array_equal(faces_dataset(seed=1).test, data.test)
    # The first 100 are the aligned faces: their mean has dark eyes below a bright forehead.
    mean_face = data.images[:100, 0].mean(0)
    assert float(mean_face[7:9, 5:8].mean()) < float(mean_face[2:4, 8:14].mean()) - 0.15


def test_pixel_values_and_augmentation(data) -> None:
    pixels = data.pixel_values([0, 1])
    assert pixels.shape == (2, 1, 25, 25)
    assert torch.allclose(pixels, data.images[:2] * 2 - 1)
    assert to_pixel_values(data.images[0, 0]).shape == (1, 1, 25, 25)
    with pytest.raises(ValueError, match="shape"):
        to_pixel_values(torch.zeros(1, 3, 25, 25))
    generator = torch.Generator().manual_seed(0)
    augmented = augment(data.images[:16], generator)
    assert augmented.shape == (16, 1, 25, 25)
    assert float(augmented.min()) >= 0.0 and float(augmented.max()) <= 1.0
    assert not torch.equal(augmented, data.images[:16])


def test_shipped_model_reproduces_its_reported_accuracy(data, face_vit) -> None:
    weights = Path(str(find_weights(WEIGHTS_NAME)[0]))
    assert weights.parent.name == "models" and weights.parent.parent.name == "data"
    state = torch.load(weights, weights_only=True)
    assert set(state) == set(face_vit.model.state_dict())
    assert face_vit.model.config._attn_implementation == "eager"
    test = torch.as_tensor(data.test)
    recomputed = accuracy(face_vit.model, data.pixel_values(data.test), data.labels[test])
    assert recomputed == pytest.approx(face_vit.metrics["test_accuracy"], abs=1e-6)
    assert recomputed >= 0.85
    assert face_vit.metrics["config"] == VIT_CONFIG


def test_vit_forward_has_cls_plus_25_patch_tokens(data, face_vit) -> None:
    with torch.no_grad():
        output = face_vit.model(
            pixel_values=data.pixel_values([0]), output_hidden_states=True, output_attentions=True
        )
    assert output.logits.shape == (1, 2)
    assert len(output.hidden_states) == 5  # embeddings + 4 layers
    assert all(hidden.shape == (1, 26, 64) for hidden in output.hidden_states)
    # eager attention: explicit softmax probabilities over the 26 tokens
    assert output.attentions[0].shape == (1, 4, 26, 26)
    assert torch.allclose(output.attentions[0].sum(-1), torch.ones(1, 4, 26), atol=1e-5)
    groups = token_groups()
    assert groups == [[1 + p] for p in range(25)]
    assert all(0 not in group for group in groups)


def test_regions_are_disjoint_named_groups_that_queries_resolve() -> None:
    space = patch_space()
    assert space.names == tuple(f"p{i}" for i in range(25))
    eyes = space.resolve(parse_query("eyes"))
    mouth = space.resolve(parse_query("mouth"))
    nose = space.resolve(parse_query("nose"))
    assert eyes.tolist() == [6, 7, 8]
    assert nose.tolist() == [12]
    assert mouth.tolist() == [16, 17]
    assert not set(eyes) & set(mouth) and not set(eyes) & set(nose)
    assert all(0 <= i < 25 for i in [*eyes, *mouth, *nose])
    rest = space.resolve(parse_query("rest"))
    assert sorted([*eyes, *nose, *mouth, *rest]) == list(range(25))
    assert space.resolve(parse_query("region:eyes")).tolist() == eyes.tolist()
    assert space.resolve(parse_query("row1")).tolist() == [5, 6, 7, 8, 9]
    assert space.resolve(parse_query("col2")).tolist() == [2, 7, 12, 17, 22]
    query = parse_query("eyes & ~mouth")
    resolved = space.resolve_query(query)
    assert [atom.value for atom in resolved] == ["eyes", "mouth"]
    assert [indices.tolist() for indices in resolved.values()] == [[6, 7, 8], [16, 17]]
    with pytest.raises(UnknownAtomError, match="eyes"):
        space.resolve(parse_query("eye"))


def test_regions_follow_the_pixel_boxes_on_any_grid() -> None:
    per_pixel = np.asarray(patch_regions(25)).reshape(25, 25)
    for name, (r0, r1, c0, c1) in REGION_BOXES.items():
        assert (per_pixel[r0:r1, c0:c1] == name).all()
        assert (per_pixel == name).sum() == (r1 - r0) * (c1 - c0)
    coarse = patch_space(grid=1)
    assert coarse.n == 1 and coarse.labels["region"] == ("rest",)


def test_heatmap_files_and_argument_checks(tmp_path: Path, data) -> None:
    values = np.linspace(-1.0, 2.0, 25)
    png = patch_heatmap(values, data.images[0], tmp_path / "face.png", title="test")
    assert png.read_bytes()[:8] == PNG_MAGIC
    svg = patch_heatmap(torch.zeros(25), data.images[0, 0].numpy(), tmp_path / "zero.svg")
    assert b"<svg" in svg.read_bytes()[:1000]
    with pytest.raises(ValueError, match="length 25"):
        patch_heatmap(np.ones(24), data.images[0], tmp_path / "bad.png")
    with pytest.raises(ValueError, match="suffix"):
        patch_heatmap(values, data.images[0], tmp_path / "face.jpg")
    with pytest.raises(ValueError, match="finite"):
        patch_heatmap(np.full(25, np.nan), data.images[0], tmp_path / "nan.png")


def test_loading_falls_back_to_the_cache(tmp_path: Path, monkeypatch, face_vit) -> None:
    monkeypatch.setenv("SYMXAI_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr("symxai.training.faces.WEIGHTS_NAME", "faces_vit_not_shipped")
    with pytest.raises(FileNotFoundError, match="train_faces_vit"):
        load_faces_vit(train_if_missing=False)
    weights = save_trained(face_vit, tmp_path / "cache" / "models")
    assert json.loads(weights.with_suffix(".json").read_text()) == face_vit.metrics
    loaded = load_faces_vit(train_if_missing=False)
    for key, value in face_vit.model.state_dict().items():
        assert torch.equal(loaded.model.state_dict()[key], value)


def test_fresh_model_is_eager_and_untrained() -> None:
    model = faces_vit()
    assert model.config._attn_implementation == "eager"
    assert sum(p.numel() for p in model.parameters()) < 200_000


@pytest.mark.slow
def test_training_from_scratch_reaches_high_accuracy() -> None:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        retrained = train_faces_vit()
    finally:
        torch.set_num_threads(threads)
    assert retrained.metrics["test_accuracy"] >= 0.9
    assert retrained.metrics["train_accuracy"] >= 0.95

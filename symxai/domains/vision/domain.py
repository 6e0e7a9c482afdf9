"""The ``faces`` domain: 25x25 grey images explained by the shipped face/non-face ViT.

Inputs: ``lfw-subset`` (the 200 crops of scikit-image's ``lfw_subset()``, 100 faces then
100 non-faces, ids ``0 .. 199``, :func:`~symxai.data.faces.faces_dataset`), an image
file (``.png``, ``.jpg``, ``.pgm``, ...; grey or colour, averaged to grey, ``25 x 25``
pixels) or a ``.npy`` array of one ``[25, 25]`` image or a stack ``[B, 25, 25]``, pixel
values in ``[0, 1]`` (8-bit images are divided by 255). An input given as text is an
image file or ``<data>:<id>`` (``lfw-subset:17``). Model: ``faces-vit`` (shipped).
Backends: ``lrp`` (this domain's name for ``transformer-lrp``) or ``perturbation``
(patches set to mean grey). The features are the 25 patches ``p0 .. p24`` with the
regions ``eyes``, ``nose``, ``mouth`` and ``rest`` and the groups ``row0 .. row4``,
``col0 .. col4`` (:func:`~symxai.domains.vision.patch_space`); the default target is the
logit difference ``f_face - f_non_face``.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from symxai.data.faces import FACE, IMAGE_SIZE, NON_FACE, faces_dataset
from symxai.domains.registry import Domain, DomainError, InputRecord
from symxai.domains.vision.explain import explain_face
from symxai.domains.vision.heatmap import patch_heatmap
from symxai.domains.vision.image import FaceImage
from symxai.domains.vision.patches import GRID, REGIONS
from symxai.explanation import Explanation
from symxai.query.ast import Atom
from symxai.training.faces import load_faces_vit

__all__ = ["FaceDomain"]

SHIPPED_DATA = "lfw-subset"
SHIPPED_MODEL = "faces-vit"
_CLASS_NAMES = {FACE: "face", NON_FACE: "non-face"}
_GROUPS = (
    *REGIONS,
    *(f"row{row}" for row in range(GRID)),
    *(f"col{col}" for col in range(GRID)),
)
_PATCH = re.compile(r"p(\d+)")


def _grey(array: np.ndarray, source: str) -> np.ndarray:
    """A ``[25, 25]`` float image in ``[0, 1]`` from a grey, RGB(A) or 8-bit array."""
    image = np.asarray(array)
    if image.ndim == 3 and image.shape[-1] in (3, 4):
        image = image[..., :3].mean(axis=-1)
    if image.shape != (IMAGE_SIZE, IMAGE_SIZE):
        raise DomainError(
            f"{source}: a face image is {IMAGE_SIZE}x{IMAGE_SIZE} grey pixels, got shape "
            f"{np.asarray(array).shape}"
        )
    image = image.astype(np.float32)
    if image.max() > 1.0:
        image = image / 255.0
    if not np.all(np.isfinite(image)) or image.min() < 0.0 or image.max() > 1.0:
        raise DomainError(f"{source}: pixel values must lie in [0, 1] (or 0 .. 255)")
    return image


@functools.cache
def _images(data: str) -> tuple[tuple[np.ndarray, ...], tuple[Any, ...], tuple[str, ...]]:
    """The images of ``data``, their labels and their descriptions (cached)."""
    if data == SHIPPED_DATA:
        faces = faces_dataset()
        test = set(faces.test.tolist())
        images = tuple(image[0].numpy() for image in faces.images)
        labels = tuple(int(label) for label in faces.labels)
        texts = tuple(
            f"{SHIPPED_DATA} image {i} ({_CLASS_NAMES[label]}, {'test' if i in test else 'train'})"
            for i, label in enumerate(labels)
        )
        return images, labels, texts
    path = Path(data)
    if not path.is_file():
        raise DomainError(f"face data {data!r} is neither {SHIPPED_DATA} nor an image or .npy file")
    if path.suffix.lower() == ".npy":
        array = np.load(path, allow_pickle=False)
        stack = array[None] if array.ndim == 2 else array
        if stack.ndim != 3:
            raise DomainError(f"{path}: expected one [25, 25] image or a stack [B, 25, 25]")
        images = tuple(_grey(image, f"{path} image {i}") for i, image in enumerate(stack))
    else:
        from skimage.io import imread

        try:
            pixels = imread(path)
        except Exception as error:
            raise DomainError(
                f"cannot read image {path}: {type(error).__name__}: {error}"
            ) from None
        images = (_grey(pixels, str(path)),)
    texts = tuple(f"{path.name} image {i}" for i in range(len(images)))
    return images, (None,) * len(images), texts


class FaceDomain(Domain):
    """Face and non-face crops explained by the shipped ViT; see the module docstring."""

    name = "faces"
    description = (
        "25x25 grey faces and non-faces (lfw_subset) explained by a small ViT; image "
        "patches are the features, eyes/nose/mouth name groups of them."
    )
    default_data = SHIPPED_DATA
    datasets = (SHIPPED_DATA,)
    models = (SHIPPED_MODEL,)
    backends = ("lrp", "perturbation")

    def load_inputs(self, data: str) -> list[InputRecord]:
        _, labels, texts = _images(data)
        return [
            InputRecord(str(i), label, text)
            for i, (label, text) in enumerate(zip(labels, texts, strict=True))
        ]

    def load_input(self, data: str, record: InputRecord) -> Any:
        images, _, _ = _images(data)
        return FaceImage(images[int(record.id)])

    def class_names(self, data: str) -> dict[Any, str]:
        return dict(_CLASS_NAMES) if data == SHIPPED_DATA else {}

    def prepare(self, text: str) -> Any:
        """An image file, or ``<data>:<id>`` (``lfw-subset:17``, ``stack.npy:3``)."""
        text = text.strip()
        data, colon, image_id = text.rpartition(":")
        if colon and data and (data == SHIPPED_DATA or Path(data).is_file()):
            records = {record.id: record for record in self.load_inputs(data)}
            if image_id not in records:
                raise DomainError(f"{data} has no image {image_id!r} (ids 0 .. {len(records) - 1})")
            return self.load_input(data, records[image_id])
        if not Path(text).is_file():
            raise DomainError(
                f"a face is an image file or <data>:<id> ({SHIPPED_DATA}:17), got {text!r}"
            )
        images, _, _ = _images(text)
        if len(images) != 1:
            raise DomainError(f"{text} holds {len(images)} images: name one as {text}:<id>")
        return FaceImage(images[0])

    def load_model(self, name_or_path: str) -> Any:
        if name_or_path != SHIPPED_MODEL:
            raise DomainError(
                f"model {name_or_path!r}: the faces domain loads only {SHIPPED_MODEL}"
            )
        return load_faces_vit().model

    def output_count(self, model: Any) -> int:
        return 2

    def output_names(self, model: str) -> dict[int, str]:
        return dict(_CLASS_NAMES) if model == SHIPPED_MODEL else {}

    def default_target(self) -> tuple[str, Any]:
        return "face-vs-non-face", (FACE, NON_FACE)

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
        return explain_face(inputs.image, model, backend=backend, target=target, missing=missing)

    def check_atom(self, atom: Atom) -> tuple[str, Sequence[str]] | None:
        """Quoted atoms (patches have no text), names that are no patch ``p0 .. p24``, region
        or row/column group, and qualifiers other than ``region:`` with a known region."""
        value = str(atom.value)
        known = [f"p{i}" for i in range(GRID * GRID)] + list(_GROUPS)
        if atom.kind == "text":
            return (
                f"{atom}: image patches have no text; name patches (p0 .. p24) or regions "
                f"({', '.join(REGIONS)})",
                difflib.get_close_matches(value, list(_GROUPS), n=2, cutoff=0.5),
            )
        if atom.kind == "name":
            patch = _PATCH.fullmatch(value)
            if (patch and int(patch[1]) < GRID * GRID) or value in _GROUPS:
                return None
            return (
                f"{atom} is not a patch (p0 .. p{GRID * GRID - 1}), a region "
                f"({', '.join(REGIONS)}) or a group row0 .. row{GRID - 1}, col0 .. col{GRID - 1}",
                difflib.get_close_matches(value, known, n=3, cutoff=0.5),
            )
        if atom.kind == "qualified":
            qualifier = (atom.qualifier or "").lower()
            if qualifier != "region":
                return (
                    f"{atom}: unknown qualifier {qualifier!r} (faces know region)",
                    difflib.get_close_matches(qualifier, ["region"], n=1),
                )
            if value not in REGIONS:
                return (
                    f"{atom}: no such region ({', '.join(REGIONS)})",
                    difflib.get_close_matches(value, list(REGIONS), n=2, cutoff=0.5),
                )
        return None

    def feature_relevance(self, explanation: Explanation) -> np.ndarray:
        """``R(#i) = v(N) - v(N \\ {i})`` for every patch, one batch of ``n + 1`` value calls
        (the same under both backends)."""
        return explanation.relevances([f"#{i}" for i in range(explanation.n)]).to_numpy()

    def draw(self, explanation: Explanation, path: Path, legend: str) -> Path:
        """The face with every patch tinted by its relevance and the regions outlined
        (:func:`~symxai.domains.vision.patch_heatmap`; ``.svg`` or ``.png``)."""
        image = explanation.metadata.get("image")
        if image is None:
            raise DomainError("the explanation does not hold its image (use explain_face)")
        return patch_heatmap(self.feature_relevance(explanation), image, path, title=legend)

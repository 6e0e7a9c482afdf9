"""The ``structures`` domain: 3-D structures explained by SchNet.

Inputs: ``malondialdehyde`` (the frames of the shipped GFN2-xTB data set,
:func:`~symxai.data.malondialdehyde.load_malondialdehyde_data`, labelled ``md`` or
``path``) or an ``.xyz``/``.extxyz`` file read by ASE, one input per frame; an input
given as text is a structure file (its last frame). Every frame is checked by
:func:`~symxai.domains.structures.read_structure` (elements the model knows, finite
coordinates, no overlapping atoms). Model: ``malondialdehyde-schnet`` (shipped). Backends:
``schnet-lrp`` or ``perturbation`` (atoms removed); the features are the atoms ``C0 C1 C2
O3 O4 H5 ..``, element symbols name all atoms of an element. The explained output is the
energy, the model's only output.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from symxai.data.malondialdehyde import MODEL_ELEMENTS, load_malondialdehyde_data
from symxai.domains.colours import colour_scale, relevance_colour
from symxai.domains.elements import element_atom_problem
from symxai.domains.registry import Domain, DomainError, InputRecord
from symxai.domains.structures.explain import explain_structure
from symxai.domains.structures.reading import read_structure
from symxai.explanation import Explanation
from symxai.query.ast import Atom
from symxai.training.schnet import load_malondialdehyde_schnet

__all__ = ["StructureDomain"]

_SHIPPED = "malondialdehyde"


@functools.cache
def _frames(data: str) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The frames of ``data`` (``ase.Atoms``, unchecked) and their labels (cached)."""
    from ase import Atoms

    if data == _SHIPPED:
        arrays = load_malondialdehyde_data()
        frames = tuple(
            Atoms(numbers=arrays["numbers"], positions=positions)
            for positions in arrays["positions"].astype(np.float64)
        )
        return frames, tuple(str(kind) for kind in arrays["kind"])
    path = Path(data)
    if not path.is_file() or path.suffix.lower() not in (".xyz", ".extxyz"):
        raise DomainError(f"structure data {data!r} is neither {_SHIPPED} nor an .xyz/.extxyz file")
    import ase.io

    try:
        frames = ase.io.read(path, index=":")
    except Exception as error:
        raise DomainError(
            f"cannot read structure file {path}: {type(error).__name__}: {error}"
        ) from None
    return tuple(frames), (None,) * len(frames)


class StructureDomain(Domain):
    """Structures (frames of ``.xyz`` files) explained by SchNet; see the module docstring."""

    name = "structures"
    description = (
        "3-D structures (.xyz/.extxyz frames) explained by SchNet; atoms are the features."
    )
    default_data = _SHIPPED
    datasets = (_SHIPPED,)
    models = ("malondialdehyde-schnet",)
    backends = ("schnet-lrp", "perturbation")

    def load_inputs(self, data: str) -> list[InputRecord]:
        frames, labels = _frames(data)
        return [
            InputRecord(str(i), label, f"{atoms.get_chemical_formula()} frame {i}")
            for i, (atoms, label) in enumerate(zip(frames, labels, strict=True))
        ]

    def load_input(self, data: str, record: InputRecord) -> Any:
        """The frame, checked by :func:`~symxai.domains.structures.read_structure`."""
        frames, _ = _frames(data)
        where = f"frame {record.id} of {data}"
        try:
            return read_structure(frames[int(record.id)])
        except ValueError as error:
            raise DomainError(str(error).replace("the structure", where, 1)) from None

    def prepare(self, text: str) -> Any:
        """A structure file (the last frame of an ``.xyz``/``.extxyz`` file)."""
        return read_structure(text)

    def load_model(self, name_or_path: str) -> Any:
        if name_or_path != "malondialdehyde-schnet":
            raise DomainError(
                f"model {name_or_path!r}: the structures domain loads only malondialdehyde-schnet"
            )
        return load_malondialdehyde_schnet().model

    def output_count(self, model: Any) -> int:
        return 1

    def output_names(self, model: str) -> dict[int, str]:
        return {0: "energy"}

    def default_target(self) -> tuple[str, Any]:
        return "energy", 0

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
        return explain_structure(inputs, model, missing=missing, backend=backend)

    def check_atom(self, atom: Atom) -> tuple[str, Sequence[str]] | None:
        """Names that are neither an element the model knows nor an atom name (``C0``)."""
        return element_atom_problem(atom, MODEL_ELEMENTS)

    def draw(self, explanation: Explanation, path: Path, legend: str) -> Path:
        """The atoms projected on their two widest axes, coloured by relevance (red
        positive, blue negative) and named."""
        positions = explanation.metadata["atoms"].get_positions()
        centred = positions - positions.mean(axis=0)
        axes = np.linalg.svd(centred, full_matrices=False)[2][:2]
        flat = centred @ axes.T
        values = self.feature_relevance(explanation)
        scale = colour_scale(values)
        size, margin = 60.0, 30.0
        low = flat.min(axis=0)
        xy = (flat - low) * size + margin
        width, height = xy.max(axis=0) + margin
        shapes = []
        for (x, y), value, feature in zip(xy, values, explanation.space, strict=True):
            red, green, blue = (round(255 * c) for c in relevance_colour(value, scale))
            shapes.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="14" fill="rgb({red},{green},{blue})" '
                f'stroke="#555"/><text x="{x:.1f}" y="{y + 4:.1f}" font-size="11" '
                f'text-anchor="middle">{escape(feature.name)}</text>'
            )
        title = f"<title>{escape(legend)}</title>" if legend else ""
        path.write_text(
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
            f'height="{height:.0f}">{title}{"".join(shapes)}</svg>',
            encoding="utf-8",
        )
        return path

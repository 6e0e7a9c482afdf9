"""Drawings of molecule explanations: relevance-coloured structures and bar charts.

:func:`draw_molecule` draws a :class:`~symxai.domains.molecules.Molecule` with RDKit,
every atom highlighted by a disc whose colour encodes its relevance: red for positive,
blue for negative, the intensity (and the disc radius) proportional to
``|R_i| / max_j |R_j|``; atoms with ``|R_i|`` below 0.1 % of the maximum are not
highlighted (``vmax`` replaces the maximum, for one scale across drawings; see
:mod:`symxai.domains.colours`). Bonds can be coloured the same way from a per-bond or
per-directed-edge score. :func:`plot_top_contributions` draws a table of contributions
(the output of ``Decomposition.top`` or any frame with a label and a value column) as a horizontal
bar chart with matplotlib, without touching pyplot's global state.

The output format follows the file suffix: ``.png`` or ``.svg``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from rdkit import Chem, rdBase
from rdkit.Chem import rdDepictor
from rdkit.Chem.Draw import rdMolDraw2D

from symxai.domains.colours import NEGATIVE, POSITIVE, colour_scale, relevance_colour
from symxai.domains.molecules.molecule import Molecule

__all__ = ["draw_molecule", "plot_top_contributions", "relevance_colour"]

_FORMATS = (".png", ".svg")
_VISIBLE = 1e-3
"""Relative magnitude below which an atom or bond is not highlighted."""
_INDEX_PROPERTY = "symxai_index"


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in _FORMATS:
        raise ValueError(
            f"cannot draw to {str(path)!r}: the suffix must be one of {', '.join(_FORMATS)}"
        )
    return suffix


def _scores(values: np.ndarray | Sequence[float], length: int, what: str) -> np.ndarray:
    scores = np.asarray(values, dtype=np.float64)
    if scores.ndim != 1 or scores.size != length:
        raise ValueError(f"{what} must be a vector of length {length}, got shape {scores.shape}")
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"{what} contains non-finite values")
    return scores


def _bond_scores(molecule: Molecule, values: np.ndarray | Sequence[float]) -> np.ndarray:
    """One score per RDKit bond, from per-bond scores or summed per-directed-edge scores."""
    num_bonds = molecule.num_bonds
    num_edges = molecule.edge_index.shape[1]
    raw = np.asarray(values, dtype=np.float64)
    if raw.ndim == 1 and raw.size == num_bonds and raw.size != num_edges:
        return _scores(raw, num_bonds, "highlight_bonds")
    edge_scores = _scores(raw, num_edges, "highlight_bonds (per directed edge or per bond)")
    bonds = np.zeros(num_bonds)
    for (i, j), score in zip(molecule.edge_index.T.tolist(), edge_scores.tolist(), strict=True):
        bond = molecule.mol.GetBondBetweenAtoms(i, j)
        if bond is not None:
            bonds[bond.GetIdx()] += score
    return bonds


def _drawn_molecule(
    molecule: Molecule, relevance: np.ndarray, bond_scores: np.ndarray | None, hide: bool
) -> tuple[Chem.Mol, np.ndarray, np.ndarray | None]:
    """Copy of the molecule to draw, its atom relevances and bond scores.

    With ``hide`` the ordinary hydrogens (one heavy neighbour) are removed; each adds its
    relevance to that neighbour, and scores of bonds to hidden hydrogens are dropped.
    """
    mol = Chem.Mol(molecule.mol)
    for atom in mol.GetAtoms():
        atom.SetIntProp(_INDEX_PROPERTY, atom.GetIdx())
    if not hide:
        return mol, relevance, bond_scores
    with rdBase.BlockLogs():
        heavy = Chem.RemoveHs(mol, sanitize=False)
    kept = np.asarray([atom.GetIntProp(_INDEX_PROPERTY) for atom in heavy.GetAtoms()], dtype=int)
    position = {int(original): new for new, original in enumerate(kept)}
    folded = relevance[kept].copy()
    for atom in mol.GetAtoms():
        if atom.GetIdx() in position:
            continue
        neighbours = [position[n.GetIdx()] for n in atom.GetNeighbors() if n.GetIdx() in position]
        for new in neighbours[:1]:
            folded[new] += relevance[atom.GetIdx()]
    heavy_bonds = None
    if bond_scores is not None:
        heavy_bonds = np.zeros(heavy.GetNumBonds())
        for bond in heavy.GetBonds():
            i = int(kept[bond.GetBeginAtomIdx()])
            j = int(kept[bond.GetEndAtomIdx()])
            heavy_bonds[bond.GetIdx()] = bond_scores[mol.GetBondBetweenAtoms(i, j).GetIdx()]
    return heavy, folded, heavy_bonds


def _prepared(mol: Chem.Mol) -> Chem.Mol:
    """2D coordinates and drawing preparation; kekulisation skipped when impossible."""
    rdDepictor.Compute2DCoords(mol)
    with rdBase.BlockLogs():
        try:
            return rdMolDraw2D.PrepareMolForDrawing(mol, kekulize=True, addChiralHs=False)
        except (RuntimeError, ValueError, Chem.MolSanitizeException):
            return rdMolDraw2D.PrepareMolForDrawing(mol, kekulize=False, addChiralHs=False)


def draw_molecule(
    molecule: Molecule,
    node_relevance: np.ndarray | Sequence[float],
    path: str | Path,
    *,
    size: tuple[int, int] = (600, 450),
    legend: str = "",
    highlight_bonds: np.ndarray | Sequence[float] | None = None,
    hide_hydrogens: bool = False,
    show_indices: bool = True,
    vmax: float | None = None,
) -> Path:
    """Draw ``molecule`` with atoms coloured by ``node_relevance``; write PNG or SVG.

    Parameters
    ----------
    molecule:
        The molecule; it is not modified (a copy gets the 2D coordinates).
    node_relevance:
        One value per atom (``molecule.num_atoms``): red for positive, blue for
        negative, colour intensity and highlight radius proportional to ``|R| / max|R|``.
    path:
        Output file; ``.png`` (RDKit's Cairo renderer) or ``.svg``.
    size:
        Width and height in pixels.
    legend:
        Text drawn under the molecule.
    highlight_bonds:
        Optional bond scores, one per directed edge of ``molecule.edge_index`` (the two
        directions of a bond are summed) or one per RDKit bond; coloured like atoms,
        scaled by their own maximum.
    hide_hydrogens:
        Draw without hydrogens that have one heavy neighbour; a hidden hydrogen's
        relevance is added to that neighbour and its bond's score is dropped.
    show_indices:
        Write each atom's index in the molecule (``7`` for the feature ``N7``) next to it.
    vmax:
        The relevance drawn in full colour (default: this molecule's ``max |R|``); give
        the same ``vmax`` to several drawings to compare them on one scale.

    Returns the path written. Raises ``ValueError`` for a relevance vector or bond score
    vector of the wrong length and for an unsupported suffix.
    """
    path = Path(path)
    suffix = _suffix(path)
    relevance = _scores(node_relevance, molecule.num_atoms, "node_relevance")
    bond_scores = None if highlight_bonds is None else _bond_scores(molecule, highlight_bonds)
    mol, relevance, bond_scores = _drawn_molecule(molecule, relevance, bond_scores, hide_hydrogens)
    if show_indices:
        for atom in mol.GetAtoms():
            atom.SetProp("atomNote", str(atom.GetIntProp(_INDEX_PROPERTY)))
    mol = _prepared(mol)

    atom_scale = colour_scale(relevance, vmax)
    atoms = [i for i, r in enumerate(relevance) if abs(r) > _VISIBLE * atom_scale]
    atom_colours = {i: relevance_colour(relevance[i], atom_scale) for i in atoms}
    atom_radii = {i: 0.25 + 0.25 * min(abs(relevance[i]) / atom_scale, 1.0) for i in atoms}
    bonds: list[int] = []
    bond_colours: dict[int, tuple[float, float, float]] = {}
    if bond_scores is not None and bond_scores.size:
        bond_scale = float(np.abs(bond_scores).max())
        bonds = [
            b for b, s in enumerate(bond_scores) if bond_scale and abs(s) > _VISIBLE * bond_scale
        ]
        bond_colours = {b: relevance_colour(bond_scores[b], bond_scale) for b in bonds}

    width, height = size
    drawer = (
        rdMolDraw2D.MolDraw2DCairo(width, height)
        if suffix == ".png"
        else rdMolDraw2D.MolDraw2DSVG(width, height)
    )
    options = drawer.drawOptions()
    options.prepareMolsBeforeDrawing = False
    options.atomHighlightsAreCircles = True
    options.fillHighlights = True
    options.clearBackground = True
    drawer.DrawMolecule(
        mol,
        legend=legend,
        highlightAtoms=atoms,
        highlightAtomColors=atom_colours,
        highlightAtomRadii=atom_radii,
        highlightBonds=bonds,
        highlightBondColors=bond_colours,
    )
    drawer.FinishDrawing()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".png":
        path.write_bytes(drawer.GetDrawingText())
    else:
        path.write_text(drawer.GetDrawingText(), encoding="utf-8")
    return path


def plot_top_contributions(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    title: str = "",
    label_column: str = "names",
    value_column: str = "dividend",
) -> Path:
    """Horizontal bar chart of ``frame[value_column]`` labelled by ``frame[label_column]``.

    Rows are drawn top to bottom in frame order; positive values red, negative blue.
    Written as PNG or SVG according to the suffix of ``path``; returns the path.
    """
    path = Path(path)
    suffix = _suffix(path)
    missing = [c for c in (label_column, value_column) if c not in frame.columns]
    if missing:
        raise ValueError(
            f"frame has no column(s) {', '.join(map(repr, missing))}; "
            f"columns: {', '.join(map(str, frame.columns))}"
        )
    labels = [str(label) for label in frame[label_column]]
    values = np.asarray(frame[value_column], dtype=np.float64)
    rows = len(labels)
    widest = max((len(label) for label in labels), default=0)
    figure = Figure(figsize=(4.0 + 0.08 * min(widest, 60), 1.2 + 0.35 * max(rows, 1)))
    axes = figure.add_subplot()
    positions = np.arange(rows)
    colours = [POSITIVE if value >= 0 else NEGATIVE for value in values]
    axes.barh(positions, values, color=colours)
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()
    axes.axvline(0.0, color="0.3", linewidth=0.8)
    axes.set_xlabel(value_column)
    if rows == 0:
        axes.text(0.5, 0.5, "no contributions", ha="center", va="center", transform=axes.transAxes)
    if title:
        axes.set_title(title)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format=suffix[1:], dpi=150)
    return path

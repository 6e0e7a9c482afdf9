"""Pictures of tissue explanations (matplotlib): cells coloured by phenotype, per-cell
relevance, the tile map, the interaction heatmap, phenotype bars and Kaplan-Meier
curves of risk groups.

Every function returns a ``matplotlib.figure.Figure`` (built without pyplot, so no
window opens and no global state changes) and, given ``path``, writes it there (PNG,
SVG or PDF by the suffix). Maps of a core are drawn in image orientation (``y`` grows
downwards, as in the microscope image), with equal axes in µm and a 100 µm scale bar
(an artist with ``gid="scale-bar"``). Relevance uses symxai's diverging scale
(:mod:`symxai.domains.colours`): blue negative, white 0, red positive, symmetric about 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.colors import Normalize, to_rgba
from matplotlib.figure import Figure

from symxai.data.cells import LUAD_PHENOTYPES, Tissue
from symxai.domains.cells.kaplan_meier import kaplan_meier, log_rank_test
from symxai.domains.cells.tiles import TileGrid
from symxai.domains.colours import colour_scale, relevance_colormap

__all__ = [
    "PHENOTYPE_COLOURS",
    "SCALE_BAR_UM",
    "plot_cell_relevance",
    "plot_interaction_matrix",
    "plot_kaplan_meier",
    "plot_phenotype_bars",
    "plot_phenotypes",
    "plot_tile_map",
]

SCALE_BAR_UM = 100.0
"""Length of the scale bar on every map, in µm."""

PHENOTYPE_COLOURS: dict[str, str] = {
    "Alt MAC": "#2ca02c",  # green: alternatively activated (M2-like) macrophages
    "B cell": "#1f77b4",  # blue
    "Cancer": "#c9b48f",  # tan: tumour cells, the bulk of a nest, kept quiet
    "Cl MAC": "#98df8a",  # light green: classical (M1-like) macrophages
    "Cl Mo": "#9467bd",  # purple: classical monocytes
    "DCs cell": "#e377c2",  # pink: dendritic cells
    "Endothelial cell": "#8c564b",  # brown: vessels
    "Int Mo": "#c5b0d5",  # light purple: intermediate monocytes
    "Mast cell": "#bcbd22",  # olive
    "NK cell": "#17becf",  # cyan
    "NONE": "#e3e3e3",  # pale grey: unlabelled cells
    "Neutrophils": "#7f7f7f",  # grey
    "Non-Cl Mo": "#4b2a7b",  # dark purple: non-classical monocytes
    "T other": "#ffbb78",  # light orange
    "Tc": "#d62728",  # red: cytotoxic T cells
    "Th": "#ff7f0e",  # orange: helper T cells
    "Treg": "#111111",  # black: regulatory T cells
}
"""The fixed colour of each of the 17 LUAD phenotypes (the same in every picture):
lymphocytes warm (Tc red, Th orange, T other light orange, Treg black, B blue, NK
cyan), myeloid cells green (macrophages) and purple (monocytes), tumour tan, unlabelled
cells pale grey. Phenotypes outside this vocabulary are drawn in dark grey."""

_OTHER = "#444444"


def _finish(figure: Figure, path: str | Path | None) -> Figure:
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, dpi=150, bbox_inches="tight")
    return figure


def _add_scale_bar(axes: Any) -> None:
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    bar = AnchoredSizeBar(
        axes.transData,
        SCALE_BAR_UM,
        f"{SCALE_BAR_UM:g} µm",
        "lower right",
        pad=0.4,
        borderpad=0.5,
        sep=4,
        frameon=True,
        size_vertical=4.0,
        color="black",
    )
    bar.patch.set_alpha(0.8)
    bar.patch.set_edgecolor("none")
    bar.set_gid("scale-bar")
    axes.add_artist(bar)


def _map_axes(figure: Figure, positions: np.ndarray, rect: Sequence[float] | None = None) -> Any:
    axes = figure.add_axes(rect or (0.02, 0.02, 0.76, 0.9))
    low, high = positions.min(axis=0), positions.max(axis=0)
    margin = 0.03 * float(max(high - low))
    axes.set_xlim(low[0] - margin, high[0] + margin)
    axes.set_ylim(high[1] + margin, low[1] - margin)  # image orientation: y downwards
    axes.set_aspect("equal")
    axes.set_xticks([])
    axes.set_yticks([])
    return axes


def _marker_size(figure: Figure, axes: Any, positions: np.ndarray) -> float:
    """Marker area (points²) of a disc about as wide as the mean spacing of the cells."""
    low, high = positions.min(axis=0), positions.max(axis=0)
    area = float(np.prod(np.maximum(high - low, 1.0)))
    spacing_um = np.sqrt(area / max(len(positions), 1))
    width_pt = axes.get_position().width * figure.get_figwidth() * 72.0
    points_per_um = width_pt / float(max(high - low) * 1.06)
    return float(max(0.5, (0.9 * spacing_um * points_per_um) ** 2))


def _title(axes: Any, title: str | None, tissue: Tissue, default: str) -> None:
    axes.set_title(title if title is not None else f"{tissue.image_id}: {default}", fontsize=10)


def plot_phenotypes(
    tissue: Tissue, path: str | Path | None = None, title: str | None = None
) -> Figure:
    """The cells of ``tissue`` coloured by phenotype (:data:`PHENOTYPE_COLOURS`), with a
    legend of the phenotypes present and their cell counts."""
    positions = np.asarray(tissue.positions, dtype=np.float64)
    figure = Figure(figsize=(8.2, 6.0))
    axes = _map_axes(figure, positions, (0.02, 0.02, 0.68, 0.9))
    names = tissue.phenotype_names()
    colours = [to_rgba(PHENOTYPE_COLOURS.get(str(name), _OTHER)) for name in names]
    size = _marker_size(figure, axes, positions)
    axes.scatter(
        positions[:, 0], positions[:, 1], c=colours, s=size, linewidths=0.2, edgecolors="#00000040"
    )
    order = [p for p in (*LUAD_PHENOTYPES, *tissue.vocabulary) if p in set(names)]
    handles = [
        axes.scatter(
            [],
            [],
            color=PHENOTYPE_COLOURS.get(p, _OTHER),
            s=30,
            label=f"{p} ({int((names == p).sum())})",
        )
        for p in dict.fromkeys(order)
    ]
    figure.legend(
        handles=handles, loc="center left", bbox_to_anchor=(0.71, 0.5), fontsize=8, frameon=False
    )
    _add_scale_bar(axes)
    _title(axes, title, tissue, f"{tissue.n_cells} cells by phenotype")
    return _finish(figure, path)


def _colour_bar(figure: Figure, mappable: Any, label: str) -> None:
    bar_axes = figure.add_axes((0.82, 0.15, 0.03, 0.65))
    figure.colorbar(mappable, cax=bar_axes, label=label)


def plot_cell_relevance(
    tissue: Tissue,
    relevance: Sequence[float] | np.ndarray,
    path: str | Path | None = None,
    vmax: float | None = None,
    title: str | None = None,
) -> Figure:
    """Per-cell relevance (``explanation.feature_relevance()``) on the diverging scale
    centred at 0 (``vmax`` default: the largest ``|R|``), with a colour bar."""
    values = np.asarray(relevance, dtype=np.float64).reshape(-1)
    if values.shape[0] != tissue.n_cells:
        raise ValueError(f"{values.shape[0]} relevances for {tissue.n_cells} cells")
    positions = np.asarray(tissue.positions, dtype=np.float64)
    scale = colour_scale(values, vmax)
    figure = Figure(figsize=(7.2, 6.0))
    axes = _map_axes(figure, positions)
    order = np.argsort(np.abs(values), kind="stable")  # strongest cells drawn on top
    points = axes.scatter(
        positions[order, 0],
        positions[order, 1],
        c=values[order],
        cmap=relevance_colormap(),
        norm=Normalize(-scale, scale),
        s=_marker_size(figure, axes, positions),
        linewidths=0.2,
        edgecolors="#00000030",
    )
    _colour_bar(figure, points, "cell relevance")
    _add_scale_bar(axes)
    _title(axes, title, tissue, "relevance per cell")
    return _finish(figure, path)


def plot_tile_map(
    tissue: Tissue,
    values: np.ndarray,
    grid: TileGrid,
    path: str | Path | None = None,
    vmax: float | None = None,
    title: str | None = None,
) -> Figure:
    """The tile map: ``v(tile)`` (:func:`~symxai.domains.cells.tile_values`,
    ``[rows, columns]``) on the diverging scale over the grid, tiles without cells in
    light grey, the cells as small grey dots."""
    values = np.asarray(values, dtype=np.float64)
    if values.shape != grid.shape:
        raise ValueError(f"tile values of shape {values.shape} for a {grid.shape} grid")
    positions = np.asarray(tissue.positions, dtype=np.float64)
    finite = values[np.isfinite(values)]
    scale = colour_scale(finite if finite.size else [0.0], vmax)
    figure = Figure(figsize=(7.2, 6.0))
    axes = _map_axes(figure, positions)
    x_min, y_min, x_max, y_max = grid.box
    colour_map = relevance_colormap().with_extremes(bad="#eeeeee")  # tiles without cells
    image = axes.imshow(
        np.ma.masked_invalid(values),
        cmap=colour_map,
        norm=Normalize(-scale, scale),
        extent=(x_min, x_max, y_max, y_min),
        origin="upper",
        interpolation="nearest",
    )
    axes.scatter(positions[:, 0], positions[:, 1], s=1.5, color="#00000066", linewidths=0)
    width, height = grid.tile_size
    columns = x_min + width * np.arange(grid.columns + 1)
    rows = y_min + height * np.arange(grid.rows + 1)
    axes.vlines(columns, y_min, y_max, color="#00000030", linewidth=0.5)
    axes.hlines(rows, x_min, x_max, color="#00000030", linewidth=0.5)
    _colour_bar(figure, image, "v(tile): walks inside the tile")
    _add_scale_bar(axes)
    _title(axes, title, tissue, f"tile map ({grid.rows} x {grid.columns})")
    return _finish(figure, path)


def plot_interaction_matrix(
    matrix: pd.DataFrame, path: str | Path | None = None, title: str | None = None
) -> Figure:
    """Heatmap of ``R(A & B)`` (:func:`~symxai.domains.cells.interaction_matrix`) on the
    diverging scale centred at 0, the values written in the cells when they fit (below
    ``1e-4`` of the largest ``|R|`` as 0)."""
    values = matrix.to_numpy(dtype=np.float64)
    scale = colour_scale(values[np.isfinite(values)] if np.isfinite(values).any() else [0.0])
    size = 2.0 + 0.42 * len(matrix)
    figure = Figure(figsize=(size + 1.4, size))
    axes = figure.add_axes((0.25, 0.25, 0.6, 0.65))
    image = axes.imshow(values, cmap=relevance_colormap(), norm=Normalize(-scale, scale))
    axes.set_xticks(
        range(len(matrix.columns)),
        [str(c) for c in matrix.columns],
        rotation=60,
        ha="right",
        fontsize=8,
    )
    axes.set_yticks(range(len(matrix.index)), [str(i) for i in matrix.index], fontsize=8)
    if len(matrix) <= 17:
        for (row, column), value in np.ndenumerate(values):
            if np.isfinite(value):
                strong = abs(value) > 0.6 * scale
                axes.text(
                    column,
                    row,
                    "0" if abs(value) < 1e-4 * scale else f"{value:.2g}",
                    ha="center",
                    va="center",
                    fontsize=5.5,
                    color="white" if strong else "black",
                )
    figure.colorbar(image, ax=axes, fraction=0.046, pad=0.04, label="R(A & B)")
    axes.set_title(title or "Phenotype-pair interactions R(A & B)", fontsize=10)
    return _finish(figure, path)


def plot_phenotype_bars(
    bars: pd.Series, path: str | Path | None = None, title: str | None = None
) -> Figure:
    """Horizontal bars of the relevance of each phenotype
    (:func:`~symxai.domains.cells.phenotype_bars`), coloured by phenotype, largest
    ``|R|`` on top."""
    order = bars.reindex(bars.abs().sort_values().index)
    figure = Figure(figsize=(6.0, 1.0 + 0.3 * len(order)))
    axes = figure.add_axes((0.3, 0.12, 0.65, 0.8))
    axes.barh(
        range(len(order)),
        order.to_numpy(),
        color=[PHENOTYPE_COLOURS.get(str(name), _OTHER) for name in order.index],
        edgecolor="black",
        linewidth=0.4,
    )
    axes.set_yticks(range(len(order)), [str(name) for name in order.index], fontsize=8)
    axes.axvline(0.0, color="black", linewidth=0.8)
    axes.set_xlabel(str(bars.name or "relevance"))
    axes.set_title(title or "Relevance per phenotype", fontsize=10)
    return _finish(figure, path)


_GROUP_COLOURS = {"low": "#1f77b4", "intermediate": "#7f7f7f", "high": "#d62728"}


def plot_kaplan_meier(
    time: Sequence[float],
    event: Sequence[bool],
    groups: Sequence[Any] | np.ndarray,
    path: str | Path | None = None,
    title: str | None = None,
    colours: Mapping[str, str] | None = None,
) -> Figure:
    """Kaplan-Meier curves (:func:`~symxai.domains.cells.kaplan_meier`) of each group
    (e.g. :func:`~symxai.domains.cells.risk_groups` of the predicted log hazard), with
    censoring ticks, group sizes and the log-rank p-value."""
    time_a = np.asarray(time, dtype=np.float64)
    event_a = np.asarray(event).astype(bool)
    labels = np.asarray(groups, dtype=object)
    colours = {**_GROUP_COLOURS, **(colours or {})}
    order = [g for g in ("low", "intermediate", "high") if g in set(labels)]
    order += [g for g in dict.fromkeys(labels) if g not in order]
    figure = Figure(figsize=(6.4, 4.4))
    axes = figure.add_axes((0.12, 0.13, 0.83, 0.77))
    for index, group in enumerate(order):
        chosen = labels == group
        curve = kaplan_meier(time_a[chosen], event_a[chosen])
        steps_t = np.concatenate([[0.0], curve["time"].to_numpy()])
        steps_s = np.concatenate([[1.0], curve["survival"].to_numpy()])
        colour = colours.get(str(group), f"C{index}")
        axes.step(
            steps_t,
            steps_s,
            where="post",
            color=colour,
            label=f"{group} risk (n = {int(chosen.sum())})",
        )
        censored = curve[curve["censored"] > 0]
        axes.plot(censored["time"], censored["survival"], "|", color=colour, markersize=6)
    if len(order) > 1:
        _, p_value = log_rank_test(time_a, event_a, labels)
        axes.text(
            0.98,
            0.95,
            f"log-rank p = {p_value:.2g}",
            transform=axes.transAxes,
            ha="right",
            va="top",
            fontsize=9,
        )
    axes.set_ylim(0.0, 1.02)
    axes.set_xlim(left=0.0)
    axes.set_xlabel("overall survival (months)")
    axes.set_ylabel("survival probability")
    axes.legend(loc="lower left", fontsize=8, frameon=False)
    axes.set_title(title or "Kaplan-Meier curves of predicted risk groups", fontsize=10)
    return _finish(figure, path)

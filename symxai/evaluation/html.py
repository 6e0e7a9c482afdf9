"""The self-contained HTML page of an evaluation run (``symxai evaluate``).

Built as the report page is (:mod:`symxai.report.html`): one file, no scripts, no
external resources, the plot an SVG ``data:`` URI, every text from the inputs, the
settings and the errors HTML-escaped by Jinja2's autoescaping.

Sections: the domain (its description in the domain registry) and the run's settings;
the mean deletion and insertion curves of every ordering (mean over inputs, shaded
band: ± one standard error; peers' orderings dashed); the areas under them per ordering
and kind (mean ± standard error over inputs; deletion: lower is better, insertion:
higher is better; the best marked); the method table of symxai and its peers (pooled
and mean AUROC, average precision, top-k accuracy against the ground truth, mean
deletion and insertion areas of each method's own ordering, CPU seconds per input; the
best of each column marked); the failures; and the command that reproduces the run.
"""

from __future__ import annotations

import datetime as _dt
import io
import shlex
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from symxai.evaluation.run import PARTS, EvaluationResult
from symxai.report.html import svg_data_uri

__all__ = ["area_summary", "evaluation_command", "write_evaluation_html"]

KIND_GOAL = {"deletion": "lower is better", "insertion": "higher is better"}
PART_NAMES = {"pairs": "pairs (edges, bonds)", "features": "features (nodes, atoms, words)"}
METHOD_COLUMNS = (
    ("pooled_auroc", "pooled AUROC", "max"),
    ("mean_auroc", "mean AUROC", "max"),
    ("average_precision", "AP", "max"),
    ("top_k", "top-k", "max"),
)
CURVE_COLUMNS = (
    ("deletion_area", "deletion area", "min"),
    ("insertion_area", "insertion area", "max"),
    ("seconds_per_input", "CPU s / input", "min"),
)


def evaluation_command(settings: dict[str, Any], output: str | Path | None = None) -> str:
    """The ``symxai evaluate`` command line that repeats a run with these settings."""
    words = ["symxai", "evaluate", "--domain", settings["domain"], "--data", settings["data"]]
    if settings.get("model") is not None:
        words += ["--model", str(settings["model"])]
    for key in ("backend", "perturbation"):
        if settings.get(key):
            words += [f"--{key}", str(settings[key])]
    target = settings.get("target")
    if target is not None:
        words += ["--target", ",".join(map(str, target)) if isinstance(target, list) else target]
    if settings.get("input_ids"):
        words += ["--inputs", ",".join(settings["input_ids"])]
    elif settings.get("limit"):
        words += ["--limit", str(settings["limit"])]
    words += ["--orderings", ",".join(settings["orderings"])]
    if settings.get("peers"):
        words += ["--peers", ",".join(settings["peers"])]
    for key in ("points", "seed", "repeats", "greedy_step"):
        if key in settings:
            words += [f"--{key.replace('_', '-')}", str(settings[key])]
    if output is not None:
        words += ["--output", str(output)]
    return shlex.join(str(word) for word in words)


def area_summary(result: EvaluationResult) -> pd.DataFrame:
    """Per ordering and kind: mean area, its standard error over inputs and the number
    of inputs with a defined area (NaN areas skipped)."""
    table = result.table.dropna(subset=["area"])
    if table.empty:
        return pd.DataFrame(columns=["ordering", "kind", "mean", "se", "inputs"])
    grouped = table.groupby(["ordering", "kind"], sort=False)["area"]
    summary = pd.DataFrame(
        {"mean": grouped.mean(), "se": grouped.sem(ddof=1).fillna(0.0), "inputs": grouped.size()}
    )
    return summary.reset_index()


def _curves_plot(result: EvaluationResult) -> str | None:
    """Two panels (deletion, insertion): one line per ordering with its ± SE band, and
    each peer's ordering dashed."""
    from matplotlib.figure import Figure

    drawn = {
        name: by_kind
        for name, by_kind in result.curves.items()
        if any(np.isfinite(curve).all() for curve in by_kind.values())
    }
    peers = {
        name: by_kind
        for name, by_kind in result.method_curves.items()
        if name != "symxai" and any(np.isfinite(curve).all() for curve in by_kind.values())
    }
    if not drawn and not peers:
        return None
    figure = Figure(figsize=(10, 4.2))
    axes = figure.subplots(1, 2, sharey=True)
    x = result.fractions
    for panel, kind in zip(axes, ("deletion", "insertion"), strict=True):
        for colour, (name, by_kind) in enumerate(drawn.items()):
            mean = by_kind[kind]
            if not np.isfinite(mean).all():
                continue
            panel.plot(x, mean, color=f"C{colour}", label=name, linewidth=1.8)
            error = result.curve_errors.get(name, {}).get(kind)
            if error is not None and np.isfinite(error).all():
                panel.fill_between(x, mean - error, mean + error, color=f"C{colour}", alpha=0.18)
        for offset, (name, by_kind) in enumerate(peers.items()):
            mean = by_kind[kind]
            if np.isfinite(mean).all():
                colour = f"C{(len(drawn) + offset) % 10}"
                label = f"{name} (peer)"
                panel.plot(x, mean, color=colour, linestyle="--", linewidth=1.3, label=label)
        panel.axhline(0.0, color="#bbb", linewidth=0.7)
        panel.axhline(1.0, color="#bbb", linewidth=0.7)
        what = "removed" if kind == "deletion" else "added"
        panel.set_xlabel(f"fraction of features {what}")
        panel.set_title(f"{kind} (area: {KIND_GOAL[kind]})", fontsize=10)
    axes[0].set_ylabel("normalised output (f(S) - f(∅)) / (f(N) - f(∅))")
    axes[1].legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=8)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    return svg_data_uri(buffer.getvalue())


def _area_rows(result: EvaluationResult) -> list[dict[str, Any]]:
    summary = area_summary(result)
    rows = []
    for ordering in result.settings.get("orderings", []):
        row: dict[str, Any] = {"ordering": ordering}
        for kind in ("deletion", "insertion"):
            found = summary[(summary["ordering"] == ordering) & (summary["kind"] == kind)]
            row[kind] = (
                {"mean": float(found["mean"].iloc[0]), "se": float(found["se"].iloc[0])}
                if len(found)
                else None
            )
        rows.append(row)
    for kind, best in (("deletion", min), ("insertion", max)):
        defined = [row[kind]["mean"] for row in rows if row[kind] is not None]
        if defined:
            winner = best(defined)
            for row in rows:
                if row[kind] is not None:
                    row[kind]["best"] = row[kind]["mean"] == winner
    return rows


def _method_table(result: EvaluationResult) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """Columns (key, header) and rows of the method table, the best of a column marked."""
    summary = result.method_summary()
    if summary.empty:
        return [], []
    columns = []
    for part in PARTS:
        for key, header, goal in METHOD_COLUMNS:
            name = f"{part}_{key}"
            if name in summary and summary[name].notna().any():
                columns.append({"key": name, "header": f"{header}", "part": part, "goal": goal})
    for key, header, goal in CURVE_COLUMNS:
        if key in summary and summary[key].notna().any():
            columns.append({"key": key, "header": header, "part": "", "goal": goal})
    rows = []
    for method, values in summary.iterrows():
        cells = []
        for column in columns:
            value = float(values[column["key"]])
            cells.append({"value": value, "best": False})
        rows.append({"method": method, "cells": cells, "inputs": int(values["inputs"])})
    for position, column in enumerate(columns):
        values = [row["cells"][position]["value"] for row in rows]
        finite = [v for v in values if np.isfinite(v)]
        if len(finite) > 1:
            best = max(finite) if column["goal"] == "max" else min(finite)
            for row in rows:
                row["cells"][position]["best"] = row["cells"][position]["value"] == best
    return columns, rows


def _part_spans(columns: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Header groups: consecutive columns of one ground-truth part."""
    spans: list[dict[str, Any]] = []
    for column in columns:
        label = PART_NAMES.get(column["part"], "curves and cost")
        if spans and spans[-1]["label"] == label:
            spans[-1]["width"] += 1
        else:
            spans.append({"label": label, "width": 1})
    return spans


def write_evaluation_html(
    result: EvaluationResult, path: str | Path, *, command: str | None = None
) -> Path:
    """Write the page of ``result`` to ``path`` (see the module docstring); ``command``
    is the line that reproduces the run (default: :func:`evaluation_command`)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    from symxai import __version__
    from symxai.domains.registry import get_domain

    settings = result.settings
    data = settings.get("data")
    try:
        description = get_domain(settings["domain"]).description
    except (KeyError, ValueError):
        description = ""
    columns, methods = _method_table(result)
    environment = Environment(
        loader=PackageLoader("symxai.evaluation", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
    )
    shown = {
        key: ", ".join(map(str, value)) if isinstance(value, list) else value
        for key, value in settings.items()
        if key not in ("notes", "input_ids", "limit") and value not in (None, "", [])
    }
    if settings.get("input_ids"):
        shown["input ids"] = ", ".join(settings["input_ids"])
    page = environment.get_template("evaluation.html.j2").render(
        title=f"symxai evaluation: {settings.get('domain')} / {Path(str(data)).name}",
        version=__version__,
        written=_dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        domain=settings.get("domain"),
        description=description,
        settings=shown,
        notes=settings.get("notes", []),
        evaluated=result.table["input"].nunique() if not result.table.empty else 0,
        inputs=settings.get("inputs", 0),
        curves=_curves_plot(result),
        areas=_area_rows(result),
        columns=columns,
        spans=_part_spans(columns),
        methods=methods,
        failures=[{"input": key, "error": value} for key, value in result.errors.items()],
        command=command or evaluation_command(settings),
    )
    path = Path(path)
    path.write_text(page, encoding="utf-8")
    return path

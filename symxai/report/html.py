"""The self-contained HTML page of a batch report.

One file, no scripts, no external resources: the plots (matplotlib) and the pictures of
the top inputs (RDKit molecule drawings, token heatmaps) are SVG images embedded as
``data:`` URIs, so nothing inside them can run in the page. Every text that comes from
the inputs, the queries or the errors is HTML-escaped by Jinja2's autoescaping.

Sections: the domain (its description in the domain registry), the spec (the target
named by its classes, shapley mode's query set ``Q``), a table of every query's
relevance over the data set (mean, median, spread, share positive, per-class means),
the distribution of each query's relevance, the per-class comparison, the top inputs
of every query (largest non-zero ``|R|``) with their pictures and class names, and the
failed inputs.
"""

from __future__ import annotations

import base64
import datetime as _dt
import io
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from symxai.report.tasks import ReportTask

__all__ = ["svg_data_uri", "write_html"]


def svg_data_uri(svg: bytes) -> str:
    """``data:image/svg+xml;base64,...`` of an SVG document."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _figure_uri(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    return svg_data_uri(buffer.getvalue())


def _label_names(table: pd.DataFrame, task: ReportTask) -> pd.Series:
    names = task.class_names()
    return table["label"].map(
        lambda v: (
            None if v is None or (isinstance(v, float) and np.isnan(v)) else names.get(v, str(v))
        )
    )


def _distribution_plot(table: pd.DataFrame, queries: list[str]) -> str:
    """Box plots of each query's relevance over the inputs where it is non-zero (a query
    whose atoms an input lacks has ``R = 0`` there), with their count."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 0.45 * len(queries) + 1.2))
    axes = figure.add_subplot()
    data, labels = [], []
    for query in queries:
        values = table.loc[table["query"] == query, "relevance"].dropna().to_numpy()
        nonzero = values[values != 0]
        data.append(nonzero if nonzero.size else np.array([0.0]))
        labels.append(f"{query} (n={nonzero.size})")
    axes.boxplot(
        data,
        orientation="horizontal",
        showfliers=True,
        flierprops={"markersize": 2, "alpha": 0.4},
    )
    axes.set_yticks(range(1, len(queries) + 1), labels)
    axes.invert_yaxis()
    axes.axvline(0.0, color="#999", linewidth=0.8)
    axes.set_xlabel("relevance R(q) over the inputs where it is non-zero")
    return _figure_uri(figure)


def _class_plot(table: pd.DataFrame, queries: list[str], classes: list[str]) -> str:
    """Mean relevance of each query per class, with standard errors (all inputs)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 0.55 * len(queries) + 1.4))
    axes = figure.add_subplot()
    height = 0.8 / len(classes)
    for c, name in enumerate(classes):
        rows = table.loc[table["class"] == name]
        means, errors = [], []
        for query in queries:
            values = rows.loc[rows["query"] == query, "relevance"].dropna()
            means.append(float(values.mean()) if len(values) else np.nan)
            errors.append(float(values.sem()) if len(values) > 1 else 0.0)
        positions = np.arange(len(queries)) + (c - (len(classes) - 1) / 2) * height
        axes.barh(
            positions,
            means,
            height=height * 0.9,
            xerr=errors,
            color=f"C{c}",
            alpha=0.75,
            label=name,
            error_kw={"linewidth": 0.8},
        )
    axes.set_yticks(range(len(queries)), queries)
    axes.invert_yaxis()
    axes.axvline(0.0, color="#999", linewidth=0.8)
    axes.set_xlabel("mean relevance R(q) per class (± standard error)")
    axes.legend(loc="best", fontsize=8)
    return _figure_uri(figure)


def _picture(
    task: ReportTask, input_id: str, folder: Path, cache: dict[str, str | None]
) -> str | None:
    """The input drawn with its feature relevance (cached per input; ``None`` on failure)."""
    if input_id not in cache:
        try:
            explanation = task.explanation(input_id)
            path = task.draw(input_id, explanation, folder / f"{len(cache)}.svg", legend="")
            cache[input_id] = svg_data_uri(path.read_bytes())
        except Exception:
            cache[input_id] = None
    return cache[input_id]


def write_html(
    task: ReportTask,
    table: pd.DataFrame,
    failures: pd.DataFrame,
    path: Path,
    *,
    top: int | None = None,
) -> Path:
    """Write the report page of a finished run to ``path`` (see the module docstring)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    from symxai import __version__

    spec = task.spec
    top = spec.top if top is None else top
    queries = [query.name for query in spec.queries]
    formulas = {query.name: query.formula for query in spec.queries}
    table = table.copy()
    table["class"] = _label_names(table, task)
    classes = [c for c in dict.fromkeys(table["class"].dropna()) if c is not None]
    summary = []
    for name in queries:
        values = table.loc[table["query"] == name]
        relevance = values["relevance"].dropna()
        summary.append(
            {
                "query": name,
                "formula": formulas[name],
                "mean": float(relevance.mean()) if len(relevance) else float("nan"),
                "median": float(relevance.median()) if len(relevance) else float("nan"),
                "std": float(relevance.std()) if len(relevance) > 1 else 0.0,
                "positive": float((relevance > 0).mean()) if len(relevance) else 0.0,
                "by_class": {
                    str(c): float(group["relevance"].mean())
                    for c, group in values.groupby("class", dropna=True)
                },
            }
        )
    blocks, pictures = [], {}
    with tempfile.TemporaryDirectory() as scratch:
        for name in queries:
            rows = table.loc[table["query"] == name].dropna(subset=["relevance"])
            rows = rows[rows["relevance"] != 0]  # an input without the query's atoms
            rows = rows.reindex(rows["relevance"].abs().sort_values(ascending=False).index)
            items = []
            for row in rows.head(top).to_dict("records"):
                record = task.record(str(row["input"]))
                items.append(
                    {
                        "input": row["input"],
                        "relevance": float(row["relevance"]),
                        "prediction": float(row["prediction"]),
                        "label": row["class"] if isinstance(row["class"], str) else None,
                        "text": record.text,
                        "picture": _picture(task, str(row["input"]), Path(scratch), pictures),
                    }
                )
            blocks.append({"query": name, "formula": formulas[name], "items": items})
    has_rows = not table.empty
    environment = Environment(
        loader=PackageLoader("symxai.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
    )
    page = environment.get_template("report.html.j2").render(
        title=spec.title or f"symxai report: {spec.domain} / {Path(spec.data).name}",
        version=__version__,
        written=_dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        inputs=table["input"].nunique(),
        spec={
            key: value
            for key, value in (
                task.spec.describe() | task.settings() | {"queries": len(queries)}
            ).items()
            if value not in ("", None)
        },
        target=task.describe_target(),
        domain=task.domain if task.domain.description else None,
        queries=queries,
        class_names=classes,
        summary=summary,
        distribution=_distribution_plot(table, queries) if has_rows else None,
        by_class=_class_plot(table, queries, classes) if has_rows and len(classes) > 1 else None,
        top=blocks,
        failures=failures.to_dict("records"),
    )
    path = Path(path)
    path.write_text(page, encoding="utf-8")
    return path

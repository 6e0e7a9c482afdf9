"""Batch query reports: query files, report specs, the batch runner and its outputs.

::

    from symxai.report import load_spec, run_report

    result = run_report(load_spec("mutagenicity.toml"))
    result.table          # tidy: input, query, formula, relevance, mode, prediction, label
    result.files["html"]  # the self-contained HTML page

Layers: :mod:`~symxai.report.queries` (query files), :mod:`~symxai.report.spec` (specs),
:mod:`~symxai.report.tasks` (what a domain's inputs are and how they are explained),
:mod:`~symxai.report.executors` (serial, local processes, Dask),
:mod:`~symxai.report.store` (the resumable, validated journal),
:mod:`~symxai.report.lock` (one run per output folder), :mod:`~symxai.report.runner`
(the run) and :mod:`~symxai.report.html` (the page).
"""

from symxai.report.lock import OutputLockedError
from symxai.report.queries import (
    NamedQuery,
    QueryFileError,
    named_queries,
    parse_query_lines,
    read_query_file,
)
from symxai.report.runner import ReportResult, run_report, write_tables
from symxai.report.spec import ReportSpec, SpecError, load_spec, spec_from_mapping
from symxai.report.store import OutputFolderError, ResumeError

__all__ = [
    "NamedQuery",
    "OutputFolderError",
    "OutputLockedError",
    "QueryFileError",
    "ReportResult",
    "ReportSpec",
    "ResumeError",
    "SpecError",
    "load_spec",
    "named_queries",
    "parse_query_lines",
    "read_query_file",
    "run_report",
    "spec_from_mapping",
    "write_tables",
]

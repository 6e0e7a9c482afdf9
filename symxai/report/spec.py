"""Report specs: what a batch run explains, with which model, and where it writes.

A spec is a TOML or YAML file (or the same keys given on the command line)::

    # mutagenicity.toml
    title = "Nitro groups in Mutagenicity"
    domain = "molecules"            # a registered domain (symxai domains): molecules | text | ...
    data = "Mutagenicity"           # a shipped data set, or a file of SMILES / sentences / frames
    model = "mutagenicity-gin"      # a shipped model name, a weights file, or module:function
    featurizer = "tu"               # molecules: tu | ogb | module:function (default: the model's)
    backend = "gnn-lrp"             # the domain's backends, its first by default (symxai domains)
    perturbation = "remove"         # molecules under perturbation: remove | baseline
    target = [0, 1]                 # class index, [i, j] logit difference, or a named target
    mode = "harsanyi"               # harsanyi | shapley
    shapley_set = "queries"         # shapley mode's Q: the report's queries, or "features"
    queries = "queries.txt"         # a query file, a list of queries, or a table name -> query
    output = "mutagenicity-report"  # folder of the tidy table and the HTML page
    formats = ["csv", "parquet", "html"]
    limit = 500                     # optional: the first N inputs only
    groups = "groups.txt"           # optional (molecules): named groups, name: SMARTS lines

The domain, and what its data, models, backends and perturbations may be, come from
the domain registry (:mod:`symxai.domains.registry`). Relative paths are read relative
to the spec file. Unknown keys and wrong types raise
:class:`SpecError` naming the file, the key and what was expected.

In shapley mode every dividend is shared among the queries of a set ``Q`` that are true
on it. ``shapley_set = "queries"`` (the default, the paper's definition) takes ``Q`` =
the report's own queries: ``2^k`` value calls per input for the ``k`` distinct atoms of
all queries. ``shapley_set = "features"`` takes ``Q`` = the singletons of the features,
which needs exact dividends (``2^n`` value calls for ``n`` features otherwise).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from symxai.domains.registry import (
    Domain,
    DomainError,
    available_domains,
    get_domain,
    unknown_domain_message,
)
from symxai.errors import SymxaiError
from symxai.relevance import MODES
from symxai.report.queries import NamedQuery, named_queries
from symxai.report.textfile import read_text_file

__all__ = ["FORMATS", "ReportSpec", "SpecError", "load_spec"]

FORMATS = ("csv", "parquet", "jsonl", "html")
SHAPLEY_SETS = ("queries", "features")


class SpecError(SymxaiError, ValueError):
    """A report spec is malformed: the message names the file and the key."""


@dataclass
class ReportSpec:
    """Everything a batch run needs; see the module docstring for the keys."""

    domain: str = "molecules"
    data: str = "Mutagenicity"
    model: str | None = None
    featurizer: str | None = None
    backend: str | None = None
    perturbation: str | None = None
    target: Any = None
    mode: str = "harsanyi"
    shapley_set: str = "queries"
    queries: list[NamedQuery] = field(default_factory=list)
    output: Path = Path("symxai-report")
    formats: tuple[str, ...] = ("csv", "parquet", "html")
    limit: int | None = None
    title: str = ""
    top: int = 5
    chunk_size: int = 256
    missing: str = "absent"
    groups: str | None = None
    source: str = "<spec>"

    def __post_init__(self) -> None:
        where = self.source
        if self.domain not in available_domains():
            raise SpecError(f"{where}: {unknown_domain_message(self.domain)}")
        if self.mode not in MODES:
            raise SpecError(f"{where}: mode {self.mode!r} is not one of {', '.join(MODES)}")
        if self.shapley_set not in SHAPLEY_SETS:
            raise SpecError(
                f"{where}: shapley_set {self.shapley_set!r} is not one of {', '.join(SHAPLEY_SETS)}"
            )
        bad = [f for f in self.formats if f not in FORMATS]
        if bad:
            raise SpecError(f"{where}: unknown output format(s) {bad}; choose from {FORMATS}")
        for key, least in (("limit", 1), ("chunk_size", 1), ("top", 0)):
            value = getattr(self, key)
            if value is None and key == "limit":
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                kind = "positive" if least else "non-negative"
                raise SpecError(f"{where}: {key} must be a {kind} integer, got {value!r}")
        if self.perturbation is not None:
            self._check_perturbation(where)
        if self.featurizer is not None:
            self._check_featurizer(where)
        if self.missing not in ("absent", "error"):
            raise SpecError(f"{where}: missing must be 'absent' or 'error', got {self.missing!r}")
        if isinstance(self.target, list):
            self.target = tuple(self.target)
        self.output = Path(self.output)
        self.formats = tuple(self.formats)

    def _check_perturbation(self, where: str) -> None:
        """The spec's ``perturbation`` must be one of its domain's choices."""
        choices = self.domain_adapter().perturbations
        if not choices:
            raise SpecError(
                f"{where}: perturbation applies to {' and '.join(_perturbing_domains())} "
                f"only, not to {self.domain}"
            )
        if self.perturbation not in choices:
            raise SpecError(
                f"{where}: perturbation {self.perturbation!r} is not one of {', '.join(choices)}"
            )

    def _check_featurizer(self, where: str) -> None:
        """The spec's ``featurizer`` must be one of its domain's or ``module:function``."""
        choices = tuple(getattr(self.domain_adapter(), "featurizers", ()))
        if not choices:
            raise SpecError(f"{where}: featurizer applies to molecules only, not to {self.domain}")
        if self.featurizer not in choices and ":" not in self.featurizer:
            raise SpecError(
                f"{where}: featurizer {self.featurizer!r} is not one of "
                f"{', '.join(choices)} or module:function"
            )

    def domain_adapter(self) -> Domain:
        """The registered :class:`~symxai.domains.registry.Domain` the spec names."""
        try:
            return get_domain(self.domain)
        except DomainError as error:
            raise SpecError(f"{self.source}: {error}") from None

    def settings(self, **defaults: Any) -> dict[str, Any]:
        """The run-wide settings that determine every row: domain, data and model (files
        by their resolved path, so a spec resumes from any working directory), backend,
        target, mode, shapley mode's ``Q`` and the treatment of missing atoms.

        ``defaults`` (``model``, ``backend``, ``target``) fill in what the spec leaves to
        the domain, so that leaving a setting out and spelling out its default agree."""
        model, backend, target = (
            defaults.get(key) if getattr(self, key) is None else getattr(self, key)
            for key in ("model", "backend", "target")
        )
        settings = {
            "domain": self.domain,
            "data": _resolved(self.data),
            "model": _resolved(model),
            "backend": backend,
            "target": list(target) if isinstance(target, tuple) else target,
            "mode": self.mode,
            "shapley_set": self.shapley_set if self.mode == "shapley" else None,
            "missing": self.missing,
        }
        choices = self.domain_adapter().perturbations
        if backend == "perturbation" and choices:
            settings["perturbation"] = self.perturbation or choices[0]
        if self.groups is not None:
            settings["groups"] = _file_digest(self.groups)
        if self.featurizer is not None:
            settings["featurizer"] = self.featurizer
        return settings

    def fingerprint(self, **defaults: Any) -> str:
        """Hash of :meth:`settings`: a resumed run must match the run that wrote the rows.

        The queries are not part of it: every journal row carries the definition of its
        query (:meth:`query_definitions`), so a changed query is explained again while
        the rows of unchanged queries are kept."""
        return _digest(self.settings(**defaults))

    def query_set(self) -> list[str] | None:
        """Shapley mode's ``Q`` as canonical formulas (the report's queries), or ``None``
        for the feature-level set (and in harsanyi mode)."""
        if self.mode != "shapley" or self.shapley_set != "queries":
            return None
        return [query.formula for query in self.queries]

    def describe_query_set(self) -> str:
        """Which ``Q`` shapley mode shares among, in words (empty in harsanyi mode)."""
        if self.mode != "shapley":
            return ""
        if self.shapley_set == "queries":
            count = len(self.queries)
            return f"Q = the report's {count} quer{'y' if count == 1 else 'ies'}"
        return "Q = the single features"

    def query_definitions(self) -> dict[str, str]:
        """Per query name, a hash of everything its rows depend on beyond :meth:`settings`:
        its canonical formula, its mode and context (all features, with ``missing``), and
        in shapley mode the set ``Q`` its dividends are shared with."""
        shared = self.query_set()
        return {
            query.name: _digest(
                {
                    "formula": query.formula,
                    "mode": self.mode,
                    "context": "all features",
                    "missing": self.missing,
                    "query_set": shared,
                }
            )
            for query in self.queries
        }

    def describe(self) -> dict[str, Any]:
        """Plain-data summary (for ``run.json`` and the HTML page)."""
        out = {k: v for k, v in asdict(self).items() if k not in ("queries", "output", "source")}
        out["queries"] = {q.name: q.formula for q in self.queries}
        out["target"] = list(self.target) if isinstance(self.target, tuple) else self.target
        out["formats"] = list(self.formats)
        if self.mode == "shapley":
            out["shapley_set"] = self.describe_query_set()
        else:
            del out["shapley_set"]
        return out


def _perturbing_domains() -> list[str]:
    """The registered domains that offer perturbation choices (those that load)."""
    found = []
    for name in available_domains():
        try:
            if get_domain(name).perturbations:
                found.append(name)
        except DomainError:
            continue
    return found or ["no domain"]


def _resolved(name: str | None) -> str | None:
    """An existing file's absolute path; a shipped name (or ``None``) as it is."""
    if name is not None and Path(name).is_file():
        return str(Path(name).resolve())
    return name


def _file_digest(path: str) -> dict[str, str]:
    """A file by its resolved path and a hash of its bytes (empty when unreadable: the
    task that reads it reports why)."""
    try:
        content = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    except OSError:
        content = ""
    return {"file": str(Path(path).resolve()), "sha256": content}


def _digest(values: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]


_TYPES: dict[str, tuple[type, ...]] = {
    "domain": (str,),
    "data": (str,),
    "model": (str,),
    "featurizer": (str,),
    "backend": (str,),
    "perturbation": (str,),
    "target": (int, str, list),
    "mode": (str,),
    "shapley_set": (str,),
    "queries": (str, list, dict),
    "output": (str,),
    "formats": (list,),
    "limit": (int,),
    "title": (str,),
    "top": (int,),
    "chunk_size": (int,),
    "missing": (str,),
    "groups": (str,),
}


def _read(path: Path) -> Mapping[str, Any]:
    """The keys of a TOML or YAML spec file (UTF-8, a byte-order mark allowed); a
    missing path, a directory, a device or bytes that are not UTF-8 are named as such."""
    text = read_text_file(path, "report spec")
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            return tomllib.loads(text)
        if suffix in (".yaml", ".yml"):
            loaded = yaml.safe_load(text)
            if loaded is None:
                return {}
            if not isinstance(loaded, Mapping):
                raise SpecError(
                    f"{path}: a spec must be a mapping of keys, got {type(loaded).__name__}"
                )
            return loaded
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"{path}: not valid TOML: {error}") from None
    except yaml.YAMLError as error:
        raise SpecError(f"{path}: not valid YAML: {error}") from None
    raise SpecError(f"{path}: a spec must be a .toml, .yaml or .yml file")


def spec_from_mapping(
    values: Mapping[str, Any], source: str = "<spec>", base: Path | None = None
) -> ReportSpec:
    """A :class:`ReportSpec` from plain keys (a parsed TOML/YAML file, or CLI options)."""
    known = {f.name for f in fields(ReportSpec)} - {"source"}
    values = dict(values)
    if isinstance(values.get("report"), Mapping) and len(values) == 1:
        values = dict(values["report"])
    for key, value in values.items():
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=2)
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise SpecError(f"{source}: unknown key {key!r}{hint}")
        types = _TYPES.get(key)
        if (
            value is not None
            and types
            and (not isinstance(value, types) or isinstance(value, bool))
        ):
            expected = " or ".join(t.__name__ for t in types)
            raise SpecError(
                f"{source}: key {key!r} must be {expected}, got {type(value).__name__} {value!r}"
            )
    base = base or Path.cwd()
    queries = values.pop("queries", None)
    if queries is None:
        raise SpecError(f"{source}: no queries given (key 'queries')")
    if isinstance(queries, str):
        queries = base / queries
    parsed = named_queries(queries, source=f"{source}, query")
    if not parsed:
        raise SpecError(f"{source}: the query list is empty")
    data = values.get("data")
    if isinstance(data, str) and (base / data).is_file():
        values["data"] = str((base / data).resolve())
    model = values.get("model")
    if isinstance(model, str) and (base / model).is_file():
        values["model"] = str((base / model).resolve())
    if isinstance(values.get("groups"), str):
        values["groups"] = str((base / values["groups"]).resolve())
    if "output" in values:
        values["output"] = (base / values["output"]).resolve()
    return ReportSpec(**values, queries=parsed, source=source)


def load_spec(path: str | Path, **overrides: Any) -> ReportSpec:
    """Read a TOML/YAML report spec; ``overrides`` (not ``None``) replace its keys."""
    path = Path(path)
    values = dict(_read(path))
    values.update({k: v for k, v in overrides.items() if v is not None})
    return spec_from_mapping(values, str(path), path.parent)

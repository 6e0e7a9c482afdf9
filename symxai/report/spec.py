"""Report specs: what a batch run explains, with which model, and where it writes.

A spec is a TOML or YAML file (or the same keys given on the command line)::

    # mutagenicity.toml
    title = "Nitro groups in Mutagenicity"
    domain = "molecules"            # molecules | text
    data = "Mutagenicity"           # a shipped data set, or a file of SMILES / sentences
    model = "mutagenicity-gin"      # a shipped model name, or a weights file
    backend = "gnn-lrp"             # gnn-lrp | perturbation (molecules); lrp | perturbation (text)
    target = [0, 1]                 # class index, [i, j] logit difference, or a named target
    mode = "harsanyi"               # harsanyi | shapley
    queries = "queries.txt"         # a query file, a list of queries, or a table name -> query
    output = "mutagenicity-report"  # folder of the tidy table and the HTML page
    formats = ["csv", "parquet", "html"]
    limit = 500                     # optional: the first N inputs only

Relative paths are read relative to the spec file. Unknown keys and wrong types raise
:class:`SpecError` naming the file, the key and what was expected.
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

from symxai.errors import SymxaiError
from symxai.relevance import MODES
from symxai.report.queries import NamedQuery, named_queries
from symxai.report.textfile import read_text_file

__all__ = ["FORMATS", "ReportSpec", "SpecError", "load_spec"]

FORMATS = ("csv", "parquet", "jsonl", "html")
DOMAINS = ("molecules", "text")


class SpecError(SymxaiError, ValueError):
    """A report spec is malformed: the message names the file and the key."""


@dataclass
class ReportSpec:
    """Everything a batch run needs; see the module docstring for the keys."""

    domain: str = "molecules"
    data: str = "Mutagenicity"
    model: str | None = None
    backend: str | None = None
    target: Any = None
    mode: str = "harsanyi"
    queries: list[NamedQuery] = field(default_factory=list)
    output: Path = Path("symxai-report")
    formats: tuple[str, ...] = ("csv", "parquet", "html")
    limit: int | None = None
    title: str = ""
    top: int = 5
    chunk_size: int = 256
    missing: str = "absent"
    source: str = "<spec>"

    def __post_init__(self) -> None:
        where = self.source
        if self.domain not in DOMAINS:
            raise SpecError(f"{where}: domain {self.domain!r} is not one of {', '.join(DOMAINS)}")
        if self.mode not in MODES:
            raise SpecError(f"{where}: mode {self.mode!r} is not one of {', '.join(MODES)}")
        bad = [f for f in self.formats if f not in FORMATS]
        if bad:
            raise SpecError(f"{where}: unknown output format(s) {bad}; choose from {FORMATS}")
        if self.limit is not None and self.limit < 1:
            raise SpecError(f"{where}: limit must be a positive number, got {self.limit}")
        if self.chunk_size < 1:
            raise SpecError(f"{where}: chunk_size must be positive, got {self.chunk_size}")
        if self.missing not in ("absent", "error"):
            raise SpecError(f"{where}: missing must be 'absent' or 'error', got {self.missing!r}")
        if isinstance(self.target, list):
            self.target = tuple(self.target)
        self.output = Path(self.output)
        self.formats = tuple(self.formats)

    def fingerprint(self) -> str:
        """Hash of what determines the rows (domain, data, model, backend, target, mode,
        limit, queries): a resumed run must match the run that wrote the rows."""
        essentials = {
            "domain": self.domain,
            "data": self.data,
            "model": self.model,
            "backend": self.backend,
            "target": list(self.target) if isinstance(self.target, tuple) else self.target,
            "mode": self.mode,
            "missing": self.missing,
        }
        return hashlib.sha256(json.dumps(essentials, sort_keys=True).encode()).hexdigest()[:16]

    def describe(self) -> dict[str, Any]:
        """Plain-data summary (for ``run.json`` and the HTML page)."""
        out = {k: v for k, v in asdict(self).items() if k not in ("queries", "output", "source")}
        out["queries"] = {q.name: q.formula for q in self.queries}
        out["target"] = list(self.target) if isinstance(self.target, tuple) else self.target
        out["formats"] = list(self.formats)
        return out


_TYPES: dict[str, tuple[type, ...]] = {
    "domain": (str,),
    "data": (str,),
    "model": (str,),
    "backend": (str,),
    "target": (int, str, list),
    "mode": (str,),
    "queries": (str, list, dict),
    "output": (str,),
    "formats": (list,),
    "limit": (int,),
    "title": (str,),
    "top": (int,),
    "chunk_size": (int,),
    "missing": (str,),
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
        values["data"] = str(base / data)
    model = values.get("model")
    if isinstance(model, str) and (base / model).is_file():
        values["model"] = str(base / model)
    if "output" in values:
        values["output"] = (base / values["output"]).resolve()
    return ReportSpec(**values, queries=parsed, source=source)


def load_spec(path: str | Path, **overrides: Any) -> ReportSpec:
    """Read a TOML/YAML report spec; ``overrides`` (not ``None``) replace its keys."""
    path = Path(path)
    values = dict(_read(path))
    values.update({k: v for k, v in overrides.items() if v is not None})
    return spec_from_mapping(values, str(path), path.parent)

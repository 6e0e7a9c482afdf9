"""The ``symxai`` command line: ``query``, ``search``, ``report``, ``evaluate``,
``domains`` and ``demo``.

::

    symxai query 'O=[N+]([O-])c1ccccc1N' 'smarts"[N+](=O)[O-]"' 'N & O'
    symxai query Mutagenicity:17 --queries examples/mutagenicity_queries.txt
    symxai search Mutagenicity:17 --atom N --atom O --atom C --by correlation
    symxai search --data Mutagenicity --limit 500 --atom N --atom O --atom Cl
    symxai report examples/mutagenicity.toml
    symxai evaluate --data Mutagenicity --limit 20 --peers integrated-gradients,gnnexplainer
    symxai domains
    symxai groups --smiles 'O=[N+]([O-])c1ccccc1N'
    symxai demo

The domains (``--domain``), their data sets, models and backends come from the domain
registry (:mod:`symxai.domains.registry`); ``symxai domains`` lists them.

Bad arguments, bad query files, unknown atoms and missing files end with a message on
stderr (the file, line and column with a caret where there is one) and exit code 2;
an interrupted report says how to resume and exits with 130. ``SYMXAI_DEBUG=1``
shows the full traceback instead.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from symxai.domains.registry import available_domains, get_domain
from symxai.errors import SymxaiError

__all__ = ["app", "main"]

app = typer.Typer(
    name="symxai",
    help="Explain neural networks with logic: query relevance, query search, batch reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])

DOMAIN_HELP = f"A registered domain: {', '.join(available_domains())} (see 'symxai domains')."
DomainOption = Annotated[str, typer.Option("--domain", "-d", help=DOMAIN_HELP, show_default=True)]
ModelOption = Annotated[
    str | None,
    typer.Option(help="A shipped model of the domain (see 'symxai domains') or a model file."),
]
FeaturizerOption = Annotated[
    str | None,
    typer.Option(
        help="Molecules: how the model's graph is built, tu (one-hot elements, hydrogens "
        "as atoms), ogb (torch_geometric from_smiles features) or module:function; "
        "default: the model's."
    ),
]
BackendOption = Annotated[
    str | None,
    typer.Option(help="A backend of the domain (see 'symxai domains'; default: its first)."),
]
PerturbationOption = Annotated[
    str | None,
    typer.Option(
        help="How --backend perturbation removes a feature, where the domain offers a "
        "choice (molecules: remove, atoms with their bonds, default; or baseline, zero "
        "features)."
    ),
]
TargetOption = Annotated[
    str | None,
    typer.Option(help="Class index, 'i,j' for the logit difference f_i - f_j, or a name."),
]
ModeOption = Annotated[str, typer.Option(help="harsanyi or shapley.")]
GroupFileOption = Annotated[
    Path | None,
    typer.Option(
        "--group-file",
        metavar="FILE",
        help="Molecules: a vocabulary file of named functional groups, one "
        "'name: SMARTS [description]' line each, added to the built-in ones (see "
        "'symxai groups'). Not search's --group, which names an atom.",
    ),
]
OldGroupFileOption = Annotated[
    Path | None,
    typer.Option("--groups", hidden=True, help="Deprecated name of --group-file."),
]


def _group_file(group_file: Path | None, old_name: Path | None) -> Path | None:
    """The ``--group-file`` given, or the file given under its deprecated name
    ``--groups`` (with a warning on stderr); both at once is an error."""
    if old_name is None:
        return group_file
    if group_file is not None:
        raise _fail("give the group vocabulary file once, as --group-file FILE")
    typer.echo(
        "warning: --groups FILE is deprecated, use --group-file FILE "
        "(search's --group/-g NAME names an atom of the Boolean functions)",
        err=True,
    )
    return old_name


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _friendly(function: F) -> F:
    """Turn expected errors into a message and exit code 2 (no traceback): symxai's own
    errors, bad values, and operating-system errors (a file that cannot be read or
    written, a scheduler that does not answer), named with their path."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except BrokenPipeError:
            _quiet_stdout()
            raise typer.Exit(141) from None
        except (SymxaiError, ValueError, OSError) as error:
            if os.environ.get("SYMXAI_DEBUG"):
                raise
            raise _fail(_message(error)) from None

    return wrapper  # type: ignore[return-value]


def _quiet_stdout() -> None:
    """The reader of standard output has gone (``symxai groups | head``): point stdout at
    the null device so that flushing it at exit raises nothing, and stop quietly with
    128 + SIGPIPE, as other command-line tools do."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _message(error: BaseException) -> str:
    """An error in words; an operating-system error with the path it concerns."""
    if isinstance(error, OSError) and not isinstance(error, SymxaiError) and error.filename:
        reason = error.strerror or type(error).__name__
        return f"{error.filename}: {reason}"
    return str(error) or type(error).__name__


def parse_target(text: str | None) -> int | str | list[int] | None:
    """The ``--target`` option as a spec value: ``None``, a class index (``3``), a
    logit difference ``f_i - f_j`` (``1,0`` becomes ``[1, 0]``, the form a spec file
    writes, ``target = [1, 0]``) or a named target (``mutagen-vs-nonmutagen``)."""
    if text is None:
        return None
    if re.fullmatch(r"\s*-?\d+\s*", text):
        return int(text)
    pair = re.fullmatch(r"\s*(-?\d+)\s*,\s*(-?\d+)\s*", text)
    if pair:
        return [int(pair[1]), int(pair[2])]
    return text


def _task(
    domain: str,
    data: str | None,
    queries: Any,
    model: str | None,
    backend: str | None,
    target: str | None,
    mode: str = "harsanyi",
    missing: str = "absent",
    perturbation: str | None = None,
    groups: Path | None = None,
    featurizer: str | None = None,
) -> Any:
    """The report task behind ``query`` and ``search``, with its model loaded and the
    target checked against the model's outputs (an out-of-range ``--target`` is one
    clear error, not a failure inside the backend)."""
    from symxai.report.spec import spec_from_mapping
    from symxai.report.tasks import make_task

    if data is None and domain in available_domains():
        data = get_domain(domain).default_data
    values = {
        "domain": domain,
        "data": data,
        "model": model,
        "featurizer": featurizer,
        "backend": backend,
        "perturbation": perturbation,
        "target": parse_target(target),
        "mode": mode,
        "queries": queries,
        "missing": missing,
        "formats": [],
        "groups": str(groups.resolve()) if groups else None,
    }
    values = {k: v for k, v in values.items() if v is not None}
    task = make_task(spec_from_mapping(values, "command line"))
    task.check_model()
    return task


def _explained(task: Any, explanation: Any) -> str:
    """``f`` for the domain's default target, else the target by name: ``f(logS)``."""
    name = explanation.metadata.get("target")
    if name is None or task.target == task.default_target()[1]:
        return "f"
    return f"f({name})"


def _named_f(target: str | None) -> str:
    """The explained output by name, ``f(mutagen - nonmutagen)``; ``f`` where unknown."""
    return "f" if target is None else f"f({target})"


_DATASET_ITEM = re.compile(r"(.+):(\w+)")


def _explain_input(task: Any, text: str, missing: str) -> Any:
    """An input named ``Dataset:id`` (a shipped data set of the task's domain) or given
    as text (SMILES, sentence)."""
    item = _DATASET_ITEM.fullmatch(text.strip())
    if item is None or item[1] not in task.domain.datasets:
        return task.explain_text(text, missing=missing)
    spec = dataclasses.replace(task.spec, data=item[1], missing=missing)
    data_task = type(task)(spec, task.domain)
    if item[2] not in {record.id for record in data_task.inputs()}:
        raise SymxaiError(f"{item[1]} has no input {item[2]!r}")
    return data_task.explanation(item[2])


@app.command()
@_friendly
def query(
    input: Annotated[
        str, typer.Argument(help="A SMILES string or sentence, or Mutagenicity:17-style id.")
    ],
    queries: Annotated[list[str] | None, typer.Argument(help="Queries, e.g. 'N & O'.")] = None,
    queries_file: Annotated[
        Path | None, typer.Option("--queries", "-q", help="A query file (name: query lines).")
    ] = None,
    domain: DomainOption = "molecules",
    model: ModelOption = None,
    featurizer: FeaturizerOption = None,
    backend: BackendOption = None,
    perturbation: PerturbationOption = None,
    target: TargetOption = None,
    mode: ModeOption = "harsanyi",
    groups_file: GroupFileOption = None,
    old_groups_file: OldGroupFileOption = None,
    strict: Annotated[
        bool, typer.Option(help="Fail on atoms this input does not have (default: false).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Relevance of one or more queries on one input.

    Atoms are checked against the domain's vocabulary (element symbols, atom names,
    named groups such as nitro: see 'symxai groups');
    an atom this input lacks (Cl in a molecule without chlorine) is false everywhere
    unless --strict is given.
    """
    from symxai.report.queries import named_queries

    groups_file = _group_file(groups_file, old_groups_file)
    if not queries and queries_file is None:
        raise _fail("give at least one query, or --queries FILE")
    named = named_queries(queries_file) if queries_file else []
    if queries:
        named += named_queries(queries, source="query")
    task = _task(
        domain,
        None,
        named,
        model,
        backend,
        target,
        mode,
        perturbation=perturbation,
        groups=groups_file,
        featurizer=featurizer,
    )
    explanation = _explain_input(task, input, "error" if strict else "absent")
    how = f"{mode} relevance"
    if "perturbation" in explanation.metadata:
        how += f", perturbation: {explanation.metadata['perturbation']}"
    values = explanation.relevances([q.query for q in named], mode=mode)
    rows = [
        {"query": q.name, "formula": q.formula, "relevance": float(v)}
        for q, v in zip(named, values.to_numpy(), strict=True)
    ]
    if as_json:
        payload = {"input": input, "prediction": explanation.prediction, "mode": mode}
        payload["backend"] = explanation.metadata.get("backend")
        payload["target"] = explanation.metadata.get("target")
        if "perturbation" in explanation.metadata:
            payload["perturbation"] = explanation.metadata["perturbation"]
        typer.echo(json.dumps(payload | {"relevance": rows}, indent=2))
        return
    typer.echo(f"{input}: {_explained(task, explanation)} = {explanation.prediction:+.4f} ({how})")
    width = max(len(row["query"]) for row in rows)
    for row in rows:
        typer.echo(f"  {row['query']:<{width}}  {row['relevance']:+.4f}")


SIGNS = ("abs", "positive", "negative")


def _positive(option: str, value: int | None) -> None:
    """``--limit``, ``--top``, ...: ``None`` or a positive integer."""
    if value is not None and value < 1:
        raise _fail(f"{option} must be a positive integer, got {value}")


def _data_set_pairs(
    task: Any, atom_queries: list[Any], groups: list[str]
) -> tuple[list[tuple[Any, dict[str, Any]]], list[dict[str, str]], int]:
    """Dividends and atom sets of every input of ``task``; inputs that fail are skipped
    and listed (``input``, ``error``) as a report lists them. The dividends of all inputs
    are computed together where the domain can (:meth:`ReportTask.dividends_many`: GNN-LRP
    molecules), else one explanation per input."""
    from symxai.errors import UnknownAtomError
    from symxai.query.parser import parse_query

    records = task.inputs()
    pairs, failed = [], []
    found: set[Any] = set()
    try:
        batched = task.dividends_many([record.id for record in records])
    except (SymxaiError, ValueError, RuntimeError):
        batched = None
    for position, record in enumerate(records):
        try:
            if batched is not None:
                decomposition = batched[position]
                atom_sets = {}
                for named in atom_queries:
                    atom_sets.update(
                        decomposition.space.resolve_query(named.query, missing="absent")
                    )
            else:
                explanation = task.explanation(record.id)
                atom_sets = {}
                for named in atom_queries:
                    atom_sets.update(explanation.resolve(named.query, missing="absent"))
                decomposition = explanation.dividends()
            pairs.append((decomposition, {str(a): s for a, s in atom_sets.items()}))
        except (SymxaiError, ValueError, RuntimeError) as error:
            failed.append({"input": str(record.id), "error": f"{type(error).__name__}: {error}"})
            continue
        found.update(atom for atom, indices in atom_sets.items() if len(indices))
    if records and not pairs:
        first = failed[0]
        raise _fail(f"all {len(records)} inputs failed; {first['input']}: {first['error']}")
    searched = {named.query for named in atom_queries}
    for group in groups:
        atom = parse_query(group)
        if atom in searched and atom not in found:
            existing = ", ".join(str(a) for a in searched if a in found) or "none"
            raise UnknownAtomError(
                f"search group {group} matches nothing in any of the {len(pairs)} inputs; "
                f"groups that exist there: {existing}"
            )
    return pairs, failed, len(records)


def _failure_line(failed: list[dict[str, str]]) -> str:
    shown = "; ".join(f"{f['input']} ({f['error']})" for f in failed[:5])
    more = f"; and {len(failed) - 5} more" if len(failed) > 5 else ""
    noun = "input" if len(failed) == 1 else "inputs"
    return f"{len(failed)} {noun} failed: {shown}{more}"


@app.command()
@_friendly
def search(
    input: Annotated[
        str | None, typer.Argument(help="One input (SMILES, sentence or Dataset:id).")
    ] = None,
    atoms: Annotated[
        list[str] | None, typer.Option("--atom", "-a", help="An atom of the candidates (repeat).")
    ] = None,
    groups: Annotated[
        list[str] | None,
        typer.Option(
            "--group",
            "-g",
            metavar="ATOM",
            help="An atom (N, C0, nitro, group:hydroxyl) of the Boolean-function "
            "candidates: every Boolean function of the --group atoms is scored (repeat, "
            "at most 4). Not a file: a group vocabulary file is --group-file.",
        ),
    ] = None,
    by: Annotated[str, typer.Option(help="correlation or relevance.")] = "correlation",
    sign: Annotated[
        str,
        typer.Option(
            help="abs (largest magnitude, signed score shown), positive or negative scores."
        ),
    ] = "abs",
    max_literals: Annotated[int, typer.Option(help="Literals per conjunction.")] = 3,
    disjunctions: Annotated[bool, typer.Option(help="Also disjunctions of two.")] = True,
    top: Annotated[int, typer.Option(help="How many queries to show.")] = 10,
    data: Annotated[
        str | None,
        typer.Option(
            help="Search over a data set instead (median score over its inputs; the exact "
            "dividends of all molecules are computed together)."
        ),
    ] = None,
    limit: Annotated[int | None, typer.Option(help="First N inputs of --data.")] = None,
    domain: DomainOption = "molecules",
    model: ModelOption = None,
    featurizer: FeaturizerOption = None,
    backend: BackendOption = None,
    target: TargetOption = None,
    groups_file: GroupFileOption = None,
    old_groups_file: OldGroupFileOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The queries that explain a prediction best (or a data set's, with --data).

    Scores are signed: with --sign abs (default) a negative correlation is shown as
    such, for the query that carries the negative dividends. Inputs of --data that
    cannot be explained are skipped and listed.
    """
    from symxai.report.queries import named_queries
    from symxai.search import search_over_inputs

    groups_file = _group_file(groups_file, old_groups_file)
    if (input is None) == (data is None):
        raise _fail("give either one INPUT or --data DATASET")
    for option, value in (("--limit", limit), ("--top", top), ("--max-literals", max_literals)):
        _positive(option, value)
    if sign not in SIGNS:
        raise _fail(f"--sign must be one of {', '.join(SIGNS)}, got {sign!r}")
    if limit is not None and data is None:
        raise _fail("--limit applies to --data only")
    atom_queries = named_queries(atoms or [], source="--atom") if atoms else []
    names = [q.formula for q in atom_queries] or None
    options = {
        "by": by,
        "sign": sign,
        "max_literals": max_literals,
        "disjunctions": disjunctions,
        "groups": tuple(groups or ()),
        "top": top,
    }
    failed: list[dict[str, str]] = []
    if input is not None:
        task = _task(
            domain,
            None,
            atom_queries or ["true"],
            model,
            backend,
            target,
            groups=groups_file,
            featurizer=featurizer,
        )
        explanation = _explain_input(task, input, "absent")
        result = explanation.search(names, **options)
        header = f"{input}: {_named_f(result.target)} = {explanation.prediction:+.4f}"
    else:
        if not atom_queries:
            raise _fail("--data needs the candidate atoms: --atom N --atom O ...")
        task = _task(
            domain,
            data,
            atom_queries,
            model,
            backend,
            target,
            groups=groups_file,
            featurizer=featurizer,
        )
        task.spec.limit = limit
        pairs, failed, count = _data_set_pairs(task, atom_queries, list(groups or ()))
        result = search_over_inputs(pairs, **options)
        header = (
            f"{data}: {count} inputs ({len(pairs)} searched), median {by} over inputs, "
            f"target {_named_f(result.target)}"
        )
    table = result.top(top)
    ranking = {"abs": f"|{by}|", "positive": f"{by}, largest first"}.get(
        sign, f"{by}, most negative first"
    )
    if as_json:
        payload = {
            "input" if input is not None else "data": input if input is not None else data,
            "target": result.target,
            "by": by,
            "sign": sign,
            "candidates": result.candidates,
            "inputs": result.inputs,
            "queries": json.loads(table.to_json(orient="records")),
            "failed": failed,
        }
        typer.echo(json.dumps(payload, indent=2))
        return
    typer.echo(f"{header}; {result.candidates} candidates scored, ranked by {ranking}")
    if failed:
        typer.echo(_failure_line(failed))
    shown = table.copy()
    shown.insert(2, "sign", ["+" if s > 0 else "-" if s < 0 else "0" for s in table["score"]])
    typer.echo(shown.to_string(index=False))


@app.command()
@_friendly
def report(
    spec: Annotated[Path | None, typer.Argument(help="A TOML or YAML report spec.")] = None,
    queries: Annotated[
        Path | None, typer.Option("--queries", "-q", help="Query file (instead of a spec).")
    ] = None,
    domain: Annotated[str | None, typer.Option("--domain", "-d", help=DOMAIN_HELP)] = None,
    data: Annotated[str | None, typer.Option(help="Data set name or file.")] = None,
    model: ModelOption = None,
    featurizer: FeaturizerOption = None,
    backend: BackendOption = None,
    perturbation: PerturbationOption = None,
    target: TargetOption = None,
    mode: Annotated[str | None, typer.Option(help="harsanyi or shapley.")] = None,
    shapley_set: Annotated[
        str | None,
        typer.Option(
            help="Shapley mode's Q: 'queries' (the report's queries, default) or 'features' "
            "(one singleton per feature: Shapley values)."
        ),
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Output folder.")] = None,
    formats: Annotated[
        str | None, typer.Option(help="Comma-separated: csv,parquet,jsonl,html.")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N inputs.")] = None,
    groups_file: GroupFileOption = None,
    old_groups_file: OldGroupFileOption = None,
    chunk_size: Annotated[int | None, typer.Option(help="Inputs per chunk.")] = None,
    executor: Annotated[str, typer.Option(help="auto, serial, processes or dask.")] = "auto",
    workers: Annotated[int | None, typer.Option(help="Local worker processes.")] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address, tcp://host:port.")
    ] = None,
    scheduler_timeout: Annotated[
        float, typer.Option(help="Seconds to wait for the Dask scheduler to answer.")
    ] = 10.0,
    overwrite: Annotated[bool, typer.Option(help="Discard earlier rows; start over.")] = False,
    progress: Annotated[bool | None, typer.Option(help="Show a progress bar.")] = None,
) -> None:
    """A batch run: every query on every input; tidy tables and an HTML page.

    Re-running the same command resumes: inputs already written are skipped (and
    inputs of a query whose formula changed are explained again). Exits with 2 when
    every input fails.
    """
    from symxai.report.runner import run_report
    from symxai.report.spec import load_spec, spec_from_mapping

    groups_file = _group_file(groups_file, old_groups_file)
    overrides = {
        "domain": domain,
        "data": data,
        "model": model,
        "featurizer": featurizer,
        "backend": backend,
        "perturbation": perturbation,
        "target": parse_target(target),
        "mode": mode,
        "shapley_set": shapley_set,
        "output": str(output.resolve()) if output else None,
        "formats": formats.split(",") if formats else None,
        "limit": limit,
        "chunk_size": chunk_size,
        "queries": str(queries.resolve()) if queries else None,
        "groups": str(groups_file.resolve()) if groups_file else None,
    }
    if spec is not None:
        parsed = load_spec(spec, **overrides)
    elif queries is not None:
        parsed = spec_from_mapping(
            {k: v for k, v in overrides.items() if v is not None}, "command line"
        )
    else:
        raise _fail("give a report spec (TOML/YAML) or --queries FILE")
    try:
        result = run_report(
            parsed,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            scheduler_timeout=scheduler_timeout,
            progress=progress,
            overwrite=overwrite,
        )
    except KeyboardInterrupt:
        typer.echo(
            f"\ninterrupted: finished chunks are saved in {parsed.output}; "
            "run the same command again to resume",
            err=True,
        )
        raise typer.Exit(130) from None
    for line in result.check.messages():
        typer.echo(f"note: {line}", err=True)
    inputs = result.table["input"].nunique()
    shared = parsed.describe_query_set()
    typer.echo(
        f"{inputs} inputs x {len(parsed.queries)} queries in {result.seconds:.1f} s "
        f"({len(result.computed)} explained now, {result.skipped} already written, "
        f"{len(result.failures)} failed)" + (f"; shapley mode, {shared}" if shared else "")
    )
    for kind, path in result.files.items():
        typer.echo(f"  {kind:<8} {_shown(path)}")
    if result.all_failed:
        first = result.failures.iloc[0]
        raise _fail(
            f"every input failed ({len(result.failures)} of {len(result.failures)}); "
            f"first: input {first['input']}: {str(first['error']).splitlines()[0]}"
        )


def _named_output(registered: Any, model: str | None, featurizer: str | None, name: str) -> int:
    """The index of the output ``name`` of the domain's model (``logS``, ``task_2``)."""
    from symxai.backends.target import output_names_of, resolve_target

    default_name = registered.default_target()[0]
    options = {"featurizer": featurizer} if featurizer else {}
    loaded = registered.load_model(model or registered.models[0], **options)
    names = output_names_of(loaded)
    try:
        return resolve_target(name, names)
    except ValueError:
        known = f"an output name ({', '.join(names)}), " if names else ""
        raise _fail(
            f"unknown target {name!r}; use a class index, 'i,j', {known}"
            f"{default_name!r} or 'decision' (each input's decided class)"
        ) from None


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _names(option: str, text: str | None) -> list[str]:
    """A comma-separated option as a list of names (empty names are an error)."""
    if text is None:
        return []
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise _fail(f"{option} has an empty name in {text!r}")
    return names


@app.command()
@_friendly
def evaluate(
    domain: DomainOption = "molecules",
    data: Annotated[
        str | None, typer.Option(help="Data set name or file (default: the domain's).")
    ] = None,
    model: ModelOption = None,
    featurizer: FeaturizerOption = None,
    backend: BackendOption = None,
    perturbation: PerturbationOption = None,
    target: TargetOption = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N inputs.")] = None,
    inputs: Annotated[
        str | None, typer.Option(help="Comma-separated input ids (instead of --limit).")
    ] = None,
    orderings: Annotated[
        str,
        typer.Option(help="Comma-separated: random, first-order, occlusion, greedy, shapley."),
    ] = "random,first-order,occlusion,greedy",
    peers: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated peer explainers: on graphs gnnexplainer, pgexplainer, "
            "integrated-gradients, saliency, input-x-gradient, gradient-x-input, random; "
            "everywhere occlusion, shapley."
        ),
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Output folder.")] = Path(
        "symxai-evaluation"
    ),
    points: Annotated[int, typer.Option(help="Points of every resampled curve.")] = 21,
    seed: Annotated[int, typer.Option(help="Seed of the random ordering and the peers.")] = 0,
    repeats: Annotated[int, typer.Option(help="Random orderings averaged per input.")] = 10,
    greedy_step: Annotated[
        float,
        typer.Option(
            help="Features the greedy ordering removes (adds) per step: a count, or a "
            "fraction in (0, 1) of each input's features (large inputs such as cell graphs)."
        ),
    ] = 1,
) -> None:
    """Faithfulness of the explanations of a data set: deletion/insertion curves per
    ordering, ground-truth metrics, and peer explainers side by side.

    Writes evaluation.json, areas.csv (one row per input, ordering and curve),
    methods.csv (one row per method, input and metric) and index.html to --output.
    """
    from symxai.evaluation.html import evaluation_command, write_evaluation_html
    from symxai.evaluation.run import evaluate_inputs

    for option, value in (
        ("--limit", limit),
        ("--points", points),
        ("--repeats", repeats),
    ):
        _positive(option, value)
    if greedy_step <= 0 or (greedy_step > 1 and greedy_step != int(greedy_step)):
        raise _fail(
            f"--greedy-step must be a whole number or a fraction in (0, 1), got {greedy_step}"
        )
    if limit is not None and inputs is not None:
        raise _fail("give --limit or --inputs, not both")
    registered = get_domain(domain)
    data = data or registered.default_data
    parsed_target = parse_target(target)
    if isinstance(parsed_target, str) and parsed_target != "decision":
        default_name = registered.default_target()[0]
        if parsed_target == default_name:
            parsed_target = None
        else:
            parsed_target = _named_output(registered, model, featurizer, parsed_target)
    result = evaluate_inputs(
        domain,
        data,
        model,
        backend=backend,
        target=tuple(parsed_target) if isinstance(parsed_target, list) else parsed_target,
        limit=limit,
        inputs=_names("--inputs", inputs) or None,
        orderings=_names("--orderings", orderings),
        peers=_names("--peers", peers),
        points=points,
        seed=seed,
        repeats=repeats,
        greedy_step=greedy_step,
        perturbation=perturbation,
        featurizer=featurizer,
    )
    output.mkdir(parents=True, exist_ok=True)
    files = {
        "json": output / "evaluation.json",
        "areas": output / "areas.csv",
        "methods": output / "methods.csv",
        "html": output / "index.html",
    }
    files["json"].write_text(result.to_json(), encoding="utf-8")
    result.table.to_csv(files["areas"], index=False)
    result.methods.to_csv(files["methods"], index=False)
    write_evaluation_html(
        result, files["html"], command=evaluation_command(result.settings, _shown(output))
    )
    evaluated = result.table["input"].nunique() if not result.table.empty else 0
    typer.echo(
        f"{domain} / {data}: {evaluated} of {result.settings['inputs']} inputs evaluated, "
        f"backend {result.settings['backend']}, target {_named_f(result.settings['target_name'])}"
        "; mean areas (deletion: lower is better, "
        "insertion: higher is better)"
    )
    if evaluated:
        typer.echo(result.mean_areas().round(4).to_string())
    summary = result.method_summary()
    if result.settings["peers"] and not summary.empty:
        shown = [c for c in summary.columns if c.endswith("pooled_auroc")]
        shown += ["deletion_area", "insertion_area", "seconds_per_input"]
        typer.echo(summary[[c for c in shown if c in summary]].round(4).to_string())
    for note in result.settings["notes"]:
        typer.echo(f"note: {note}")
    failed = [f"{key} ({value})" for key, value in result.errors.items()]
    if failed:
        more = f"; and {len(failed) - 5} more" if len(failed) > 5 else ""
        typer.echo(f"{len(failed)} failures: " + "; ".join(failed[:5]) + more)
    for kind, path in files.items():
        typer.echo(f"  {kind:<8} {_shown(path)}")
    if result.settings["inputs"] and not evaluated:
        raise _fail(f"every input failed; first: {failed[0]}")


@app.command()
@_friendly
def domains(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The registered domains: their data sets, models and backends (defaults first).

    A domain is registered by symxai, by an installed package (entry-point group
    symxai.domains) or in Python (symxai.domains.registry.register_domain).
    """
    rows = []
    for name in available_domains():
        domain = get_domain(name)
        data = list(dict.fromkeys([domain.default_data, *domain.datasets]))
        rows.append(
            {
                "domain": name,
                "description": domain.description,
                "data": [item for item in data if item],
                "models": list(domain.models),
                "backends": list(domain.backends),
                "perturbations": list(domain.perturbations),
            }
        )
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        typer.echo(f"{row['domain']}: {row['description']}".rstrip(": "))
        for key in ("data", "models", "backends", "perturbations"):
            if row[key]:
                typer.echo(f"  {key + ':':<15}{', '.join(row[key])}")


@app.command("groups")
@_friendly
def groups_command(
    groups_file: GroupFileOption = None,
    old_groups_file: OldGroupFileOption = None,
    smiles: Annotated[
        str | None,
        typer.Option(help="Also show which groups occur in this molecule, with their atoms."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The named functional groups of molecule queries (group:nitro, or the bare name
    nitro): name, SMARTS and description, built-in ones and those of --group-file FILE
    (a user's group replaces a built-in one of the same name)."""
    from symxai.domains.molecules.groups import BUILTIN_GROUPS, load_groups

    groups_file = _group_file(groups_file, old_groups_file)
    vocabulary = load_groups(groups_file) if groups_file else BUILTIN_GROUPS
    found: dict[str, list[str]] | None = None
    if smiles is not None:
        from symxai.domains.molecules.sources import molecule_from_smiles

        molecule = molecule_from_smiles(smiles)
        names = molecule.names
        present = vocabulary.present(molecule.mol)
        found = {name: [names[i] for i in atoms] for name, atoms in present.items()}
    rows = []
    for group in vocabulary.values():
        row = {
            "name": group.name,
            "smarts": group.smarts,
            "description": group.description,
            "source": group.source,
        }
        if group.source != "built-in" and group.name in BUILTIN_GROUPS:
            row["overrides"] = "built-in"
        if found is not None:
            row["atoms"] = found.get(group.name, [])
        rows.append(row)
    if found is not None and not as_json:
        rows = [row for row in rows if row["atoms"]]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if found is not None:
        typer.echo(f"{smiles}: {len(rows)} of {len(vocabulary)} groups occur")
    width = max((len(row["name"]) for row in rows), default=0)
    for row in rows:
        origin = "" if row["source"] == "built-in" else f" [{row['source']}"
        origin += " overrides built-in]" if "overrides" in row else ("]" if origin else "")
        typer.echo(f"{row['name']:<{width}}  {row['description']}{origin}")
        typer.echo(f"{'':<{width}}    {row['smarts']}")
        if found is not None:
            typer.echo(f"{'':<{width}}    atoms: {' '.join(row['atoms'])}")


@app.command()
@_friendly
def demo(
    output: Annotated[Path, typer.Option("--output", "-o", help="Output folder.")] = Path(
        "symxai-output"
    ),
    limit: Annotated[int | None, typer.Option(help="Report on the first N molecules only.")] = None,
) -> None:
    """What `make demo` runs: one molecule explained, then a batch report."""
    from symxai.demo import run_demo

    run_demo(output, limit)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="symxai")


if __name__ == "__main__":
    sys.exit(main())

"""Bad input on the command line: every case ends with exit code 2, a message on stderr
whose first line is ``error: ...`` and names the problem (the file, line and column
where there are some), at most a caret block under it, and no traceback.

Covers query and spec files (byte-order mark, blank lines of spaces, directories,
devices, bytes that are not UTF-8), ``--target`` values and queries of any length.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer

from symxai.cli import _friendly
from symxai.errors import LINE_LIMIT
from symxai.report.queries import read_query_file
from symxai.report.spec import load_spec
from tests.conftest import NITROANILINE, invoke_cli


def assert_clean_error(result, *fragments: str, lines: int = 1) -> str:
    """Exit 2, ``error: ...`` on the first stderr line, ``lines`` lines in all, every
    fragment in the message, no traceback; returns stderr."""
    assert result.exit_code == 2, result.output
    stderr = result.stderr
    assert stderr.startswith("error: "), stderr
    assert len(stderr.rstrip("\n").splitlines()) == lines, stderr
    for fragment in fragments:
        assert fragment in stderr, stderr
    assert "Traceback" not in result.output
    return stderr


# ----------------------------------------------------------------- query files (item 13)
def test_query_file_with_a_byte_order_mark_reads_like_one_without(tmp_path: Path) -> None:
    text = "nitro: N & O\nNO: N\n"
    plain, marked = tmp_path / "plain.txt", tmp_path / "marked.txt"
    plain.write_text(text, encoding="utf-8")
    marked.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert [q.name for q in read_query_file(marked)] == ["nitro", "NO"]
    assert [q.formula for q in read_query_file(marked)] == [
        q.formula for q in read_query_file(plain)
    ]
    with_mark = invoke_cli("query", NITROANILINE, "--queries", marked, "--json")
    without = invoke_cli("query", NITROANILINE, "--queries", plain, "--json")
    assert with_mark.exit_code == 0, with_mark.output
    assert with_mark.stdout == without.stdout


def test_lines_of_only_spaces_are_blank(tmp_path: Path) -> None:
    queries = tmp_path / "q.txt"
    queries.write_text("a: N\n   \n\t\n  # a comment after spaces\nb: O\n")
    assert [(q.name, q.line) for q in read_query_file(queries)] == [("a", 1), ("b", 5)]


def test_query_file_that_is_not_utf8_is_named_with_line_and_column(tmp_path: Path) -> None:
    queries = tmp_path / "latin1.txt"
    queries.write_bytes("a: N\nb: O & \u00e9\n".encode("latin-1"))
    result = invoke_cli("query", NITROANILINE, "--queries", queries)
    assert_clean_error(result, str(queries), "not UTF-8", "line 2, column 8", "0xe9")


def test_query_file_that_is_a_directory_or_a_device(tmp_path: Path) -> None:
    folder = tmp_path / "queries"
    folder.mkdir()
    assert_clean_error(
        invoke_cli("query", NITROANILINE, "--queries", folder), str(folder), "is a directory"
    )
    assert_clean_error(
        invoke_cli("query", NITROANILINE, "--queries", "/dev/null"), "/dev/null", "is a device"
    )
    missing = tmp_path / "none.txt"
    assert_clean_error(
        invoke_cli("query", NITROANILINE, "--queries", missing), str(missing), "does not exist"
    )


# ------------------------------------------------------------------ spec files (item 13)
def test_toml_and_yaml_specs_with_a_byte_order_mark(tmp_path: Path) -> None:
    (tmp_path / "q.txt").write_text("NO: N & O\n")
    toml, yaml = tmp_path / "spec.toml", tmp_path / "spec.yaml"
    toml.write_bytes(b"\xef\xbb\xbf" + b'queries = "q.txt"\nlimit = 3\n')
    yaml.write_bytes(b"\xef\xbb\xbf" + b"queries: q.txt\nlimit: 3\n")
    for spec in (toml, yaml):
        loaded = load_spec(spec)
        assert loaded.limit == 3 and [q.name for q in loaded.queries] == ["NO"]


def test_spec_that_is_a_directory_a_device_or_not_utf8(tmp_path: Path) -> None:
    folder = tmp_path / "spec.toml"
    folder.mkdir()
    assert_clean_error(invoke_cli("report", folder), str(folder), "is a directory")
    assert_clean_error(invoke_cli("report", "/dev/null"), "/dev/null", "is a device")
    latin = tmp_path / "latin.toml"
    latin.write_bytes('title = "caf\u00e9"\n'.encode("latin-1"))
    assert_clean_error(invoke_cli("report", latin), str(latin), "not UTF-8", "line 1, column 13")


# --------------------------------------------------------------------- targets (item 10)
@pytest.mark.parametrize("target", ["1,2,3", "1,", "x,0"])
def test_malformed_target_is_named(target: str) -> None:
    result = invoke_cli("query", NITROANILINE, "N", "--target", target)
    assert_clean_error(result, f"unknown target {target!r}")


@pytest.mark.parametrize("command", ["query", "search"])
@pytest.mark.parametrize("target", ["5,0", "0,5", "7"])
def test_target_out_of_range_is_one_clear_error(command: str, target: str) -> None:
    """The shipped GIN has 2 outputs: an index past them is named before any input is
    explained, not an IndexError from inside the backend."""
    query = ["N"] if command == "query" else ["--atom", "N"]
    result = invoke_cli(command, NITROANILINE, *query, "--target", target)
    assert_clean_error(result, "out of range", "2 outputs")


# ------------------------------------------------------------------ long queries (item 17)
def _bounded_caret_error(result, column: int) -> None:
    stderr = assert_clean_error(result, f"column {column}", lines=3)
    _, line, caret = stderr.rstrip("\n").splitlines()
    assert len(line) <= LINE_LIMIT and len(caret) <= LINE_LIMIT
    assert line.startswith("  ...") and caret.strip() == "^"
    return line, caret


def test_a_25000_character_query_is_cut_around_the_caret() -> None:
    atoms = " | ".join(["N"] * 6250)
    query = f"{atoms} & & O"
    result = invoke_cli("query", NITROANILINE, query)
    line, caret = _bounded_caret_error(result, len(atoms) + 4)
    assert line[caret.index("^")] == "&" and line.endswith("N & & O")


def test_a_long_query_file_line_is_cut_around_the_caret(tmp_path: Path) -> None:
    middle = " & ".join(["C"] * 3000)
    queries = tmp_path / "q.txt"
    queries.write_text(f"ok: N\nlong: {middle} ) & {middle}\n")
    result = invoke_cli("query", NITROANILINE, "--queries", queries)
    column = len("long: ") + len(middle) + 2
    line, caret = _bounded_caret_error(result, column)
    assert f"{queries}, line 2" in result.stderr
    assert line[caret.index("^")] == ")" and line.endswith("...")


def test_a_long_unknown_atom_is_shortened_in_the_message() -> None:
    result = invoke_cli("query", NITROANILINE, "Q" * 25_000, "--strict")
    stderr = assert_clean_error(result, "not an element symbol", lines=3)
    assert all(len(line) <= 2 * LINE_LIMIT for line in stderr.splitlines())


def test_console_script_file_errors_have_no_traceback(tmp_path: Path) -> None:
    process = subprocess.run(
        [sys.executable, "-m", "symxai", "query", "CCO", "--queries", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 2
    assert process.stderr == f"error: query file {str(tmp_path)!r} is a directory, not a file\n"


def test_a_closed_output_pipe_exits_with_sigpipe_status_and_no_message(capsys) -> None:
    @_friendly
    def write_to_a_closed_pipe() -> None:
        raise BrokenPipeError(32, "Broken pipe")

    with pytest.raises(typer.Exit) as stopped:
        write_to_a_closed_pipe()
    assert stopped.value.exit_code == 141
    assert capsys.readouterr().err == ""


def test_a_reader_that_stops_early_ends_the_command_quietly() -> None:
    """``symxai groups | head -1``: no message on stderr; the command stops with
    128 + SIGPIPE when a write meets the closed pipe (0 when it had written everything
    before the reader left)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "symxai", "groups"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    assert process.stdout is not None and process.stdout.readline().startswith("hydroxyl")
    process.stdout.close()
    _, stderr = process.communicate(timeout=120)
    assert process.returncode in (0, 141)
    assert stderr == ""

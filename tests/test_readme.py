"""The README's worked example runs as written and prints what the README says."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

import symxai

README = Path(__file__).resolve().parent.parent / "README.md"


def test_examples_print_what_the_readme_says() -> None:
    """Every ```python block followed by "prints" and a ```text block runs as written
    and prints exactly that text."""
    text = README.read_text()
    pairs = re.findall(r"```python\n(.*?)```\n\nprints\n\n```text\n(.*?)```", text, re.S)
    assert len(pairs) >= 2, "README lost its worked examples"
    for code, shown in pairs:
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            exec(compile(code, str(README), "exec"), {})
        assert buffer.getvalue() == shown


def test_readme_error_example_is_what_the_parser_says() -> None:
    text = README.read_text()
    block = re.search(r"```text\n(symxai\.errors\.QueryError: .*?)```", text, re.S)
    assert block
    with pytest.raises(symxai.QueryError) as info:
        symxai.parse_query('"not" & & "good"')
    assert f"symxai.errors.QueryError: {info.value}\n" == block.group(1)


def test_readme_gives_exactly_the_two_setup_commands() -> None:
    text = README.read_text()
    setup = text.split("## Set-up on a fresh machine", 1)[1].split("```sh\n", 1)[1].split("```")[0]
    assert [line.split("#")[0].strip() for line in setup.strip().splitlines()] == [
        "make demo",
        "make test",
    ]

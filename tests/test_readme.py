"""The README's worked example runs as written and prints what the README says."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

import symxai

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_examples() -> list[tuple[str, str]]:
    """``(code, printed)`` for every ```python block followed by "prints" and ```text."""
    text = README.read_text()
    return re.findall(r"```python\n(.*?)```\n\nprints\n\n```text\n(.*?)```", text, re.S)


def run_and_compare(code: str, shown: str) -> None:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(compile(code, str(README), "exec"), {})
    assert buffer.getvalue() == shown


def test_examples_print_what_the_readme_says() -> None:
    """Every README example runs as written and prints exactly what the README shows;
    the sentiment example is in the slow test (it trains MiniLM when not cached)."""
    examples = readme_examples()
    assert len(examples) >= 4, "README lost its worked examples"
    for code, shown in examples:
        if "explain_sentence" not in code:
            run_and_compare(code, shown)


@pytest.mark.slow
def test_sentiment_example_prints_what_the_readme_says() -> None:
    (example,) = [pair for pair in readme_examples() if "explain_sentence" in pair[0]]
    run_and_compare(*example)


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

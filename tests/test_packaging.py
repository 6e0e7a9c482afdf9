"""The wheel ships the grammar inside the package, and an installed copy parses with it."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_grammar_and_parses_from_it(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("symxai-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert "symxai/grammar/query.lark" in names
        assert "symxai/grammar/query_file.lark" in names
        assert "symxai/report/templates/report.html.j2" in names
        (entry_points,) = [name for name in names if name.endswith("entry_points.txt")]
        assert "symxai = symxai.cli:main" in archive.read(entry_points).decode()
        assert any(name.startswith("symxai/data/tu/Mutagenicity_A") for name in names)
        assert (
            archive.read("symxai/grammar/query.lark") == (ROOT / "grammar/query.lark").read_bytes()
        )
    # Import symxai from the wheel alone (zip import), away from the checkout.
    script = (
        "import symxai, symxai.query.parser as p; "
        f"assert str(p.grammar_resource()).startswith({str(wheel)!r}), p.grammar_resource(); "
        "from symxai.report import parse_query_lines; "
        "assert parse_query_lines('n: a # c')[0].name == 'n'; "
        'print(symxai.parse_query(\'"not" & ("good" | "great")\'))'
    )
    env = {**os.environ, "PYTHONPATH": str(wheel)}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '"not" & ("good" | "great")'

"""The testing guide's examples run as written: every block marked ``<!-- file: NAME -->`` is a file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest_plugins = "pytester"

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "testing.md"
_BLOCK = re.compile(r"<!-- file: (?P<name>[\w.]+) -->\n```\w*\n(?P<body>.*?)\n```", re.DOTALL)


def test_the_guide_examples_pass(pytester: pytest.Pytester) -> None:
    files = {match["name"]: match["body"] for match in _BLOCK.finditer(GUIDE.read_text(encoding="utf-8"))}
    assert {"order.json", "test_order.py", "test_mocks.py", "test_time.py"} <= set(files)
    for name, body in files.items():
        (pytester.path / name).write_text(body + "\n", encoding="utf-8")
    tests = sum(body.count("\ndef test_") + body.startswith("def test_") for body in files.values())
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "-p", "no:unraisableexception", "-p", "no:hypothesispytest", "-p", "no:benchmark"
    )
    result.assert_outcomes(passed=tests)

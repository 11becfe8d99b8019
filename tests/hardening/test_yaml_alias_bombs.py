"""YAML alias bombs (landed with the ruamel reader): refused at once by every entry point, in any
shape: the issue's 609-byte definition with eight levels of ten aliases ran past 60 s in
``asl validate``, ``asl run`` and ``from_file``."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from asl_engine import StateMachine, ValidationError, validate
from asl_engine.cli.main import cli


def _bomb(levels: int, width: int) -> str:
    lines = ["StartAt: A", "a0: &a0 [" + ",".join(['"lol"'] * width) + "]"]
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ",".join([f"*a{level - 1}"] * width) + "]")
    lines.append("States: {A: {Type: Pass, End: true}}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("levels", "width"), [(8, 10), (4, 60), (30, 3), (2, 2000)])
def test_an_alias_bomb_is_refused_everywhere(levels: int, width: int, tmp_path: Path) -> None:
    text = _bomb(levels, width)
    file = tmp_path / "bomb.yaml"
    file.write_text(text, encoding="utf-8")
    assert [d.code for d in validate(text)] == ["INVALID_YAML"]
    with pytest.raises(ValidationError, match="INVALID_YAML"):
        StateMachine.from_file(file)
    for command in (["validate", str(file)], ["run", str(file)]):
        result = CliRunner().invoke(cli, command, catch_exceptions=False)
        assert result.exit_code in (1, 2) and "INVALID_YAML" in result.output + result.stderr

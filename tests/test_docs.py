"""Every code block of README.md and docs/*.md runs, so the documentation cannot rot.

A page is read top to bottom like a reader would, in its own working directory (a temporary
directory holding links to the repository's top-level files, so ``examples/...`` resolves and
nothing is written into the checkout):

* ``bash`` blocks whose first command starts with ``asl `` or ``python -m`` run with
  ``bash -eo pipefail`` and must exit 0; in ``console`` blocks the commands are the lines after a
  ``$ `` prompt (the other lines show output and are not checked);
* ``python`` blocks run in order in one namespace per page (a block may use what an earlier one
  defined);
* other blocks (JSON, YAML, output...) are not run, except those marked ``file=`` below.

An HTML comment on the line just above a fence changes that (see docs/index.md):

* ``<!-- docs-test: skip REASON -->`` does not run the block;
* ``<!-- docs-test: exit=N -->`` expects exit status N from a bash block;
* ``<!-- docs-test: needs=TOOL -->`` skips the block when TOOL is not installed;
  ``needs=recorded-cases`` when the AWS-recorded conformance cases are missing (it fails in CI);
* ``<!-- docs-test: file=PATH -->`` (or its short form ``<!-- file: PATH -->``) writes the block's
  text to PATH in the page's directory, so later blocks can use the file the reader has just seen.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests import recorded

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>```+|~~~+)\s*(?P<info>[^`\s]*)[^`]*$")
_MARKER = re.compile(r"^\s*<!--\s*docs-test:\s*(?P<body>.*?)\s*-->\s*$")
_FILE_MARKER = re.compile(r"^\s*<!--\s*file:\s*(?P<path>\S+)\s*-->\s*$")
_RUNNABLE_SHELL = ("asl ", "python -m ")
_SHELL = ("bash", "sh", "shell", "console")
_PYTHON = ("python", "py", "python3")
_NOT_LINKED = {".git", ".venv", "venv", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis", "build", "dist"}
RECORDED_CASES = "recorded-cases"
"""``needs=recorded-cases``: the block reads the AWS-recorded conformance cases (see tests/recorded.py)."""


def _missing(need: str | None) -> bool:
    """Whether what a ``needs=`` marker names is missing here: a tool on the PATH, or the recorded cases."""
    if need is None:
        return False
    return not recorded.available() if need == RECORDED_CASES else shutil.which(need) is None


@dataclass(frozen=True)
class Block:
    document: Path
    line: int
    """1-based line of the opening fence."""
    language: str
    code: str
    markers: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        shown = self.document.relative_to(ROOT) if self.document.is_relative_to(ROOT) else self.document.name
        return f"{shown}:{self.line}"

    @property
    def kind(self) -> str | None:
        """What the test does with the block: run it as shell or Python, write it to a file, or nothing."""
        if "file" in self.markers:
            return "file"
        if self.language in _PYTHON:
            return "python"
        if self.language in _SHELL and _first_command(self.script).startswith(_RUNNABLE_SHELL):
            return "shell"
        return None

    @property
    def script(self) -> str:
        """The shell commands of the block (for ``console``, the lines after a ``$`` prompt)."""
        if self.language != "console":
            return self.code
        return "".join(line[2:] + "\n" for line in self.code.splitlines() if line.startswith("$ "))


def _first_command(code: str) -> str:
    return next((line.strip() for line in code.splitlines() if line.strip() and not line.strip().startswith("#")), "")


def parse_markers(text: str) -> dict[str, str]:
    """``skip reason words`` -> {"skip": "reason words"}; ``exit=1 needs=jq`` -> {"exit": "1", "needs": "jq"}."""
    markers: dict[str, str] = {}
    words = text.split()
    for index, word in enumerate(words):
        if word == "skip":
            markers["skip"] = " ".join(words[index + 1 :]) or "marked skip"
            break
        key, sep, value = word.partition("=")
        if not sep:
            raise ValueError(f"unknown docs-test marker {word!r} (expected skip, exit=N, needs=TOOL or file=PATH)")
        markers[key] = value
    return markers


def code_blocks(document: Path) -> list[Block]:
    """The fenced blocks of a Markdown file, with the markers written just above them."""
    lines = document.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        body: list[str] = []
        end = index + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            body.append(lines[end][indent:] if lines[end][:indent].isspace() else lines[end])
            end += 1
        markers: dict[str, str] = {}
        above = index - 1
        while above >= 0 and not lines[above].strip():
            above -= 1
        if above >= 0 and (marker := _MARKER.match(lines[above])) is not None:
            markers = parse_markers(marker["body"])
        elif above >= 0 and (marker := _FILE_MARKER.match(lines[above])) is not None:
            markers = {"file": marker["path"]}
        blocks.append(Block(document, index + 1, opening["info"].lower(), "\n".join(body) + "\n", markers))
        index = end + 1
    return blocks


PAGES = {document: code_blocks(document) for document in DOCUMENTS if document.is_file()}
"""Read once, at collection: a page is followed exactly as its tests were collected."""


def _runnable(pages: dict[Path, list[Block]]) -> list[Block]:
    return [block for blocks in pages.values() for block in blocks if block.kind in ("python", "shell")]


class Page:
    """One document being followed: its working directory, its Python namespace, each block's result."""

    def __init__(self, blocks: list[Block], scratch: Path) -> None:
        """``scratch`` receives a stand-in for the checkout (``scratch/<repo>``) and, beside it, links to
        the checkout's neighbours, so that paths such as ``../shared/...`` resolve as they would."""
        self.blocks = blocks
        self.workspace = scratch / ROOT.name
        self.workspace.mkdir(parents=True)
        self.namespace: dict[str, Any] = {"__name__": "__docs__"}
        self.results: dict[int, str | None] = {}
        self._next = 0
        for entry in ROOT.iterdir():
            if entry.name not in _NOT_LINKED and not entry.name.endswith(".egg-info"):
                (self.workspace / entry.name).symlink_to(entry)
        for neighbour in ROOT.parent.iterdir():
            if neighbour != ROOT:
                (scratch / neighbour.name).symlink_to(neighbour)

    def result_of(self, block: Block) -> str | None:
        """Run the page up to ``block``; None when the block passed, else why it failed."""
        while block.line not in self.results:
            current = self.blocks[self._next]
            self._next += 1
            self.results[current.line] = self._run(current)
        return self.results[block.line]

    def _run(self, block: Block) -> str | None:
        if "skip" in block.markers or _missing(block.markers.get("needs")):
            return None
        if block.kind == "file":
            target = self.workspace / block.markers["file"]
            if target.is_symlink() or target.resolve().is_relative_to(ROOT):
                return f"file={block.markers['file']} would write into the repository"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.code, encoding="utf-8")
            return None
        if block.kind == "python":
            return self._run_python(block)
        if block.kind == "shell":
            return self._run_shell(block)
        return None

    def _run_python(self, block: Block) -> str | None:
        try:
            code = compile(block.code, block.id, "exec")
            with _working_directory(self.workspace):
                exec(code, self.namespace)
        except Exception:
            return traceback.format_exc(limit=-3)
        return None

    def _run_shell(self, block: Block) -> str | None:
        expected = int(block.markers.get("exit", "0"))
        bin_dir = str(Path(sys.executable).parent)
        env = {
            **os.environ,
            "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
            "NO_COLOR": "1",
            "COLUMNS": "100",
        }
        done = subprocess.run(
            ["bash", "-eo", "pipefail", "-c", block.script],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode == expected:
            return None
        return f"exit status {done.returncode}, expected {expected}\n--- stdout\n{done.stdout}--- stderr\n{done.stderr}"


@contextlib.contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Page]:
    return {}


@pytest.mark.parametrize("block", _runnable(PAGES), ids=lambda block: block.id)
def test_code_block(block: Block, pages: dict[Path, Page], tmp_path_factory: pytest.TempPathFactory) -> None:
    if "skip" in block.markers:
        pytest.skip(block.markers["skip"])
    if block.markers.get("needs") == RECORDED_CASES:
        recorded.require()
    elif _missing(need := block.markers.get("needs")):
        pytest.skip(f"needs {need}")
    page = pages.get(block.document)
    if page is None:
        page = pages[block.document] = Page(PAGES[block.document], tmp_path_factory.mktemp(block.document.stem))
    failure = page.result_of(block)
    if failure is not None:
        pytest.fail(f"{block.id} ({block.language}) failed:\n{failure}", pytrace=False)


# -- the runner itself ---------------------------------------------------------------------------------


def test_markers_and_fences_are_read(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "\n".join(
            [
                "# Title",
                "",
                "<!-- docs-test: exit=1 needs=jq -->",
                "```bash",
                "asl run x.json | jq .",
                "```",
                "",
                "<!-- docs-test: skip needs AWS credentials -->",
                "",
                "```python",
                "import boto3",
                "```",
                "```yaml",
                "a: 1",
                "```",
                "<!-- docs-test: file=spec.yaml -->",
                "~~~yaml",
                "b: 2",
                "~~~",
                "```bash",
                "pip install asl-engine",
                "```",
                "```console",
                "$ asl --version",
                "asl, version 0.1.0",
                "$ pip --version",
                "```",
                "<!-- file: test_x.py -->",
                "```python",
                "def test(): pass",
                "```",
            ]
        ),
        encoding="utf-8",
    )
    blocks = code_blocks(page)
    assert [(b.line, b.language, b.markers) for b in blocks] == [
        (4, "bash", {"exit": "1", "needs": "jq"}),
        (10, "python", {"skip": "needs AWS credentials"}),
        (13, "yaml", {}),
        (17, "yaml", {"file": "spec.yaml"}),
        (20, "bash", {}),
        (23, "console", {}),
        (29, "python", {"file": "test_x.py"}),
    ]
    assert [b.kind for b in blocks] == ["shell", "python", None, "file", None, "shell", "file"]
    assert blocks[3].code == "b: 2\n"
    assert blocks[5].script == "asl --version\npip --version\n"


def test_unknown_markers_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown docs-test marker 'skipp'"):
        parse_markers("skipp")


def test_a_page_runs_in_order_and_reports_each_failure(tmp_path: Path) -> None:
    document = tmp_path / "doc.md"
    document.write_text(
        "\n".join(
            [
                "<!-- docs-test: file=data.txt -->",
                "```text",
                "42",
                "```",
                "```python",
                "value = int(open('data.txt').read())",
                "```",
                "```python",
                "assert value == 41, value",
                "```",
                "```bash",
                "python -m json.tool data.txt",
                "```",
                "<!-- docs-test: exit=3 -->",
                "```bash",
                "asl run missing.json || exit 3",
                "```",
            ]
        ),
        encoding="utf-8",
    )
    page = Page(code_blocks(document), tmp_path / "scratch")
    runnable = [block for block in page.blocks if block.kind in ("python", "shell")]
    results = [page.result_of(block) for block in runnable]
    assert results[0] is None
    assert results[1] is not None and "AssertionError: 42" in results[1]
    assert results[2] is None
    assert results[3] is None
    assert (page.workspace / "README.md").is_symlink()
    assert (page.workspace / "data.txt").read_text() == "42\n"


def test_the_index_links_every_page() -> None:
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    pages = {page.name for page in (ROOT / "docs").glob("*.md")} - {"index.md", "README-sections.md"}
    missing = sorted(page for page in pages if f"]({page})" not in index)
    assert not missing, f"docs/index.md does not link {', '.join(missing)}"

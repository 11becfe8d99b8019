"""``asl conformance``: run the AWS-recorded conformance cases and check the pass-rate floors."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from asl_engine.conformance.case import CaseDirectoryError, load_cases
from asl_engine.conformance.floors import FloorFileError, load_floors
from asl_engine.conformance.paths import DEFAULT_CASES_DIR, DEFAULT_FLOOR_FILE
from asl_engine.conformance.report import format_text, summarise, to_json
from asl_engine.conformance.runner import DEFAULT_TIMEOUT, run_cases

EXIT_FLOORS_MET = 0
EXIT_BELOW_FLOOR = 1

_DIRECTORY = click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path)


@click.command("conformance")
@click.argument("cases_dirs", nargs=-1, type=_DIRECTORY, metavar="[CASES_DIR]...")
@click.option(
    "--cases",
    "extra_dirs",
    multiple=True,
    type=_DIRECTORY,
    metavar="DIR",
    help="Another directory of cases (e.g. conformance/cases). Repeatable.",
)
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="SUBSTRING",
    help="Run only cases whose id or file name contains SUBSTRING (case-insensitive). Repeatable.",
)
@click.option(
    "--json",
    "json_file",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    metavar="FILE",
    help="Also write a machine-readable report to FILE.",
)
@click.option(
    "--floor",
    "floor_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help=f"Pass-rate floors (default: {DEFAULT_FLOOR_FILE.relative_to(DEFAULT_FLOOR_FILE.parents[1])}).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Wall-clock limit per case.",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Print every case with its result, and where a history differs the recorded and the engine's events.",
)
def conformance_command(
    cases_dirs: tuple[Path, ...],
    extra_dirs: tuple[Path, ...],
    filters: tuple[str, ...],
    json_file: Path | None,
    floor_file: Path | None,
    timeout: float,
    verbose: bool,
) -> None:
    """Run conformance cases recorded against real AWS Step Functions.

    Each case runs in isolation and is compared with what AWS did (its outcome, and its history
    where the recording has one); the report gives the pass rate per category and feature tag and
    every failure with its reason. Without CASES_DIR the shared cases beside the repository
    (../shared/conformance/cases) are used.

    Exit status: 0 when every category's (and history check's) pass rate is at or above its
    floor, 1 when one is below (or a case file is malformed), 2 on bad usage.

    \b
    Examples:
      asl conformance
      asl conformance ../shared/conformance/cases --cases conformance/cases --json report.json
      asl conformance --filter map_item_reader -v
    """
    directories = [*cases_dirs, *extra_dirs]
    if not directories:
        if not DEFAULT_CASES_DIR.is_dir():
            raise click.UsageError(
                f"no CASES_DIR given and the default {DEFAULT_CASES_DIR} does not exist; "
                "pass the directory of cases, or set ASL_CONFORMANCE_CASES to it"
            )
        directories = [DEFAULT_CASES_DIR]
    floors = _floors(floor_file)
    if json_file is not None and not json_file.parent.is_dir():
        raise click.BadParameter(f"the directory {json_file.parent} does not exist", param_hint="--json")
    started = time.perf_counter()
    try:
        cases = load_cases(directories, filters)
    except CaseDirectoryError as error:
        raise click.UsageError(str(error)) from error
    if not cases:
        wanted = f" matching {', '.join(repr(f) for f in filters)}" if filters else ""
        raise click.UsageError(f"no case files{wanted} in {', '.join(str(d) for d in directories)}")
    results = run_cases(cases, timeout=timeout)
    summary = summarise(results, floors, seconds=time.perf_counter() - started)
    click.echo(format_text(results, summary, verbose=verbose))
    if json_file is not None:
        try:
            json_file.write_text(
                json.dumps(to_json(results, summary), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
        except OSError as error:
            raise click.FileError(str(json_file), error.strerror or str(error)) from error
    raise SystemExit(EXIT_FLOORS_MET if summary.floors_met else EXIT_BELOW_FLOOR)


def _floors(floor_file: Path | None) -> dict[str, float]:
    path = floor_file or DEFAULT_FLOOR_FILE
    if floor_file is None and not path.is_file():
        return {}  # outside a checkout: no floors, every rate passes
    try:
        return load_floors(path)
    except FloorFileError as error:
        raise click.UsageError(str(error)) from error

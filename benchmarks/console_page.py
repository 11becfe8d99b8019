#!/usr/bin/env python
"""The console's pages, measured in a real headless Chromium: ``python benchmarks/console_page.py``.

The issue's target: a page with a 1,000-state machine and an execution of 20,000 events opens in
under 2 s. The machine (``big_machine``): an initial Pass, a chain of 990 Pass states, a Choice that
loops back to the chain's start ten times through a Pass that counts rounds, a Pass making a list
of 60 items, an inline Map over them (one Pass each), a Parallel with two one-state branches and a
Succeed: 1,000 states. Its execution records just over 20,000 events (Standard's quota is 25,000).
It runs on ``asl serve`` with ``--clock virtual``, console included, on a loopback port; Chromium
is Debian's (``/usr/bin/chromium`` or ``$ASL_CHROMIUM``), driven by Playwright.

"Opens" is from the start of navigation to the console's ``console-ready`` mark: the page's data
fetched (every event), the graph laid out by Graphviz and coloured, the event table's first rows
drawn. Each page is opened ``--runs`` times in fresh browser contexts after a first opening (shown
apart: the console fetches a history whole only once, then keeps it); the median is reported
against the target, with the time the server took for the page's data alone.
Nothing here asserts: it is a measuring instrument (exit status 0 unless something fails to run).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote
from urllib.request import urlopen

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from any directory

from asl_engine.console.threaded import console_running
from asl_engine.server import ServerSettings

TARGET_MS = 2000.0
CHAIN = 990
ITEMS = 60
ROUNDS = 10


def big_machine() -> dict[str, Any]:
    states: dict[str, Any] = {
        "Init": {"Type": "Pass", "Result": 1, "ResultPath": "$.round", "Next": "Step 0001"},
    }
    for index in range(1, CHAIN + 1):
        following = f"Step {index + 1:04d}" if index < CHAIN else "Another round?"
        states[f"Step {index:04d}"] = {"Type": "Pass", "ResultPath": None, "Next": following}
    states["Another round?"] = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.round", "NumericLessThan": ROUNDS, "Next": "Count round"}],
        "Default": "Make items",
    }
    states["Make items"] = {
        "Type": "Pass",
        "Parameters": {"items.$": f"States.ArrayRange(1, {ITEMS}, 1)"},
        "Next": "Each item",
    }
    states["Count round"] = {
        "Type": "Pass",
        "Parameters": {"round.$": "States.MathAdd($.round, 1)"},
        "Next": "Step 0001",
    }
    states["Each item"] = {
        "Type": "Map",
        "ItemsPath": "$.items",
        "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}},
        "ResultPath": None,
        "Next": "Fan out",
    }
    states["Fan out"] = {
        "Type": "Parallel",
        "Branches": [
            {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}},
            {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "End": True}}},
        ],
        "Next": "Done",
    }
    states["Done"] = {"Type": "Succeed"}
    return {"Comment": "benchmarks/console_page.py", "StartAt": "Init", "States": states}


def count_states(definition: dict[str, Any]) -> int:
    total = 0
    for state in definition["States"].values():
        total += 1
        for branch in [*state.get("Branches", []), *([state["ItemProcessor"]] if "ItemProcessor" in state else [])]:
            total += count_states(branch)
    return total


def chromium_path() -> str | None:
    for candidate in (os.environ.get("ASL_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


MARKS = ("console-data", "console-viz", "console-rendered", "console-stacked", "console-layout", "console-ready")


def open_page(browser: Any, url: str) -> dict[str, float]:
    """Milliseconds from navigation start to each of the console's marks, in a fresh context: its
    data received (``console-data``), the graph laid out (``console-layout``), the page ready."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("body[data-ready]", timeout=120_000)
        if page.evaluate("document.body.dataset.ready") != "true":
            raise RuntimeError(f"the page reported an error: {page.inner_text('main')[:300]}")
        marks = page.evaluate(
            "names => Object.fromEntries(names.map((name) => [name, performance.getEntriesByName(name)[0].startTime]))",
            list(MARKS),
        )
        return {name: float(value) for name, value in marks.items()}
    finally:
        context.close()


def data_time(url: str) -> tuple[float, int]:
    started = time.perf_counter()
    with urlopen(url) as response:
        body = response.read()
    return (time.perf_counter() - started) * 1000, len(body)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed page opens per page, after one warm-up (5)")
    parser.add_argument("--screenshots", type=Path, help="save a screenshot of each page in this directory")
    options = parser.parse_args()
    executable = chromium_path()
    if executable is None:
        print("chromium is not installed (apt-get install chromium): nothing measured", file=sys.stderr)
        return 1
    import boto3
    from playwright.sync_api import sync_playwright

    definition = big_machine()
    settings = ServerSettings(port=0, clock="virtual")
    with console_running(settings) as server, sync_playwright() as playwright:
        client = boto3.client(
            "stepfunctions", endpoint_url=server.url, region_name="us-east-1",
            aws_access_key_id="bench", aws_secret_access_key="bench",
        )  # fmt: skip
        machine = client.create_state_machine(
            name="Big", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/bench"
        )["stateMachineArn"]
        execution = client.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
        while client.describe_execution(executionArn=execution)["status"] == "RUNNING":
            time.sleep(0.1)
        status = client.describe_execution(executionArn=execution)["status"]
        events = 0
        pages = client.get_paginator("get_execution_history").paginate(executionArn=execution, maxResults=1000)
        for page in pages:
            events += len(page["events"])
        print(f"machine: {count_states(definition)} states; execution: {status}, {events} events")
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            results = []
            pages = [
                ("execution page", "executions", execution, f"/console/api/execution?arn={quote(execution)}"),
                ("state machine page", "state-machines", machine, f"/console/api/state-machine?arn={quote(machine)}"),
            ]
            for label, kind, arn, api in pages:
                path = f"/{kind}/{quote(arn, safe='')}"
                first = open_page(browser, server.url + path)["console-ready"]  # the server's cache is cold
                opened = [open_page(browser, server.url + path) for _ in range(options.runs)]
                times = [marks["console-ready"] for marks in opened]
                served, size = data_time(server.url + api)
                steps = {name: statistics.median(marks[name] for marks in opened) for name in MARKS}
                results.append((label, statistics.median(times), min(times), max(times), served, size, steps, first))
                if options.screenshots:
                    options.screenshots.mkdir(parents=True, exist_ok=True)
                    context = browser.new_context(viewport={"width": 1400, "height": 1000})
                    shot = context.new_page()
                    shot.goto(server.url + path)
                    shot.wait_for_selector("body[data-ready]", timeout=120_000)
                    shot.screenshot(path=str(options.screenshots / f"{label.replace(' ', '-')}.png"))
                    context.close()
        finally:
            browser.close()
    print(f"\n{'page':<20} {'median':>9} {'min':>9} {'max':>9} {'data (server)':>14} {'data size':>10}")
    for label, median, low, high, served, size, *_ in results:
        print(f"{label:<20} {median:>7.0f} ms {low:>6.0f} ms {high:>6.0f} ms {served:>11.0f} ms {size / 1e6:>7.1f} MB")
    print(
        "\nmedian time from navigation start to: data received / layout engine loaded / graph laid out /"
        " chains stacked / states wired / page ready"
    )
    for label, *_, steps, _first in results:
        print(f"  {label}: " + " / ".join(f"{steps[name]:.0f} ms" for name in MARKS))
    print(f"\ntarget: each page opens in under {TARGET_MS:.0f} ms (runs: {options.runs}, median)")
    for label, median, *_, first in results:
        verdict = "met" if median < TARGET_MS else "NOT met"
        print(f"  {label}: {median:.0f} ms = {median / TARGET_MS:.2f} x the target: {verdict}")
        print(f"    (first opening, before the console kept the history: {first:.0f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

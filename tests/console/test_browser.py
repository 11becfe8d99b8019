"""The console in a real headless Chromium against a real server: the pages, the graph's colours and
counts, the event table against GetExecutionHistory, and a task token answered from the page.

Screenshots of every page are saved (see conftest.py for where)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.console import machines
from tests.console.conftest import ConsoleServer

WAIT_MS = 30_000


@pytest.fixture(scope="module")
def server() -> Iterator[ConsoleServer]:
    running = ConsoleServer(allow_actions=True, resources=machines.resources()).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def runs(server: ConsoleServer) -> dict[str, str]:
    """One execution of each machine: succeeded, failed after a caught error, waiting for a token."""
    client = server.client()
    arns = {name: machines.create(client, name, definition) for name, definition in [
        ("Succeeds", machines.SUCCEEDS),
        ("FailsCaught", machines.FAILS_CAUGHT),
        ("WaitsForCallback", machines.WAITS_FOR_CALLBACK),
        ("Distributes", machines.DISTRIBUTES),
    ]}  # fmt: skip
    started = {
        "succeeded": client.start_execution(stateMachineArn=arns["Succeeds"], input=json.dumps({"items": [1, 2, 3]})),
        "caught": client.start_execution(stateMachineArn=arns["FailsCaught"], input="{}"),
        "waiting": client.start_execution(stateMachineArn=arns["WaitsForCallback"], input='{"order": 7}'),
        "distributed": client.start_execution(stateMachineArn=arns["Distributes"], input='{"items": [1, 2]}'),
    }
    executions = {key: value["executionArn"] for key, value in started.items()}
    expected = {"succeeded": "SUCCEEDED", "caught": "FAILED", "distributed": "SUCCEEDED"}
    for key, status in expected.items():
        assert _wait_status(client, executions[key], status) == status
    history = client.get_execution_history(executionArn=executions["waiting"])["events"]
    deadline = time.monotonic() + 30
    while not any(event["type"] == "TaskSubmitted" for event in history) and time.monotonic() < deadline:
        time.sleep(0.05)
        history = client.get_execution_history(executionArn=executions["waiting"])["events"]
    return {**executions, **{f"machine:{name}": arn for name, arn in arns.items()}}


def _wait_status(client: Any, arn: str, status: str) -> str:
    deadline = time.monotonic() + 30
    found = client.describe_execution(executionArn=arn)["status"]
    while found != status and time.monotonic() < deadline:
        time.sleep(0.05)
        found = client.describe_execution(executionArn=arn)["status"]
    return str(found)


@pytest.fixture
def page(chromium: Any, artifacts: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield opened
        assert errors == [], f"the page raised: {errors}"
    finally:
        opened.screenshot(path=str(artifacts / f"{request.node.name}.png"), full_page=True)
        context.close()


def _open(page: Any, server: ConsoleServer, path: str) -> None:
    page.goto(server.url + path)
    page.wait_for_selector("body[data-ready='true']", timeout=WAIT_MS)


def _state_nodes(page: Any) -> dict[str, dict[str, Any]]:
    """Each state of the graph: outcome, count, its shape's fill colour, and the legend's colour for it."""
    return {  # type: ignore[no-any-return]
        entry["name"]: entry
        for entry in page.evaluate(
            """() => [...document.querySelectorAll('#graph g.state')].map((node) => {
                const shape = node.querySelector('path, polygon');
                const swatch = document.querySelector('.legend .l-' + node.dataset.outcome);
                const badge = node.querySelector('.count text');
                return {name: node.dataset.state, outcome: node.dataset.outcome, count: Number(node.dataset.count),
                        fill: getComputedStyle(shape).fill,
                        legend: swatch ? getComputedStyle(swatch).backgroundColor : null,
                        badge: badge ? badge.textContent : null};
            })"""
        )
    }


def _check_colours(nodes: dict[str, dict[str, Any]], expected: dict[str, tuple[str, int]]) -> None:
    seen = {name: (node["outcome"], node["count"]) for name, node in nodes.items()}
    assert seen == expected
    for name, node in nodes.items():
        assert node["fill"] == node["legend"], f"{name}: drawn {node['fill']}, legend says {node['legend']}"
        assert node["badge"] == (f"\u00d7{node['count']}" if node["count"] > 1 else None), name
    fills = {node["outcome"]: node["fill"] for node in nodes.values()}
    assert len(set(fills.values())) == len(fills), f"two outcomes share a colour: {fills}"


def _table_rows(page: Any) -> list[dict[str, str]]:
    return page.evaluate(  # type: ignore[no-any-return]
        """() => [...document.querySelectorAll('#events tbody tr')].map((row) => ({
            id: row.dataset.id, type: row.dataset.type, step: row.querySelector('.step').textContent}))"""
    )


def _url(kind: str, arn: str) -> str:
    return f"/{kind}/{quote(arn, safe='')}"


def test_home_lists_machines_and_executions_with_filters(
    page: Any, server: ConsoleServer, runs: dict[str, str]
) -> None:
    _open(page, server, "/")
    names = page.locator("#state-machines tbody tr td:first-child").all_inner_texts()
    assert sorted(names) == ["Distributes", "FailsCaught", "Succeeds", "WaitsForCallback"]
    statuses = dict(
        zip(
            page.locator("#executions tbody tr").evaluate_all("rows => rows.map((row) => row.dataset.arn)"),
            page.locator("#executions tbody tr").evaluate_all("rows => rows.map((row) => row.dataset.status)"),
            strict=True,
        )
    )
    client = server.client()
    for key in ("succeeded", "caught", "distributed"):
        assert statuses[runs[key]] == client.describe_execution(executionArn=runs[key])["status"]
    page.select_option("#status-filter", "FAILED")
    page.wait_for_url("**/?status=FAILED", timeout=WAIT_MS)
    page.wait_for_selector("body[data-ready='true']", timeout=WAIT_MS)
    shown = page.locator("#executions tbody tr").evaluate_all("rows => rows.map((row) => row.dataset.arn)")
    assert shown == [runs["caught"]]
    page.click(f"#executions a[href='{_url('executions', runs['caught'])}']")
    page.wait_for_selector("body[data-ready='true']", timeout=WAIT_MS)
    assert page.locator("h1 .status").inner_text() == "FAILED"


def test_machine_page_draws_groups_catch_and_retry(page: Any, server: ConsoleServer, runs: dict[str, str]) -> None:
    _open(page, server, _url("state-machines", runs["machine:Succeeds"]))
    drawn = set(_state_nodes(page))
    assert drawn == {"Start", "Increment", "More?", "Both", "Left", "Right", "Each", "Square", "Done"}
    assert page.locator("#graph g.cluster.group-parallel").count() == 1
    assert page.locator("#graph g.cluster.group-map").count() == 1
    assert page.locator("#graph g.cluster.scope").count() == 3  # two branches, one item processor
    assert json.loads(page.locator("#definition").inner_text()) == machines.SUCCEEDS
    _open(page, server, _url("state-machines", runs["machine:FailsCaught"]))
    assert page.locator("#graph g.edge-catch").count() == 1
    assert page.locator("#graph g.edge-retry").count() == 1
    assert "States.ALL" in page.locator("#graph g.edge-catch").text_content()
    assert "CardDeclined" in page.locator("#graph g.edge-retry").text_content()


def test_succeeded_execution(page: Any, server: ConsoleServer, runs: dict[str, str]) -> None:
    _open(page, server, _url("executions", runs["succeeded"]))
    _check_colours(
        _state_nodes(page),
        {
            "Start": ("succeeded", 1),
            "Increment": ("succeeded", 3),
            "More?": ("succeeded", 3),
            "Both": ("succeeded", 1),
            "Left": ("succeeded", 1),
            "Right": ("succeeded", 1),
            "Each": ("succeeded", 1),
            "Square": ("succeeded", 3),
            "Done": ("succeeded", 1),
        },
    )
    history = server.client().get_execution_history(executionArn=runs["succeeded"], maxResults=1000)["events"]
    assert page.locator("#event-count").get_attribute("data-total") == str(len(history))
    rows = _table_rows(page)
    assert [(int(row["id"]), row["type"]) for row in rows] == [
        (event["id"], event["type"]) for event in history[: len(rows)]
    ]
    entered = {row["id"]: row["step"] for row in rows if row["type"].endswith("StateEntered")}
    for event in history[: len(rows)]:
        if event["type"].endswith("StateEntered"):
            assert entered[str(event["id"])] == event["stateEnteredEventDetails"]["name"]
    assert json.loads(page.locator("#execution-output").inner_text()) == json.loads(
        server.client().describe_execution(executionArn=runs["succeeded"])["output"]
    )
    chips = page.locator(".map-iterations[data-state='Each'] .status").evaluate_all(
        "chips => chips.map((chip) => [chip.textContent, chip.dataset.status || chip.className])"
    )
    assert [chip[0] for chip in chips] == ["0", "1", "2"]
    assert all("SUCCEEDED" in chip[1] for chip in chips)


def test_failed_and_caught_execution(page: Any, server: ConsoleServer, runs: dict[str, str], artifacts: Path) -> None:
    _open(page, server, _url("executions", runs["caught"]))
    nodes = _state_nodes(page)
    _check_colours(
        nodes,
        {"Charge": ("caught", 1), "Refund": ("succeeded", 1), "Declined": ("failed", 1), "Shipped": ("notreached", 0)},
    )
    assert "2 retried failures" in page.locator("#graph g.state[data-state='Charge'] title").text_content()
    history = server.client().get_execution_history(executionArn=runs["caught"], maxResults=1000)["events"]
    page.select_option("#event-kind", "failure")
    failures = [(event["id"], event["type"]) for event in history if event["type"].endswith(("Failed", "TimedOut"))]
    assert [(int(row["id"]), row["type"]) for row in _table_rows(page)] == failures
    assert page.locator("#event-count").get_attribute("data-shown") == str(len(failures))
    page.click(f"#events tr[data-id='{failures[0][0]}']")
    assert page.locator("#event-detail .detail-error").inner_text() == "CardDeclined"
    cause = history[failures[0][0] - 1]["taskFailedEventDetails"]["cause"]
    assert json.loads(page.locator("#event-detail .detail-cause").inner_text()) == json.loads(cause)
    assert "\n  " in page.locator("#event-detail .detail-cause").inner_text()  # pretty-printed
    page.select_option("#event-kind", "all")
    page.fill("#event-search", "Refund")
    assert {row["step"] for row in _table_rows(page)} == {"Refund"}
    assert page.locator("#execution-error").inner_text() == "PaymentDeclined"
    page.click("#graph g.state[data-state='Charge']")
    assert "caught" in page.locator("#state-detail").inner_text()
    page.screenshot(path=str(artifacts / "console-execution.png"))


def test_distributed_map_lists_its_child_executions(page: Any, server: ConsoleServer, runs: dict[str, str]) -> None:
    client = server.client()
    map_run = client.list_map_runs(executionArn=runs["distributed"])["mapRuns"][0]["mapRunArn"]
    children = client.list_executions(mapRunArn=map_run)["executions"]
    _open(page, server, _url("executions", runs["distributed"]))
    section = page.locator(f".map-run[data-arn='{map_run}']")
    assert section.locator("h2 .status").inner_text() == "SUCCEEDED"
    listed = section.locator("tbody tr").evaluate_all(
        "rows => rows.map((row) => [row.dataset.arn, row.dataset.status])"
    )
    assert sorted(map(tuple, listed)) == sorted((child["executionArn"], child["status"]) for child in children)
    assert len(listed) == 2


def test_answering_the_task_token_from_the_page(page: Any, server: ConsoleServer, runs: dict[str, str]) -> None:
    client = server.client()
    _open(page, server, _url("executions", runs["waiting"]))
    _check_colours(
        _state_nodes(page), {"Prepare": ("succeeded", 1), "Approve": ("running", 1), "Approved": ("notreached", 0)}
    )
    form = page.locator(".callback[data-state='Approve']")
    token = form.locator("input.token").input_value()
    scheduled = next(
        event for event in client.get_execution_history(executionArn=runs["waiting"])["events"]
        if event["type"] == "TaskScheduled"
    )  # fmt: skip
    assert json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["Payload"]["TaskToken"] == token
    form.locator("textarea.task-output").fill('{"approved": true}')
    form.locator("button.send-success").click()
    page.wait_for_selector("h1 .status[data-status='SUCCEEDED']", timeout=WAIT_MS)
    described = client.describe_execution(executionArn=runs["waiting"])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"approved": True}
    page.wait_for_function(
        "() => document.querySelector(\"#graph g.state[data-state='Approved']\").dataset.outcome === 'succeeded'",
        timeout=WAIT_MS,
    )
    _check_colours(
        _state_nodes(page), {"Prepare": ("succeeded", 1), "Approve": ("succeeded", 1), "Approved": ("succeeded", 1)}
    )
    assert page.locator("#callbacks .callback").count() == 0
    history = client.get_execution_history(executionArn=runs["waiting"])["events"]
    assert page.locator("#event-count").get_attribute("data-total") == str(len(history))


def test_starting_an_execution_from_the_machine_page(page: Any, server: ConsoleServer, runs: dict[str, str]) -> None:
    _open(page, server, _url("state-machines", runs["machine:Succeeds"]))
    page.fill("#start-name", "from-the-page")
    page.fill("#start-input", '{"items": [5]}')
    page.click("#start-execution")
    page.wait_for_url("**/executions/**", timeout=WAIT_MS)
    page.wait_for_selector("body[data-ready='true']", timeout=WAIT_MS)
    arn = f"{runs['machine:Succeeds'].replace(':stateMachine:', ':execution:')}:from-the-page"
    assert page.url.endswith(_url("executions", arn))
    assert _wait_status(server.client(), arn, "SUCCEEDED") == "SUCCEEDED"
    page.wait_for_selector("h1 .status[data-status='SUCCEEDED']", timeout=WAIT_MS)
    assert json.loads(page.locator("#execution-input").inner_text()) == {"items": [5]}


def test_a_read_only_console_offers_no_action(chromium: Any, artifacts: Path) -> None:
    read_only = ConsoleServer(allow_actions=False, resources=machines.resources()).start()
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    try:
        client = read_only.client()
        machine = machines.create(client, "WaitsForCallback", machines.WAITS_FOR_CALLBACK)
        execution = client.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
        opened = context.new_page()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            _open(opened, read_only, _url("executions", execution))
            if opened.locator(".callback").count():
                break
            time.sleep(0.1)
        assert opened.locator("#mode").inner_text() == "read-only"
        callback = opened.locator(".callback[data-state='Approve']")
        assert "--allow-actions" in callback.inner_text()
        assert callback.locator("button").count() == 0
        assert opened.locator("#stop-execution").count() == 0
        _open(opened, read_only, _url("state-machines", machine))
        assert opened.locator("#start-execution").count() == 0
        opened.screenshot(path=str(artifacts / "read-only-console.png"))
        client.stop_execution(executionArn=execution)
    finally:
        context.close()
        read_only.stop()

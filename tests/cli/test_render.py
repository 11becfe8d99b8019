"""The renderers behind ``--history``, ``--trace`` and the progress line, on real engine histories."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from asl_engine import StateMachine
from asl_engine.cli.render.events import EventView, StepTracker
from asl_engine.cli.render.progress import EngineProbe, ProgressDisplay
from asl_engine.cli.render.table import history_table
from asl_engine.cli.render.terminal import TerminalWriter
from asl_engine.cli.render.text import describe_path, format_duration, shorten
from asl_engine.cli.render.waits import LongWaitNotice, static_wait_deadlines
from asl_engine.handle import MapRunProgress

NESTED = {
    "StartAt": "Outer",
    "States": {
        "Outer": {
            "Type": "Parallel",
            "Next": "After",
            "Branches": [
                {
                    "StartAt": "Inner",
                    "States": {
                        "Inner": {
                            "Type": "Parallel",
                            "End": True,
                            "Branches": [{"StartAt": "Deep", "States": {"Deep": {"Type": "Pass", "End": True}}}],
                        }
                    },
                },
                {
                    "StartAt": "Items",
                    "States": {
                        "Items": {
                            "Type": "Map",
                            "End": True,
                            "ItemsPath": "$.items",
                            "ItemProcessor": {"StartAt": "Each", "States": {"Each": {"Type": "Pass", "End": True}}},
                        }
                    },
                },
            ],
        },
        "After": {"Type": "Succeed"},
    },
}


def _events(definition: dict[str, Any], value: Any) -> list[EventView]:
    execution = StateMachine.from_json(definition).execute(value)
    return [EventView.of(event) for event in execution.events]


def _steps(events: list[EventView]) -> list[tuple[str, str | None]]:
    tracker = StepTracker()
    steps = []
    for event in events:
        visit = tracker.add(event)
        steps.append((event.type, visit.name if visit is not None else None))
    return steps


def test_every_event_is_attributed_to_its_own_state_even_when_branches_nest() -> None:
    steps = _steps(_events(NESTED, {"items": [1, 2]}))
    expected_owner = {
        "ParallelStateEntered": {"Outer", "Inner"},
        "ParallelStateStarted": {"Outer", "Inner"},
        "ParallelStateSucceeded": {"Outer", "Inner"},
        "ParallelStateExited": {"Outer", "Inner"},
        "PassStateEntered": {"Deep", "Each"},
        "PassStateExited": {"Deep", "Each"},
        "MapStateEntered": {"Items"},
        "MapStateStarted": {"Items"},
        "MapIterationStarted": {"Items"},
        "MapIterationSucceeded": {"Items"},
        "MapStateSucceeded": {"Items"},
        "MapStateExited": {"Items"},
        "SucceedStateEntered": {"After"},
        "SucceedStateExited": {"After"},
    }
    for event_type, step in steps:
        if event_type.startswith("Execution"):
            assert step is None
        else:
            assert step in expected_owner[event_type], (event_type, step)
    # The outer Parallel ends after the inner one: its Succeeded event must not be taken for Inner's.
    succeeded = [step for event_type, step in steps if event_type == "ParallelStateSucceeded"]
    assert succeeded[-1] == "Outer"


def test_history_table_rows_and_widths() -> None:
    events = _events(NESTED, {"items": [1]})
    table = history_table(events).splitlines()
    assert len(table) == len(events) + 1
    assert table[0].split() == ["ID", "TYPE", "STEP", "ELAPSED", "DETAILS"]
    map_started = next(line for line in table if "MapStateStarted" in line)
    assert map_started.split()[2] == "Items" and map_started.endswith("1 items")
    assert all(len(line) <= 50 for line in history_table(events, width=50).splitlines())


def test_empty_history() -> None:
    assert history_table([]) == "(no events)\n"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 ms"),
        (0.0004, "0.4 ms"),
        (0.25, "250 ms"),
        (1.0, "1 s"),
        (1.25, "1.25 s"),
        (125, "2 min 05 s"),
        (3 * 3600 + 125, "3 h 02 min"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_shorten_and_describe_path() -> None:
    assert shorten("abcdef", 4) == "abc…" and shorten("abc", 4) == "abc" and shorten("abc", 0) == ""
    assert describe_path(["A", "B", "B", "B", "C"]) == "A → B (3 times) → C"
    assert describe_path([str(n) for n in range(50)], limit=3) == "… (47 earlier) → 47 → 48 → 49"


def test_terminal_writer_clears_the_status_line_before_writing_a_line() -> None:
    stream = io.StringIO()
    writer = TerminalWriter(stream, status_enabled=True)
    writer.status("working")
    writer.line("event")
    writer.status("still working")
    writer.clear_status()
    assert stream.getvalue() == "\r\x1b[Kworking\r\x1b[Kevent\n\r\x1b[Kstill working\r\x1b[K"


def test_terminal_writer_without_status_writes_lines_only() -> None:
    stream = io.StringIO()
    writer = TerminalWriter(stream)
    writer.status("ignored")
    writer.line("event")
    assert stream.getvalue() == "event\n"


class FakeProbe:
    virtual = False

    def __init__(
        self,
        now: float,
        timer: float | None = None,
        distributed: MapRunProgress | None = None,
        token_states: tuple[str, ...] = (),
    ) -> None:
        self._now, self._timer, self._distributed, self._tokens = now, timer, distributed, token_states

    def now(self) -> float:
        return self._now

    def next_timer(self) -> float | None:
        return self._timer

    def map_run(self, map_name: str) -> MapRunProgress | None:
        return self._distributed

    def waiting_for_token(self, state_name: str) -> bool:
        return state_name in self._tokens


def _event(event_id: int, previous: int, event_type: str, at: float = 0.0, **details: Any) -> EventView:
    return EventView(event_id, previous, at, event_type, details)


def test_progress_counts_map_items_and_hides_what_runs_inside_them() -> None:
    display = ProgressDisplay(TerminalWriter(io.StringIO()))
    for event in [
        _event(1, 0, "ExecutionStarted"),
        _event(2, 1, "MapStateEntered", name="Items"),
        _event(3, 2, "MapStateStarted", length=3),
        _event(4, 3, "MapIterationStarted", name="Items", index=0),
        _event(5, 3, "MapIterationStarted", name="Items", index=1),
        _event(6, 4, "TaskStateEntered", name="Work"),
        _event(7, 6, "TaskStateExited", name="Work"),
        _event(8, 7, "MapIterationSucceeded", name="Items", index=0),
    ]:
        display.observe(event)
    assert display.describe() == ["Items 1/3"]
    display.observe(_event(9, 8, "MapStateExited", name="Items"))
    assert display.describe() == []


def test_progress_of_a_distributed_map_shows_items_read_then_children_ended_of_the_total() -> None:
    display = ProgressDisplay(TerminalWriter(io.StringIO()))
    for event in [
        _event(1, 0, "ExecutionStarted"),
        _event(2, 1, "MapStateEntered", name="Fan"),
        _event(3, 2, "MapStateStarted", length=0),  # an ItemReader supplies the items: no length yet
        _event(4, 3, "MapRunStarted", mapRunArn="arn:aws:states:::mapRun:m/Fan:1"),
    ]:
        display.observe(event)
    shown = []
    for progress in [
        None,
        MapRunProgress(items_read=1200, total=None, ended=0, started=0),
        MapRunProgress(items_read=3000, total=3000, ended=40, started=140),
        MapRunProgress(items_read=3000, total=30, ended=12, started=20),
    ]:
        display.attach(FakeProbe(now=0.0, distributed=progress))  # type: ignore[arg-type]
        shown.extend(display.describe())
    assert shown == [
        "Fan starting",
        "Fan reading items: 1200 so far",
        "Fan 40/3000",
        "Fan 12/30 batches (3000 items)",
    ]


def test_progress_of_waits_uses_the_definition_then_the_next_timer() -> None:
    machine = StateMachine.from_json(
        {
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Parallel",
                    "End": True,
                    "Branches": [
                        {"StartAt": "Fixed", "States": {"Fixed": {"Type": "Wait", "Seconds": 30, "End": True}}},
                        {
                            "StartAt": "Dynamic",
                            "States": {"Dynamic": {"Type": "Wait", "SecondsPath": "$.s", "End": True}},
                        },
                    ],
                }
            },
        }
    )
    display = ProgressDisplay(TerminalWriter(io.StringIO()), wait_deadline=static_wait_deadlines(machine))
    display.attach(FakeProbe(now=1010.0, timer=1012.0))  # type: ignore[arg-type]
    for event in [
        _event(1, 0, "ExecutionStarted", 1000.0),
        _event(2, 1, "ParallelStateEntered", 1000.0, name="P"),
        _event(3, 2, "ParallelStateStarted", 1000.0),
        _event(4, 3, "WaitStateEntered", 1000.0, name="Fixed"),
        _event(5, 3, "WaitStateEntered", 1000.0, name="Dynamic"),
    ]:
        display.observe(event)
    assert display.describe() == ["Fixed 20 s left", "Dynamic 2 s left"]
    display.observe(_event(6, 5, "WaitStateExited", 1012.0, name="Dynamic"))
    assert display.describe() == ["Fixed 20 s left"]


def test_static_wait_deadlines_read_seconds_and_timestamps() -> None:
    machine = StateMachine.from_json(
        {
            "StartAt": "A",
            "States": {
                "A": {"Type": "Wait", "Seconds": 5, "Next": "B"},
                "B": {"Type": "Wait", "Timestamp": "2030-01-01T00:00:00Z", "Next": "C"},
                "C": {"Type": "Wait", "SecondsPath": "$.s", "End": True},
            },
        }
    )
    deadline = static_wait_deadlines(machine)
    assert deadline("A", 100.0) == 105.0
    assert deadline("B", 100.0) == 1893456000.0
    assert deadline("C", 100.0) is None


def test_progress_shows_tasks_and_task_tokens() -> None:
    display = ProgressDisplay(TerminalWriter(io.StringIO()))
    display.attach(FakeProbe(now=0.0, token_states=("Approve",)))  # type: ignore[arg-type]
    display.observe(_event(1, 0, "ExecutionStarted"))
    display.observe(_event(2, 1, "TaskStateEntered", name="Approve"))
    assert display.describe() == ["Approve waiting for its task token"]


def test_progress_line_appears_only_after_the_delay_and_fits_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    display = ProgressDisplay(TerminalWriter(stream, status_enabled=True), delay=3600)
    display.tick()
    assert stream.getvalue() == ""
    monkeypatch.setenv("COLUMNS", "20")
    display = ProgressDisplay(TerminalWriter(stream, status_enabled=True), delay=0)
    display.observe(_event(1, 0, "ExecutionStarted"))
    display.observe(_event(2, 1, "TaskStateEntered", name="AVeryLongTaskStateNameIndeed"))
    display.tick()
    line = stream.getvalue().rsplit("\r\x1b[K", 1)[1]
    assert len(line) <= 19 and line.endswith("…")


def test_engine_probe_reads_timers_and_distributed_map_progress() -> None:
    import threading

    from asl_engine import VirtualClock
    from asl_engine.services import Resources

    release, reached = threading.Event(), threading.Event()
    resources = Resources()

    @resources.lambda_function("Work")
    def work(event: Any, context: Any) -> Any:
        if event == 2:  # hold the execution here: item 1 is done, a Wait is pending in the other branch
            reached.set()
            release.wait(10)
        return event

    machine = StateMachine.from_json(
        {
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Parallel",
                    "End": True,
                    "Branches": [
                        {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 30, "End": True}}},
                        {
                            "StartAt": "Items",
                            "States": {
                                "Items": {
                                    "Type": "Map",
                                    "End": True,
                                    "MaxConcurrency": 1,
                                    "ItemProcessor": {
                                        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                                        "StartAt": "Do",
                                        "States": {
                                            "Do": {
                                                "Type": "Task",
                                                "End": True,
                                                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Work",
                                            }
                                        },
                                    },
                                }
                            },
                        },
                    ],
                }
            },
        }
    )
    clock = VirtualClock(start=1000.0)
    handle = machine.start([1, 2, 3], clock=clock, resources=resources)
    try:
        assert reached.wait(10)
        probe = EngineProbe(handle)
        assert probe.next_timer() == 1030.0
        assert probe.map_run("Items") == MapRunProgress(items_read=3, total=3, ended=1, started=2)
        assert probe.map_run("Nothing") is None
        assert probe.virtual
    finally:
        release.set()
    assert handle.wait(10).status == "SUCCEEDED"


def test_a_map_run_reading_from_s3_reports_the_items_read_and_the_total() -> None:
    import threading

    from asl_engine.services import Resources

    release, reached = threading.Event(), threading.Event()
    resources = Resources()
    resources.s3_object("orders", "all.json", json.dumps(list(range(3000))))

    @resources.lambda_function("Work")
    def work(event: Any, context: Any) -> Any:
        if event == 2999:  # the last child: hold the run while every other child has ended
            reached.set()
            release.wait(10)
        return event

    machine = StateMachine.from_json(
        {
            "StartAt": "Fan",
            "States": {
                "Fan": {
                    "Type": "Map",
                    "End": True,
                    "MaxConcurrency": 1,
                    "ItemReader": {
                        "Resource": "arn:aws:states:::s3:getObject",
                        "ReaderConfig": {"InputType": "JSON"},
                        "Parameters": {"Bucket": "orders", "Key": "all.json"},
                    },
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                        "StartAt": "Do",
                        "States": {
                            "Do": {
                                "Type": "Task",
                                "End": True,
                                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Work",
                            }
                        },
                    },
                }
            },
        }
    )
    handle = machine.start({}, resources=resources)
    try:
        assert reached.wait(30)
        assert EngineProbe(handle).map_run("Fan") == MapRunProgress(
            items_read=3000, total=3000, ended=2999, started=3000
        )
    finally:
        release.set()
    assert handle.wait(30).status == "SUCCEEDED"


LONG_WAIT = {
    "StartAt": "Bill",
    "States": {
        "Bill": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Bill",
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 30}],
            "Next": "Cool down",
        },
        "Cool down": {"Type": "Wait", "Seconds": 60, "Next": "Brief"},
        "Brief": {"Type": "Wait", "Seconds": 5, "End": True},
    },
}


def _notice(stream: io.StringIO) -> LongWaitNotice:
    return LongWaitNotice(
        TerminalWriter(stream), wait_deadline=static_wait_deadlines(StateMachine.from_json(LONG_WAIT))
    )


def test_a_long_real_clock_wait_gets_the_virtual_clock_hint_once() -> None:
    stream = io.StringIO()
    notice = _notice(stream)
    notice.observe(_event(1, 0, "ExecutionStarted", at=1000.0))
    notice.observe(_event(2, 1, "WaitStateEntered", at=1000.0, name="Brief"))
    notice.check(FakeProbe(now=1001.0, timer=1005.0))  # type: ignore[arg-type]
    assert stream.getvalue() == ""  # 5 s: not worth a word
    notice.observe(_event(3, 2, "WaitStateExited", at=1005.0, name="Brief"))
    notice.observe(_event(4, 3, "WaitStateEntered", at=1005.0, name="Cool down"))
    notice.check(FakeProbe(now=1006.0, timer=None))  # type: ignore[arg-type]  # the definition fixes the end
    notice.check(FakeProbe(now=1007.0, timer=None))  # type: ignore[arg-type]
    assert stream.getvalue() == (
        "note: the Wait state 'Cool down' waits 59 s in real time; --clock virtual skips Wait states and retry "
        "intervals (timestamps still advance as if they had passed)\n"
    )


def test_a_long_retry_interval_gets_the_hint_and_a_virtual_clock_gets_none() -> None:
    events = [
        _event(1, 0, "ExecutionStarted", at=1000.0),
        _event(2, 1, "TaskStateEntered", at=1000.0, name="Bill"),
        _event(3, 2, "TaskScheduled", at=1000.0),
        _event(4, 3, "TaskFailed", at=1000.0, error="Boom"),
    ]
    virtual, real = io.StringIO(), io.StringIO()
    for stream, probe in ((virtual, FakeProbe(now=1000.0, timer=1030.0)), (real, FakeProbe(now=1000.0, timer=1030.0))):
        notice = _notice(stream)
        for event in events:
            notice.observe(event)
        probe.virtual = stream is virtual
        notice.check(probe)  # type: ignore[arg-type]
    assert virtual.getvalue() == ""
    assert real.getvalue().startswith("note: 'Bill' is retried in 30 s in real time; --clock virtual skips")


def test_no_hint_while_an_attempt_runs_under_a_long_task_timeout() -> None:
    stream = io.StringIO()
    notice = _notice(stream)
    for event in [
        _event(1, 0, "ExecutionStarted"),
        _event(2, 1, "TaskStateEntered", name="Bill"),
        _event(3, 2, "TaskScheduled"),
        _event(4, 3, "TaskFailed", error="Boom"),
        _event(5, 4, "TaskScheduled"),  # the retry has started: its TimeoutSeconds timer is not a wait
    ]:
        notice.observe(event)
    notice.check(FakeProbe(now=0.0, timer=300.0))  # type: ignore[arg-type]
    assert stream.getvalue() == ""


def test_marks_tell_a_failed_branch_from_one_its_failure_stopped() -> None:
    from asl_engine.cli.render.marks import state_marks
    from asl_engine.definition.render import CAUGHT, ENTERED, FAILED, StateMark

    lambda_arn = "arn:aws:lambda:us-east-1:123456789012:function:f"
    branches = [
        {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 5, "End": True}}},
        {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": lambda_arn, "End": True}}},
    ]
    machine = StateMachine.from_json(
        {
            "StartAt": "Both",
            "States": {
                "Both": {"Type": "Parallel", "Branches": branches, "Next": "Done",
                         "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Give up"}]},
                "Give up": {"Type": "Fail", "Error": "Gave.Up"},
                "Done": {"Type": "Succeed"},
            },
        }
    )  # fmt: skip
    execution = machine.execute({}, mocks={"Call": [{"Throw": {"Error": "Boom", "Cause": "c"}}]})
    assert state_marks([EventView.of(event) for event in execution.events]) == {
        "Both": StateMark(1, CAUGHT),
        "Nap": StateMark(1, ENTERED),  # stopped when the other branch failed
        "Call": StateMark(1, FAILED),
        "Give up": StateMark(1, FAILED),
    }

"""The live event log of ``asl run --trace`` and ``--trace-file``, through structlog."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from asl_engine.cli.render.events import EventView, StepTracker
from asl_engine.cli.render.terminal import TerminalWriter
from asl_engine.cli.render.text import compact, shorten

if TYPE_CHECKING:
    from asl_engine.runtime.history import HistoryEvent


class _LineSink:
    """The "logger" structlog hands its rendered lines to."""

    def __init__(self, writer: TerminalWriter) -> None:
        self._writer = writer

    def msg(self, message: str) -> None:
        self._writer.line(message)

    info = msg


class TraceListener:
    """A history listener that logs every event through structlog as it is recorded.

    ``console`` renders aligned, coloured key=value lines for people; otherwise each event is one
    JSON object per line (payloads as JSON values, not text) for ``jq`` and log shippers.
    """

    def __init__(self, writer: TerminalWriter, *, console: bool, color: bool = False, payload_width: int = 160) -> None:
        self._console = console
        self._payload_width = payload_width
        self._tracker = StepTracker()
        import structlog  # only --trace needs it, and it costs ~90 ms at startup (it imports asyncio)

        renderer: Any
        if console:
            renderer = structlog.dev.ConsoleRenderer(colors=color, sort_keys=False, pad_event_to=28)
        else:
            renderer = structlog.processors.JSONRenderer(ensure_ascii=False, default=str)
        self._log = structlog.wrap_logger(
            _LineSink(writer),
            processors=[_event_first, renderer],
            context_class=dict,
            wrapper_class=structlog.make_filtering_bound_logger(0),
        )

    def __call__(self, event: HistoryEvent) -> None:
        self.log(EventView.of(event))

    def log(self, event: EventView) -> None:
        visit = self._tracker.add(event)
        fields: dict[str, Any] = {"timestamp": _iso(event.timestamp), "id": event.id}
        if visit is not None:
            fields["state"] = visit.name
        for key, value in event.details.items():
            if key == "name":
                continue
            if self._console and not isinstance(value, int | float | bool):
                text = value if isinstance(value, str) and key not in _PAYLOAD_KEYS else compact(value)
                value = _Shown(shorten(text, self._payload_width))
            fields[key] = value
        self._log.info(event.type, **fields)


_PAYLOAD_KEYS = ("input", "output", "parameters")


class _Shown:
    """A value the console renderer prints as it is: no quotes around JSON text or messages."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _event_first(logger: Any, method: str, event_dict: MutableMapping[str, Any]) -> Mapping[str, Any]:
    """JSON lines read best with the event type first (structlog appends it last)."""
    return {"event": event_dict.pop("event"), **event_dict}


def _iso(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

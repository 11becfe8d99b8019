"""How a batch travels to a worker and back: one bytes object each way, of plain tuples.

A batch's children go out, and their reports come back, as one pickled list of tuples, not as
lists of ``ChildWork``/``ChildReport`` objects: pickling a tuple costs a tenth of pickling a
dataclass with slots (its state is a dict rebuilt field by field), and the driver unpickles every
report of the Map Run on its one thread. As bytes the batch is also opaque to Dask, which would
otherwise serialize a list's elements one by one (``distributed.protocol.serialize`` iterates
over lists), on the worker's event loop and again on the client. Where the reports ran is sent
once per batch, not once per report.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence

from asl_engine.runtime.map_run.executor import ChildReport, ChildWork

_PROTOCOL = pickle.HIGHEST_PROTOCOL


def pack_works(works: Sequence[ChildWork]) -> bytes:
    return pickle.dumps([(w.index, w.input, w.name, w.seed, w.start_time) for w in works], protocol=_PROTOCOL)


def unpack_works(data: bytes) -> list[ChildWork]:
    return [ChildWork(*fields) for fields in pickle.loads(data)]


def pack_reports(where: str, reports: Sequence[ChildReport]) -> bytes:
    """``reports`` of children that ran here (never ``run``: it does not leave its process)."""
    rows = [_row(report) for report in reports]
    return pickle.dumps((where, rows), protocol=_PROTOCOL)


def _row(r: ChildReport) -> tuple[object, ...]:
    """``ChildReport``'s fields in order, up to ``worker`` (which ``unpack_reports`` sets)."""
    return (
        r.index,
        r.status,
        r.output,
        r.error,
        r.cause,
        r.start_time,
        r.stop_time,
        r.input_text,
        r.output_text,
        r.history,
        r.events,
        r.decisions,
        r.unanswered,
    )


def unpack_reports(data: bytes) -> list[ChildReport]:
    where, rows = pickle.loads(data)
    reports = [ChildReport(*row) for row in rows]
    for report in reports:
        report.worker = where
    return reports

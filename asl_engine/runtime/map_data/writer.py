"""``ResultWriter``: how a Distributed Map reports its children's results, and exporting them to S3.

* ``WriterConfig`` alone formats the state's result: ``Transformation`` ``COMPACT`` (the children's
  outputs), ``FLATTEN`` (array outputs flattened into one array) or ``NONE`` (each child's
  execution record: ARN, input, output, status, dates). A child that did not succeed is always
  given as its record, as AWS documents.
* ``Resource: arn:aws:states:::s3:putObject`` with ``Bucket`` and ``Prefix`` exports them instead
  (``Transformation`` ``NONE`` unless a ``WriterConfig`` says otherwise): ``SUCCEEDED_0``,
  ``FAILED_0`` (failed and aborted children) and ``PENDING_0`` (never started) result files, as a
  JSON array or JSON Lines (``OutputType``), then ``manifest.json``, all under
  ``<Prefix>/<Map Run id>/``. The state's result becomes ``{"MapRunArn": ...,
  "ResultWriterDetails": {"Bucket": ..., "Key": "<Prefix>/<id>/manifest.json"}}``.

Writing fails with ``States.ResultWriterFailed`` (a missing bucket, as on AWS, or a failing
handler). Entries go into the files as children finish, in item order, and a file is written as
soon as it holds ``RESULT_FILE_BYTES`` (64 MiB; AWS splits at 5 GB), the next one of its status
following (``SUCCEEDED_1.json``...): a Map Run never holds all its results. The result records
follow the AWS documentation's example; the layout of FAILED and PENDING records and the
``.jsonl`` file names for JSON Lines are not recorded.
"""

from __future__ import annotations

import functools
import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

from asl_engine.definition.arns import ResourceRef, UnknownResourceError, parse_resource
from asl_engine.definition.vocabulary import JSONATA
from asl_engine.errors import StatesError
from asl_engine.runtime import failures
from asl_engine.runtime.handlers import TaskHandler
from asl_engine.runtime.map_data.calls import call, integration
from asl_engine.runtime.map_data.fields import FieldSource, payload_source
from asl_engine.runtime.states.base import CompileError

if TYPE_CHECKING:
    from asl_engine.runtime.frame import Frame
    from asl_engine.runtime.map_run.records import ChildRecord
    from asl_engine.runtime.run import MapRun

RESULT_WRITER_FAILED = "States.ResultWriterFailed"
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"
PENDING = "PENDING"

_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


@dataclass(slots=True)
class ChildOutcome:
    """How one child execution (one item or batch) of a Map Run ended."""

    index: int
    input: Any
    status: str
    """SUCCEEDED, FAILED, TIMED_OUT, ABORTED, or PENDING when it never started."""
    output: Any = None
    run: ChildRecord | None = None
    """The child execution (None when it never started)."""


@dataclass(frozen=True, slots=True)
class WritePlan:
    """An export's destination, evaluated before ``MapStateStarted``."""

    bucket: str
    prefix: str
    resource: ResourceRef
    handler: TaskHandler


class ResultWriter:
    """A compiled ``ResultWriter`` (for either query language)."""

    def __init__(self, spec: Any, pointer: str, query_language: str) -> None:
        if not isinstance(spec, dict) or not spec:
            raise CompileError(pointer, "'ResultWriter' must be a non-empty JSON object")
        self.resource: ResourceRef | None = None
        if "Resource" in spec:
            try:
                self.resource = parse_resource(spec["Resource"])
            except UnknownResourceError as error:
                raise CompileError(f"{pointer}/Resource", str(error)) from None
            resource = self.resource
            if resource.kind != "service" or resource.service != "s3" or resource.action != "putObject":
                raise CompileError(
                    f"{pointer}/Resource",
                    f"A ResultWriter writes with arn:aws:states:::s3:putObject, not {resource.arn}",
                )
        self.parameters: FieldSource | None = payload_source(spec, pointer, query_language, "ResultWriter")
        if self.resource is not None and self.parameters is None:
            field = "Arguments" if query_language == JSONATA else "Parameters"
            raise CompileError(pointer, f"A ResultWriter with a Resource needs '{field}' with the Bucket and Prefix")
        if self.resource is None and self.parameters is not None:
            raise CompileError(
                pointer, "A ResultWriter's Bucket and Prefix need 'Resource': arn:aws:states:::s3:putObject"
            )
        config = spec.get("WriterConfig")
        if config is not None and not isinstance(config, dict):
            raise CompileError(f"{pointer}/WriterConfig", "'WriterConfig' must be a JSON object")
        config = config or {}
        self.output_type: str = config.get("OutputType", "JSON")
        if self.output_type not in ("JSON", "JSONL"):
            raise CompileError(f"{pointer}/WriterConfig/OutputType", "'OutputType' must be JSON or JSONL")
        default = "NONE" if self.resource is not None else "COMPACT"
        self.transformation: str = config.get("Transformation", default)
        if self.transformation not in ("NONE", "COMPACT", "FLATTEN"):
            raise CompileError(
                f"{pointer}/WriterConfig/Transformation", "'Transformation' must be NONE, COMPACT or FLATTEN"
            )

    @property
    def exports(self) -> bool:
        return self.resource is not None

    def prepare(self, frame: Frame, raw_input: Any, selected: Any) -> WritePlan | None:
        if self.resource is None or self.parameters is None:
            return None
        parameters = self.parameters(frame, raw_input, selected)
        if not isinstance(parameters, Mapping):
            raise failures.runtime_error(frame, "The ResultWriter's parameters must be a JSON object")
        bucket, prefix = parameters.get("Bucket"), parameters.get("Prefix", "")
        if not isinstance(bucket, str) or not isinstance(prefix, str):
            raise failures.runtime_error(frame, "The ResultWriter's parameters need 'Bucket' and 'Prefix' strings")
        how_to = f"a bucket '{bucket}' in its embedded S3, e.g. resources.s3_bucket('{bucket}')"
        handler = integration(frame, self.resource, "ResultWriter", how_to)
        return WritePlan(bucket, prefix, self.resource, handler)

    # -- formatting ----------------------------------------------------------------------------------------

    def entries(self, outcomes: list[ChildOutcome]) -> list[Any]:
        """The children's results as the Transformation gives them."""
        entries: list[Any] = []
        for outcome in outcomes:
            if self.transformation == "NONE" or outcome.status != SUCCEEDED:
                entries.append(execution_record(outcome))
            else:
                output = outcome.run.output if outcome.run is not None else outcome.output
                if self.transformation == "FLATTEN" and isinstance(output, list):
                    entries.extend(output)
                else:
                    entries.append(output)
        return entries

    # -- exporting -----------------------------------------------------------------------------------------

    async def write_full(self, frame: Frame, plan: WritePlan, map_run: MapRun, files: ResultFiles) -> None:
        """Write the result files that are full (``RESULT_FILE_BYTES``) while the Map Run goes on."""
        try:
            for group, number, body, size in files.take_full():
                await self._write_file(frame, plan, map_run, files, group, number, body, size)
        except StatesError as error:
            raise _writer_failure(error) from None

    async def export(self, frame: Frame, plan: WritePlan, map_run: MapRun, files: ResultFiles) -> dict[str, Any]:
        """Write the remaining result files and the manifest; the state's result names the manifest."""
        try:
            for group, number, body, size in [*files.take_full(), *files.take_rest()]:
                await self._write_file(frame, plan, map_run, files, group, number, body, size)
            manifest = {"DestinationBucket": plan.bucket, "MapRunArn": map_run.arn, "ResultFiles": files.listed}
            manifest_key = f"{_folder(plan, map_run)}manifest.json"
            await self._put(frame, plan, manifest_key, _encode(manifest))
        except StatesError as error:
            raise _writer_failure(error) from None
        finally:
            files.close()
        return {"MapRunArn": map_run.arn, "ResultWriterDetails": {"Bucket": plan.bucket, "Key": manifest_key}}

    async def _write_file(
        self,
        frame: Frame,
        plan: WritePlan,
        map_run: MapRun,
        files: ResultFiles,
        group: str,
        number: int,
        body: str,
        size: int,
    ) -> None:
        extension = "jsonl" if self.output_type == "JSONL" else "json"
        key = f"{_folder(plan, map_run)}{group}_{number}.{extension}"
        await self._put(frame, plan, key, body)
        files.listed[group].append({"Key": key, "Size": size})

    async def _put(self, frame: Frame, plan: WritePlan, key: str, body: str) -> None:
        await call(frame, plan.handler, plan.resource, {"Bucket": plan.bucket, "Key": key, "Body": body})


def _folder(plan: WritePlan, map_run: MapRun) -> str:
    prefix = plan.prefix if not plan.prefix or plan.prefix.endswith("/") else plan.prefix + "/"
    return f"{prefix}{map_run.run_id}/"


def _writer_failure(error: StatesError) -> StatesError:
    if error.error == failures.RUNTIME:
        return error
    return StatesError(RESULT_WRITER_FAILED, error.cause or error.error)


RESULT_FILE_BYTES = 64 * 1024 * 1024
"""A result file is written, and the next one started, once it holds this many bytes (AWS: 5 GB)."""


SPOOL_IN_MEMORY_BYTES = 8 * 1024 * 1024
"""Result bytes kept in memory per file before they go to a temporary file."""
PIECES_PER_WRITE = 256
"""Entry texts joined (and encoded) before they go to a result file's spool."""


class _OpenFile:
    """A result file being filled: its entries' texts, in order, spooled as UTF-8 bytes (in memory while
    small, in a temporary file beyond ``SPOOL_IN_MEMORY_BYTES``), decoded once when it is written.

    Bytes, not text: a text spool (``mode="w+"``) encoded through its text layer on the way in and
    decoded on the way out at about three times the cost (a trivial child of a large export spent a
    tenth of its time there). ``opening`` and ``closing`` bracket a JSON array's entries.
    """

    __slots__ = ("number", "outcomes", "pending", "size", "spool", "texts")

    def __init__(self, number: int, opening: str) -> None:
        self.number = number
        self.spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES)  # noqa: SIM115 - closed by ResultFiles
        self.outcomes = 0
        self.texts = 0
        self.size = 0
        self.pending: list[str] = [opening] if opening else []
        """Pieces not yet in the spool: written ``PIECES_PER_WRITE`` at a time (a spool write costs
        more than a small child's record)."""

    def write(self, piece: str) -> None:
        pending = self.pending
        pending.append(piece)
        if len(pending) >= PIECES_PER_WRITE:
            self.spool.write("".join(pending).encode("utf-8"))
            pending.clear()

    def text(self, closing: str) -> str:
        """The file's whole text, ``closing`` last (then the spool is closed: the file is written)."""
        spool = self.spool
        self.pending.append(closing)
        spool.write("".join(self.pending).encode("utf-8"))
        self.pending.clear()
        spool.seek(0)
        data = spool.read()
        spool.close()
        return data.decode("utf-8")


class ResultFiles:
    """An export's result files, filled as children finish (in item order).

    Entries are appended as JSON text to the open file of their group (SUCCEEDED; FAILED for failed
    and aborted children; PENDING for those never started), held in memory while small and in a
    temporary file beyond ``SPOOL_IN_MEMORY_BYTES``. A file that reaches ``RESULT_FILE_BYTES`` is
    written while the Map Run goes on (``SUCCEEDED_0.json``, then ``SUCCEEDED_1.json``...), so the Map
    Run holds neither the children's results nor their records, however many there are.
    """

    def __init__(self, writer: ResultWriter) -> None:
        self._writer = writer
        self._lines = writer.output_type == "JSONL"
        self._opening = "" if self._lines else "["
        self._open: dict[str, _OpenFile] = {}
        self._full: list[tuple[str, int, str, int]] = []
        self.listed: dict[str, list[dict[str, Any]]] = {FAILED: [], PENDING: [], SUCCEEDED: []}
        """The files written so far, by group, as the manifest lists them."""

    @property
    def has_full(self) -> bool:
        return bool(self._full)

    def add(self, outcome: ChildOutcome) -> None:
        status = outcome.status
        group = status if status in (SUCCEEDED, PENDING) else FAILED
        file = self._open.get(group)
        if file is None:
            file = self._open[group] = _OpenFile(0, self._opening)
        run = outcome.run
        transformation = self._writer.transformation
        if transformation == "COMPACT" and status == SUCCEEDED and run and run.output_text is not None:
            texts = [run.output_text]  # the output as the child made it: no need to parse and encode it again
        elif transformation == "NONE" and status == SUCCEEDED and run is not None:
            texts = [succeeded_record_text(outcome, run)]
        else:
            texts = [_encode(entry) for entry in self._writer.entries([outcome])]
        file.outcomes += 1
        ending = "\n" if self._lines else ""
        for text in texts:
            piece = f"{'' if self._lines or not file.texts else ','}{text}{ending}"
            file.texts += 1
            size = len(piece) if piece.isascii() else _utf8_size(piece)
            if size < 0:  # a lone surrogate (a handler's string): written as its JSON escape
                piece = piece.encode("utf-8", "backslashreplace").decode("utf-8")
                size = len(piece.encode("utf-8"))
            file.write(piece)
            file.size += size
        if file.size >= RESULT_FILE_BYTES:
            self._full.append(self._finish(group, file))
            self._open[group] = _OpenFile(file.number + 1, self._opening)

    def _finish(self, group: str, file: _OpenFile) -> tuple[str, int, str, int]:
        if self._lines:
            return group, file.number, file.text(""), file.size
        return group, file.number, file.text("]"), file.size + 2

    def take_full(self) -> list[tuple[str, int, str, int]]:
        """The files that are full and not written yet: (group, number, body, size in bytes)."""
        full, self._full = self._full, []
        return full

    def take_rest(self) -> list[tuple[str, int, str, int]]:
        """The files still open (the last of each group), in SUCCEEDED, FAILED, PENDING order."""
        rest = []
        for group in (SUCCEEDED, FAILED, PENDING):
            file = self._open.pop(group, None)
            if file is not None and file.outcomes:
                rest.append(self._finish(group, file))
            elif file is not None:
                file.spool.close()
        return rest

    def close(self) -> None:
        for file in self._open.values():
            file.spool.close()
        self._open.clear()
        self._full.clear()


def execution_record(outcome: ChildOutcome) -> dict[str, Any]:
    """A child execution as the result files (and Transformation NONE) describe it."""
    run = outcome.run
    input_text = run.input_text if run is not None and run.input_text is not None else _encode(outcome.input)
    record: dict[str, Any] = {"Input": input_text, "InputDetails": {"Included": True}}
    if run is None:  # never started
        record["Status"] = outcome.status
        return record
    record.update(ExecutionArn=run.execution_arn, Name=run.name)
    if outcome.status == SUCCEEDED:
        record.update(
            Output=run.output_text if run.output_text is not None else _encode(outcome.output),
            OutputDetails={"Included": True},
            RedriveCount=0,
            RedriveStatus="NOT_REDRIVABLE",
            RedriveStatusReason="Execution is SUCCEEDED and cannot be redriven",
        )
    else:
        if run.error is not None:
            record["Error"] = run.error
        if run.cause is not None:
            record["Cause"] = run.cause
    record.update(StartDate=_date(run.start_time), StateMachineArn=run.state_machine_arn, Status=outcome.status)
    if run.stop_time is not None:
        record["StopDate"] = _date(run.stop_time)
    return dict(sorted(record.items()))


_string = json.encoder.encode_basestring
"""A JSON string's text as ``_encode`` writes it (``ensure_ascii=False``)."""

_AFTER_OUTPUT = (
    ',"OutputDetails":{"Included":true},"RedriveCount":0,"RedriveStatus":"NOT_REDRIVABLE",'
    '"RedriveStatusReason":"Execution is SUCCEEDED and cannot be redriven","StartDate":'
)
"""A succeeded record's fixed members between its output and its start date, in sorted order."""


def _utf8_size(text: str) -> int:
    """The UTF-8 size of ``text``, or -1 when it holds a lone surrogate, which UTF-8 cannot encode.

    Python strings may hold one (a handler's ``"\\ud800"``, ``json.loads`` of an escaped one), and
    it can only sit inside a JSON string of a record, where ``\\uXXXX`` is the same value."""
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError:
        return -1


def succeeded_record_text(outcome: ChildOutcome, run: ChildRecord) -> str:
    """``_encode(execution_record(outcome))`` of a child that succeeded, without building the record.

    Every child of a large export is one of these: the record's keys, sorted, and its fixed values
    are written once here; only the child's own strings are encoded, and the strings its Map Run's
    children share (the start of their ARNs, the state machine's ARN, dates) once each (a JSON
    string's escapes are character by character, so the ARN's text is its prefix's and its name's);
    the record's fields are read from its row (``tests/runtime/map_data/test_record_text.py``
    compares the two).
    """
    row = run.row
    input_text = row[2] if row[2] is not None else _encode(outcome.input)
    output_text = row[3] if row[3] is not None else _encode(outcome.output)
    name = _string(run.name)
    map_run = run.map_run
    stop = row[7]
    return "".join(
        (
            _record_head(map_run.child_arn_prefix),
            name[1:],
            ',"Input":',
            _string(input_text),
            ',"InputDetails":{"Included":true},"Name":',
            name,
            ',"Output":',
            _string(output_text),
            _AFTER_OUTPUT,
            _date_string(row[6]),
            ',"StateMachineArn":',
            _shared_string(map_run.child_machine_arn),
            ',"Status":"SUCCEEDED"}' if stop is None else ',"Status":"SUCCEEDED","StopDate":',
            "" if stop is None else _date_string(stop) + "}",
        )
    )


@functools.lru_cache(maxsize=64)
def _record_head(arn_prefix: str) -> str:
    """A succeeded record's text up to its execution ARN's name: the ARN's prefix, encoded (without
    its closing quote), is every child's of a Map Run."""
    return '{"ExecutionArn":' + _string(arn_prefix)[:-1]


@functools.lru_cache(maxsize=64)
def _shared_string(text: str) -> str:
    """``_string`` of a string every child of a Map Run repeats (its state machine's ARN)."""
    return _string(text)


@functools.lru_cache(maxsize=1024)
def _date_string(epoch_seconds: float) -> str:
    """``_string(_date(epoch_seconds))``: children of a Map Run share a few dates (virtual clock)."""
    return _string(_date(epoch_seconds))


@functools.lru_cache(maxsize=1024)
def _date(epoch_seconds: float) -> str:
    """``2025-02-04T01:49:50.099Z``, as the result files show dates."""
    moment = datetime.fromtimestamp(round(epoch_seconds, 3), UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

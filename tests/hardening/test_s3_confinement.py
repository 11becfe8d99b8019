"""The embedded S3 in directory mode never reads, writes, lists or deletes outside its directory.

The issue's probe: with ``[s3] path = "s3-data"``, a ``getObject`` whose bucket came from the input
(``/etc``, ``..``, ``inbox/../..``) returned ``/etc/passwd``. Bucket names are now checked by S3's
rules before anything touches the disk, and every path is checked again after resolving links.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine import StateMachine
from asl_engine.services import Resources
from asl_engine.services.s3 import S3Service, S3ServiceError, UnsafePathError, UnstorableKeyError
from asl_engine.services.s3.storage import STAGING_DIRECTORY, valid_bucket_name

HOSTILE_BUCKETS = ["/etc", "..", ".", "inbox/../..", "inbox/..", "../outside", "a/b", "", "in\x00box", "\\etc", "~"]


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """A data directory with one bucket, and a secret file beside the directory."""
    data = tmp_path / "s3-data"
    (data / "inbox").mkdir(parents=True)
    (data / "inbox" / "passwd").write_text("inside")
    secret = tmp_path / "passwd"
    secret.write_text("SECRET")
    return data, secret


def _machine(action: str, parameters: dict[str, Any]) -> StateMachine:
    return StateMachine.from_json(
        {
            "StartAt": "Call",
            "States": {
                "Call": {
                    "Type": "Task",
                    "Resource": f"arn:aws:states:::aws-sdk:s3:{action}",
                    "Parameters": parameters,
                    "End": True,
                }
            },
        }
    )


@pytest.mark.parametrize("bucket", HOSTILE_BUCKETS)
@pytest.mark.parametrize("action", ["getObject", "putObject", "deleteObject", "listObjectsV2", "headObject"])
def test_a_bucket_from_the_input_is_never_a_path(layout: tuple[Path, Path], bucket: str, action: str) -> None:
    data, secret = layout
    parameters: dict[str, Any] = {"Bucket.$": "$.b"}
    if action != "listObjectsV2":
        parameters["Key.$"] = "$.k"
    if action == "putObject":
        parameters["Body"] = "overwritten"
    execution = _machine(action, parameters).execute({"b": bucket, "k": "passwd"}, resources=Resources(s3_path=data))
    assert execution.status == "FAILED"
    assert execution.error == "S3.S3Exception"
    assert execution.cause is not None and execution.cause.startswith("The specified bucket is not valid.")
    assert secret.read_text() == "SECRET"
    assert (data / "inbox" / "passwd").read_text() == "inside"


def test_an_unknown_valid_bucket_is_no_such_bucket(layout: tuple[Path, Path]) -> None:
    data, _ = layout
    execution = _machine("getObject", {"Bucket": "nowhere", "Key": "passwd"}).execute(
        {}, resources=Resources(s3_path=data)
    )
    assert (execution.status, execution.error) == ("FAILED", "S3.NoSuchBucketException")
    assert not (data / "nowhere").exists()


def test_keys_with_dot_dot_segments_are_refused_in_directory_mode(layout: tuple[Path, Path]) -> None:
    data, secret = layout
    s3 = S3Service(data)
    with pytest.raises(UnstorableKeyError, match=r"'\.\./\.\./passwd'"):
        s3.put_object("inbox", "../../passwd", "x")
    with pytest.raises(S3ServiceError, match="NoSuchKey"):
        s3.get_object("inbox", "../../passwd")
    s3.delete_object("inbox", "../../passwd")
    assert secret.read_text() == "SECRET"


def test_links_inside_the_directory_cannot_lead_outside(layout: tuple[Path, Path], tmp_path: Path) -> None:
    data, secret = layout
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "file").write_text("outside")
    os.symlink(outside, data / "linked")  # a bucket that is a link to a directory outside
    os.symlink(secret, data / "inbox" / "secret")  # an object that is a link to a file outside
    os.symlink(outside, data / "inbox" / "folder")  # a folder inside a bucket that leads outside
    s3 = S3Service(data)
    assert s3.bucket_names() == ["inbox"]
    with pytest.raises(UnsafePathError, match="outside the S3 directory"):
        s3.get_object("linked", "file")
    with pytest.raises(UnsafePathError):
        s3.get_object("inbox", "secret")
    with pytest.raises(UnsafePathError):
        s3.put_object("inbox", "folder/new", "x")
    with pytest.raises(UnsafePathError):
        s3.put_object("inbox", "secret", "overwritten")
    with pytest.raises(UnsafePathError):
        s3.delete_object("inbox", "secret")
    assert [obj.key for obj in s3.list_objects_v2("inbox").objects] == ["passwd"]
    assert secret.read_text() == "SECRET" and sorted(os.listdir(outside)) == ["file"]


def test_a_map_item_reader_and_result_writer_stay_inside(layout: tuple[Path, Path]) -> None:
    data, secret = layout
    machine = StateMachine.from_json(
        {
            "StartAt": "Map",
            "States": {
                "Map": {
                    "Type": "Map",
                    "ItemReader": {
                        "Resource": "arn:aws:states:::s3:getObject",
                        "ReaderConfig": {"InputType": "JSON"},
                        "Parameters": {"Bucket.$": "$.b", "Key": "passwd"},
                    },
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                        "StartAt": "P",
                        "States": {"P": {"Type": "Pass", "End": True}},
                    },
                    "ResultWriter": {
                        "Resource": "arn:aws:states:::s3:putObject",
                        "Parameters": {"Bucket.$": "$.out", "Prefix.$": "$.prefix"},
                    },
                    "End": True,
                }
            },
        }
    )
    reading = machine.execute({"b": "..", "out": "inbox", "prefix": "p"}, resources=Resources(s3_path=data))
    assert (reading.status, reading.error) == ("FAILED", "States.ItemReaderFailed")
    (data / "items").mkdir()
    (data / "items" / "passwd").write_text("[1, 2]")
    writing = machine.execute({"b": "items", "out": "..", "prefix": "p"}, resources=Resources(s3_path=data))
    assert (writing.status, writing.error) == ("FAILED", "States.ResultWriterFailed")
    escaping_prefix = machine.execute(
        {"b": "items", "out": "inbox", "prefix": "../../.."}, resources=Resources(s3_path=data)
    )
    assert escaping_prefix.status == "FAILED"
    assert secret.read_text() == "SECRET"
    assert sorted(p.name for p in data.parent.iterdir()) == ["passwd", "s3-data"]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=70))
def test_only_names_that_are_one_plain_path_segment_are_valid(name: str) -> None:
    if valid_bucket_name(name):
        assert name not in (".", "..") and "/" not in name and "\\" not in name and "\x00" not in name
        assert name[0].isalnum() and name[-1].isalnum() and 3 <= len(name) <= 63
        assert name == os.path.basename(name) and not name.startswith(STAGING_DIRECTORY)


@pytest.mark.parametrize(
    "name", ["ab", "Upper", "-start", "a..b", "192.168.0.1", "x" * 64, "under_score", "xn--abc", "data-s3alias"]
)
def test_bucket_names_follow_s3s_rules_in_every_request(name: str) -> None:
    s3 = S3Service()
    for call in (
        lambda: s3.create_bucket(name),
        lambda: s3.put_object(name, "k", "x"),
        lambda: s3.get_object(name, "k"),
        lambda: s3.delete_object(name, "k"),
        lambda: s3.list_objects_v2(name),
    ):
        with pytest.raises(S3ServiceError, match="InvalidBucketName"):
            call()

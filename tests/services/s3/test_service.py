"""The embedded S3: objects, ETags, listings, errors, and the directory-backed store."""

from __future__ import annotations

import base64
import hashlib
import zlib
from pathlib import Path

import pytest

from asl_engine.services.s3 import S3Service, S3ServiceError, UnstorableKeyError
from asl_engine.services.s3.errors import request_ids, sdk_error


@pytest.fixture
def s3() -> S3Service:
    service = S3Service(clock=lambda: 1_700_000_000.0)
    for key in ("a/1.csv", "a/2.csv", "a/b/3.csv", "a-b", "z.json"):
        service.put_object("data", key, f"body of {key}")
    return service


def test_objects_keep_their_bytes_and_s3s_derived_metadata(s3: S3Service) -> None:
    obj = s3.get_object("data", "a/1.csv")
    body = b"body of a/1.csv"
    assert obj.body == body and obj.size == len(body)
    assert obj.etag == f'"{hashlib.md5(body).hexdigest()}"'
    assert obj.checksum_crc32 == base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
    assert obj.last_modified == 1_700_000_000.0
    assert obj.content_type == "binary/octet-stream" and obj.storage_class == "STANDARD"


def test_text_is_stored_as_utf8_and_putting_again_replaces(s3: S3Service) -> None:
    s3.put_object("data", "a/1.csv", "é", content_type="text/csv")
    obj = s3.get_object("data", "a/1.csv")
    assert obj.body == "é".encode() and obj.content_type == "text/csv"


def test_missing_buckets_and_keys_are_s3s_errors(s3: S3Service) -> None:
    with pytest.raises(S3ServiceError) as missing_key:
        s3.get_object("data", "nope")
    assert (missing_key.value.code, missing_key.value.message, missing_key.value.status_code) == (
        "NoSuchKey",
        "The specified key does not exist.",
        404,
    )
    with pytest.raises(S3ServiceError) as missing_bucket:
        s3.get_object("nope", "a")
    assert missing_bucket.value.code == "NoSuchBucket"
    assert missing_bucket.value.message == "The specified bucket does not exist"
    with pytest.raises(S3ServiceError, match="NoSuchBucket"):
        s3.put_object("other", "k", "x", create_bucket=False)
    with pytest.raises(S3ServiceError, match="NoSuchBucket"):
        s3.delete_object("other", "k")


def test_delete_is_idempotent(s3: S3Service) -> None:
    s3.delete_object("data", "z.json")
    s3.delete_object("data", "z.json")
    with pytest.raises(S3ServiceError, match="NoSuchKey"):
        s3.get_object("data", "z.json")


@pytest.mark.parametrize("name", ["ab", "Upper", "-start", "a..b", "192.168.0.1", "x" * 64, "under_score"])
def test_bucket_names_follow_s3s_rules(name: str) -> None:
    with pytest.raises(S3ServiceError, match="InvalidBucketName"):
        S3Service().create_bucket(name)


def test_listing_is_sorted_filtered_by_prefix_and_grouped_by_delimiter(s3: S3Service) -> None:
    assert [o.key for o in s3.list_objects_v2("data").objects] == ["a-b", "a/1.csv", "a/2.csv", "a/b/3.csv", "z.json"]
    assert [o.key for o in s3.list_objects_v2("data", prefix="a/").objects] == ["a/1.csv", "a/2.csv", "a/b/3.csv"]
    grouped = s3.list_objects_v2("data", prefix="a/", delimiter="/")
    assert [o.key for o in grouped.objects] == ["a/1.csv", "a/2.csv"]
    assert grouped.common_prefixes == ["a/b/"]
    assert [o.key for o in s3.list_objects_v2("data", start_after="a/2.csv").objects] == ["a/b/3.csv", "z.json"]


def test_listing_pages_with_continuation_tokens(s3: S3Service) -> None:
    keys: list[str] = []
    token = None
    pages = 0
    while True:
        page = s3.list_objects_v2("data", max_keys=2, continuation_token=token)
        keys.extend(o.key for o in page.objects)
        pages += 1
        if not page.is_truncated:
            assert page.next_continuation_token is None
            break
        token = page.next_continuation_token
    assert pages == 3 and keys == ["a-b", "a/1.csv", "a/2.csv", "a/b/3.csv", "z.json"]
    with pytest.raises(S3ServiceError, match="InvalidArgument"):
        s3.list_objects_v2("data", continuation_token="%%%")


def test_a_group_of_keys_is_never_split_across_pages(s3: S3Service) -> None:
    first = s3.list_objects_v2("data", delimiter="/", max_keys=2)
    assert [o.key for o in first.objects] == ["a-b"] and first.common_prefixes == ["a/"]
    second = s3.list_objects_v2("data", delimiter="/", max_keys=2, continuation_token=first.next_continuation_token)
    assert [o.key for o in second.objects] == ["z.json"] and second.common_prefixes == []


def test_a_directory_holds_buckets_as_folders_and_objects_as_files(tmp_path: Path) -> None:
    (tmp_path / "inbox" / "2024").mkdir(parents=True)
    (tmp_path / "inbox" / "2024" / "orders.csv").write_text("id\n1\n")
    s3 = S3Service(tmp_path)
    assert s3.bucket_names() == ["inbox"]
    assert s3.get_object("inbox", "2024/orders.csv").body == b"id\n1\n"
    s3.put_object("outbox", "run/manifest.json", "{}", now=1_600_000_000.5)
    written = tmp_path / "outbox" / "run" / "manifest.json"
    assert written.read_text() == "{}" and written.stat().st_mtime == pytest.approx(1_600_000_000.5)
    assert [o.key for o in S3Service(tmp_path).list_objects_v2("outbox").objects] == ["run/manifest.json"]
    s3.delete_object("outbox", "run/manifest.json")
    assert not written.exists()
    with pytest.raises(UnstorableKeyError, match=r"'a//b'"):
        s3.put_object("outbox", "a//b", "x")
    with pytest.raises(S3ServiceError, match="NoSuchKey"):
        s3.get_object("outbox", "../inbox/2024/orders.csv")


def test_sdk_errors_name_the_exception_and_carry_both_request_ids() -> None:
    import random

    error = sdk_error(S3ServiceError("NoSuchKey", "The specified key does not exist.", 404), random.Random(1))
    request_id, extended = request_ids(random.Random(1))
    assert error.error == "S3.NoSuchKeyException"
    assert error.cause == (
        f"The specified key does not exist. (Service: S3, Status Code: 404, Request ID: {request_id}, "
        f"Extended Request ID: {extended})"
    )
    assert len(request_id) == 16 and request_id == request_id.upper()
    unmodeled = sdk_error(
        S3ServiceError("InvalidBucketName", "The specified bucket is not valid.", 400), random.Random()
    )
    assert unmodeled.error == "S3.S3Exception"

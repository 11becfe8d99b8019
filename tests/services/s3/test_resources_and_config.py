"""S3 in ``Resources`` and in ``asl.toml``: objects from local files, a directory store, clear errors."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from asl_engine.errors import ConfigurationError
from asl_engine.services import Resources, S3Service, load_resources


def test_resources_hold_an_s3_created_on_first_use() -> None:
    resources = Resources()
    assert "s3=" not in repr(resources)
    resources.s3_bucket("empty")
    resources.s3_object("orders", "a.csv", "x", content_type="text/csv")
    assert resources.s3.bucket_names() == ["empty", "orders"]
    assert "s3=['empty', 'orders']" in repr(resources)
    with pytest.raises(ConfigurationError, match="S3 rejects bucket 'Bad_Name'"):
        resources.s3_bucket("Bad_Name")
    with pytest.raises(ConfigurationError, match="S3 rejects bucket 'x'"):
        resources.s3_object("x", "k", "body")


def test_an_s3_service_or_a_directory_can_be_given(tmp_path: Path) -> None:
    service = S3Service()
    assert Resources(s3=service).s3 is service
    on_disk = Resources(s3_path=tmp_path)
    on_disk.s3_object("input", "a/b.txt", "hi")
    assert (tmp_path / "input" / "a" / "b.txt").read_text() == "hi"
    with pytest.raises(ConfigurationError, match="either s3 or s3_path"):
        Resources(s3=service, s3_path=tmp_path)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "asl.toml"
    path.write_text(textwrap.dedent(text))
    return path


def test_the_s3_section_puts_local_files_in_buckets(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "orders.csv").write_bytes(b"id\n1\n")
    resources = load_resources(
        write(
            tmp_path,
            """
        [s3.buckets.orders-in]
        "2024/orders.csv" = "data/orders.csv"
        [s3.buckets.results]
    """,
        )
    )
    assert resources.s3.get_object("orders-in", "2024/orders.csv").body == b"id\n1\n"
    assert resources.s3.bucket_names() == ["orders-in", "results"]


def test_the_s3_section_can_keep_buckets_in_a_directory(tmp_path: Path) -> None:
    (tmp_path / "store" / "kept").mkdir(parents=True)
    (tmp_path / "store" / "kept" / "old.json").write_text("[]")
    resources = load_resources(
        write(
            tmp_path,
            """
        [s3]
        path = "store"
    """,
        )
    )
    assert resources.s3.get_object("kept", "old.json").body == b"[]"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[s3]\nbuckets_typo = 1\n", "s3.buckets_typo: unknown key; expected 'path' or 'buckets'"),
        ("[s3]\npath = 3\n", "s3.path: expected a directory path string"),
        ('[s3.buckets.bucket1]\n"k" = "missing.csv"\n', "s3.buckets.bucket1.k: cannot read"),
        ('[s3.buckets.bucket1]\n"k" = 5\n', "s3.buckets.bucket1.k: expected the path of the local file"),
        ("[s3.buckets.UPPER]\n", "s3.buckets.UPPER: S3 rejects bucket 'UPPER'"),
    ],
)
def test_mistakes_name_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(message)):
        load_resources(write(tmp_path, text))

"""Parsing S3 objects into items: AWS's CSV rules, JSON, JSON Lines, pointers and manifests."""

from __future__ import annotations

import gzip
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asl_engine.runtime.map_data import formats
from asl_engine.runtime.map_data.formats import ItemReaderError, ObjectLocation


def rows(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(formats.csv_rows(text, delimiter))


def test_the_recorded_csv_with_given_headers() -> None:
    # scenarios/test_base_scenarios: test_map_item_reader_base_csv_headers_decl, recorded on AWS.
    body = "Value1,Value2,Value3\nValue4,Value5,Value6\n,,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n"
    assert formats.csv_items(body, headers=["H1", "H2", "H3"]) == [
        {"H1": "Value1", "H2": "Value2", "H3": "Value3"},
        {"H1": "Value4", "H2": "Value5", "H3": "Value6"},
        {"H1": "", "H2": "", "H3": ""},
        {"H1": "true", "H2": "1", "H3": "'HelloWorld'"},
        {"H1": "Null", "H2": "None", "H3": ""},
        {"H1": "   ", "H2": "", "H3": ""},
    ]


def test_the_recorded_csv_with_a_short_first_row_header() -> None:
    body = "H1,\nValue4,Value5,Value6\n,,,\n"
    assert formats.csv_items(body) == [{"H1": "Value4", "": "Value5"}, {"H1": "", "": ""}]


def test_duplicate_headers_fail_with_the_recorded_cause() -> None:
    with pytest.raises(ItemReaderError, match=r"^CSV headers cannot contain duplicates\.$"):
        formats.csv_items("a,b\n", headers=["H1", "H1", "H3"])
    with pytest.raises(ItemReaderError, match="duplicates"):
        formats.csv_items("a,a\n1,2\n")


def test_the_documented_csv_example() -> None:
    # "How Step Functions parses input CSV files": quoted commas, newlines and doubled quotes.
    body = (
        'abc,123,"This string contains commas, a double quotation marks (""), and a newline (\n)",'
        '{""MyKey"":""MyValue""},"[1,2,3]"\n'
    )
    assert rows(body) == [
        [
            "abc",
            "123",
            'This string contains commas, a double quotation marks ("), and a newline (\n)',
            '{"MyKey":"MyValue"}',
            "[1,2,3]",
        ]
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("C:\\\\Program Files\\\\MyApp.exe,6534512", [["C:\\Program Files\\MyApp.exe", "6534512"]]),
        ('a\\"b,c', [['a"b', "c"]]),
        ("a\\,b,c", [["a,b", "c"]]),
        ("a\\xb", [["axb"]]),
        ('"",x', [["", "x"]]),
        ('"a""b"', [['a"b']]),
        ("a\r\nb\rc\n\n\nd", [["a"], ["b"], ["c"], ["d"]]),
        ("", []),
        ("\n\n", []),
    ],
)
def test_escapes_quotes_and_line_endings(text: str, expected: list[list[str]]) -> None:
    assert rows(text) == expected


@pytest.mark.parametrize(("name", "delimiter"), sorted(formats.DELIMITERS.items()))
def test_each_delimiter(name: str, delimiter: str) -> None:
    text = f'h1{delimiter}h2\nx{delimiter}"y{delimiter}z"\n'
    assert formats.csv_items(text, delimiter=delimiter) == [{"h1": "x", "h2": f"y{delimiter}z"}]


def test_a_header_row_alone_gives_no_items() -> None:
    assert formats.csv_items("a,b\n") == []
    assert formats.csv_items("") == []


def _quoted(field: str) -> str:
    return '"' + field.replace("\\", "\\\\").replace('"', '""') + '"'


@given(st.lists(st.lists(st.text(), min_size=1, max_size=5), max_size=5), st.sampled_from(sorted(formats.DELIMITERS)))
def test_any_fields_round_trip_through_quoting(records: list[list[str]], name: str) -> None:
    delimiter = formats.DELIMITERS[name]
    text = "".join(delimiter.join(_quoted(field) for field in record) + "\n" for record in records)
    assert rows(text, delimiter) == records


@given(st.text())
def test_parsing_never_fails(text: str) -> None:
    for record in formats.csv_rows(text):
        assert record and all(isinstance(field, str) for field in record)


def test_json_items_and_the_recorded_non_array_cause() -> None:
    assert formats.json_items('[{"a": 1}, 2]', "S3://b/k") == [{"a": 1}, 2]
    with pytest.raises(ItemReaderError, match=r"^Attempting to map over non-iterable node\.$"):
        formats.json_items('{"Hello": "world"}', "S3://b/k")
    with pytest.raises(ItemReaderError, match="S3://b/k is not valid JSON"):
        formats.json_items("[1,", "S3://b/k")


def test_items_pointer_selects_a_nested_array() -> None:
    document = json.dumps({"productUpdates": {"items": [{"id": 1}]}, "a/b": {"~x": [[5]]}})
    assert formats.json_items(document, "w", "/productUpdates/items") == [{"id": 1}]
    assert formats.json_items(document, "w", "/a~1b/~0x/0") == [5]
    with pytest.raises(ItemReaderError, match="does not select a node"):
        formats.json_items(document, "w", "/productUpdates/missing")
    with pytest.raises(ItemReaderError, match="must start with '/'"):
        formats.json_items(document, "w", "productUpdates")
    with pytest.raises(ItemReaderError, match="non-iterable"):
        formats.json_items(document, "w", "/productUpdates")


def test_json_lines() -> None:
    assert formats.jsonl_items('{"a": 1}\n\n  \n[2]\n"x"', "w") == [{"a": 1}, [2], "x"]
    with pytest.raises(ItemReaderError, match="line 2 of w is not valid JSON"):
        formats.jsonl_items('{"a": 1}\n{oops}', "w")


def test_decode_reads_utf8_and_gzip() -> None:
    assert formats.decode("text", "w") == "text"
    assert formats.decode("é".encode(), "w") == "é"
    assert formats.decode(gzip.compress(b"zipped"), "w") == "zipped"
    with pytest.raises(ItemReaderError, match="w is not UTF-8 text"):
        formats.decode(b"\xff\xfe\xfa", "w")


def test_an_s3_inventory_manifest() -> None:
    manifest = json.dumps({
        "sourceBucket": "src",
        "destinationBucket": "arn:aws:s3:::inventory",
        "fileFormat": "CSV",
        "fileSchema": "Bucket, Key, Size, LastModifiedDate",
        "files": [{"key": "src/inv/data/a.csv.gz", "size": 2, "MD5checksum": "x"}],
    })  # fmt: skip
    read = formats.inventory_manifest(manifest, "w")
    assert read.files == [ObjectLocation("inventory", "src/inv/data/a.csv.gz")]
    assert read.columns == ["Bucket", "Key", "Size", "LastModifiedDate"]
    with pytest.raises(ItemReaderError, match="CSV inventories only"):
        formats.inventory_manifest(json.dumps({"fileFormat": "ORC"}), "w")
    with pytest.raises(ItemReaderError, match="needs 'destinationBucket'"):
        formats.inventory_manifest("{}", "w")


def test_an_athena_manifest() -> None:
    assert formats.athena_manifest("s3://b/x/1.csv\n\nS3://c/2.csv\n", "w") == [
        ObjectLocation("b", "x/1.csv"),
        ObjectLocation("c", "2.csv"),
    ]
    with pytest.raises(ItemReaderError, match="not an s3://bucket/key URI"):
        formats.athena_manifest("https://b/x", "w")
    assert ObjectLocation("b", "k").source == "S3://b/k"


_PLAIN = st.text(alphabet=st.characters(blacklist_characters='"\\\r\n,', blacklist_categories=("Cs",)))


@given(st.lists(st.lists(_PLAIN, min_size=1, max_size=5).filter(lambda r: r != [""]), max_size=5))
def test_plain_records_split_on_the_delimiter(records: list[list[str]]) -> None:
    text = "".join(",".join(record) + "\n" for record in records)
    assert rows(text) == records


@given(st.text(alphabet=st.sampled_from(list("ab,\\\n "))))
def test_crlf_line_ends_read_like_lf(text: str) -> None:
    # Records without quotes, backslashes or carriage returns take a quicker path; both must agree
    # (no quotes here: inside them a newline is data, not the end of a record).
    assert rows(text.replace("\n", "\r\n")) == rows(text)

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from asl_engine.conformance.wildcards import Wildcards


def test_angle_placeholders_stand_for_any_text() -> None:
    wildcards = Wildcards()
    expected = "arn:<partition>:states:<region>:111111111111:execution:<ArnPart_0idx>:<uuid:1>"
    assert wildcards.string_matches(expected, "arn:aws:states:us-east-1:123456789012:execution:sm:5c1f-aa")
    assert not wildcards.string_matches(expected, "arn:aws:lambda:us-east-1:123456789012:execution:sm:5c1f")


def test_the_account_placeholder_needs_twelve_digits() -> None:
    wildcards = Wildcards(["111111111111"])
    assert wildcards.string_matches("acct 111111111111 end", "acct 123456789012 end")
    assert not wildcards.string_matches("acct 111111111111 end", "acct 1234 end")
    assert not wildcards.string_matches("acct 111111111111 end", "acct abcdefghijkl end")


def test_listed_placeholders_are_wildcards_anywhere_in_a_string() -> None:
    wildcards = Wildcards(["sqs_queue_url", "bucket-name"])
    assert wildcards.string_matches("queue sqs_queue_url/in bucket-name", "queue https://q/1/in my-bucket")
    assert not Wildcards().string_matches("queue sqs_queue_url", "queue https://q/1")


def test_date_matches_an_iso_timestamp_or_itself_but_not_inside_words() -> None:
    wildcards = Wildcards()
    assert wildcards.string_matches("at date.", "at 2024-03-10T16:22:15.123Z.")
    assert wildcards.string_matches("at date.", "at date.")
    assert not wildcards.string_matches("at date.", "at yesterday.")
    assert wildcards.string_matches("invalid update", "invalid update")
    assert not wildcards.string_matches("invalid update", "invalid up2024-03-10T16:22:15Z")


def test_whole_value_wildcards_match_any_non_null_value() -> None:
    wildcards = Wildcards(value_placeholders=["execution-name"])
    for expected in ("timestamp", "date", "execution-name"):
        assert wildcards.matches_any_value(expected)
    assert not wildcards.matches_any_value("<uuid:1>")
    assert not wildcards.matches_any_value(12)


def test_regex_characters_in_expected_text_are_literal() -> None:
    wildcards = Wildcards()
    assert wildcards.string_matches("a.b*(c) <x>", "a.b*(c) anything")
    assert not wildcards.string_matches("a.b*(c) <x>", "aXb*(c) anything")


def test_a_string_without_placeholders_must_be_equal() -> None:
    wildcards = Wildcards(["111111111111"])
    assert not wildcards.has_placeholder("plain text")
    assert not wildcards.string_matches("plain text", "plain text ")


@given(st.text())
def test_every_string_matches_itself(text: str) -> None:
    assert Wildcards(["sfn_role_arn"]).string_matches(text, text)


@given(
    st.text(alphabet=st.characters(blacklist_characters="<>")), st.text(), st.text(alphabet="abc:-_0123", min_size=1)
)
def test_an_angle_placeholder_matches_whatever_replaced_it(prefix: str, hidden: str, name: str) -> None:
    assert Wildcards().string_matches(f"{prefix}<{name}>!", f"{prefix}{hidden}!")


@given(st.text(alphabet="abcdef ", min_size=1), st.text(alphabet="abcdef ", min_size=1))
def test_without_placeholders_only_equal_strings_match(expected: str, actual: str) -> None:
    assert Wildcards().string_matches(expected, actual) == (expected == actual)

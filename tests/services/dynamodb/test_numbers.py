from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine.services.dynamodb import numbers
from asl_engine.services.dynamodb.numbers import NumberError, canonical_number, parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.0", "1"),
        ("1.50", "1.5"),
        ("0001.23", "1.23"),
        ("+3", "3"),
        (".123", "0.123"),
        ("1e+5", "100000"),
        ("1.5E2", "150"),
        ("-0", "0"),
        ("0e1000", "0"),
        ("-17e5", "-1700000"),
        ("1e-130", "0." + "0" * 129 + "1"),
        ("9.9999999999999999999999999999999999999E+125", "99999999999999999999999999999999999999" + "0" * 88),
        ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
    ],
)
def test_numbers_are_stored_in_canonical_plain_notation(text: str, expected: str) -> None:
    assert canonical_number(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("NaN", "The parameter cannot be converted to a numeric value: NaN"),
        ("Infinity", "The parameter cannot be converted to a numeric value: Infinity"),
        (" 1", "The parameter cannot be converted to a numeric value:  1"),
        ("1_000", "The parameter cannot be converted to a numeric value: 1_000"),
        ("", "The parameter cannot be converted to a numeric value"),
        ("123456789012345678901234567890123456789", numbers.TOO_MANY_DIGITS),
        ("-1.23456789012345678901234567890123456789", numbers.TOO_MANY_DIGITS),
        ("1e126", numbers.OVERFLOW),
        ("-1e126", numbers.OVERFLOW),
        ("1e-131", numbers.UNDERFLOW),
        ("-1e-131", numbers.UNDERFLOW),
        ("1e99999999999999999999999", numbers.OVERFLOW),
        ("1e-99999999999999999999999", numbers.UNDERFLOW),
    ],
)
def test_invalid_numbers_get_dynamodb_messages(text: str, message: str) -> None:
    with pytest.raises(NumberError) as caught:
        parse_number(text)
    assert caught.value.message == message


def test_trailing_zeros_do_not_count_as_significant_digits() -> None:
    assert canonical_number("1" + "0" * 50) == "1" + "0" * 50


def test_arithmetic_is_exact_and_checked() -> None:
    big = Decimal("10000000000000000000000")
    assert numbers.format_number(numbers.add(Decimal(1), big)) == "10000000000000000000001"
    assert numbers.format_number(numbers.subtract(big, Decimal(1))) == "9999999999999999999999"
    with pytest.raises(NumberError, match="overflow"):
        numbers.add(Decimal("9e125"), Decimal("9e125"))
    # Precision lost by arithmetic is reported as an overflow, as DynamoDB does.
    with pytest.raises(NumberError) as caught:
        numbers.add(Decimal("1e50"), Decimal(1))
    assert caught.value.message == numbers.OVERFLOW


def test_number_size_counts_two_digits_per_byte() -> None:
    assert numbers.number_size("1") == 2
    assert numbers.number_size("12") == 2
    assert numbers.number_size("123") == 3
    assert numbers.number_size("1000") == 2


storable = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
    lambda d: d.is_zero() or (-130 <= d.adjusted() <= 125 and len(d.normalize(numbers._EXACT).as_tuple().digits) <= 38)
)


@settings(max_examples=200, derandomize=True)
@given(storable)
def test_canonical_form_round_trips_to_the_same_value(value: Decimal) -> None:
    text = canonical_number(str(value))
    assert Decimal(text) == value
    assert canonical_number(text) == text
    assert "E" not in text and "e" not in text

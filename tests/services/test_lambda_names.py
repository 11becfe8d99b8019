"""FunctionName parsing and function lookup: names, partial ARNs, ARNs, qualifiers."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asl_engine.errors import ConfigurationError
from asl_engine.services.lambda_.functions import LambdaFunctions
from asl_engine.services.lambda_.names import (
    FUNCTION_NAME_PATTERN,
    FunctionRef,
    InvalidFunctionName,
    parse_function_name,
)


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("ProcessOrder", FunctionRef("ProcessOrder")),
        ("ProcessOrder:prod", FunctionRef("ProcessOrder", "prod")),
        ("ProcessOrder:$LATEST", FunctionRef("ProcessOrder", "$LATEST")),
        ("123456789012:function:ProcessOrder", FunctionRef("ProcessOrder", account="123456789012")),
        ("123456789012:function:ProcessOrder:7", FunctionRef("ProcessOrder", "7", account="123456789012")),
        (
            "arn:aws:lambda:eu-west-1:123456789012:function:ProcessOrder",
            FunctionRef("ProcessOrder", None, "eu-west-1", "123456789012", "aws"),
        ),
        (
            "arn:aws-cn:lambda:cn-north-1:123456789012:function:my.fn:live",
            FunctionRef("my.fn", "live", "cn-north-1", "123456789012", "aws-cn"),
        ),
    ],
)
def test_accepted_forms(text: str, ref: FunctionRef) -> None:
    assert parse_function_name(text) == ref


@pytest.mark.parametrize("text", ["", "bad name", "arn:aws:lambda:us-east-1:123:function:x", "a:b:c:d:e", "x" * 257])
def test_invalid_names_give_lambdas_validation_message(text: str) -> None:
    with pytest.raises(InvalidFunctionName) as raised:
        parse_function_name(text)
    assert raised.value.message.startswith("1 validation error detected: Value '")
    assert "at 'functionName' failed to satisfy constraint" in raised.value.message


_NAME = st.from_regex(r"[a-zA-Z0-9_-]{1,20}", fullmatch=True)
_QUALIFIER = st.one_of(st.none(), st.just("$LATEST"), st.from_regex(r"[a-zA-Z0-9_-]{1,8}", fullmatch=True))
_REGION = st.sampled_from(["us-east-1", "eu-west-3", "ap-southeast-2", "us-gov-west-1"])
_ACCOUNT = st.from_regex(r"\d{12}", fullmatch=True)


@given(_NAME, _QUALIFIER, _REGION, _ACCOUNT, st.sampled_from(["name", "partial", "arn"]))
def test_every_form_parses_back_to_its_parts(
    name: str, qualifier: str | None, region: str, account: str, form: str
) -> None:
    suffix = f":{qualifier}" if qualifier else ""
    if form == "name":
        text, expected = name + suffix, FunctionRef(name, qualifier)
    elif form == "partial":
        text, expected = f"{account}:function:{name}{suffix}", FunctionRef(name, qualifier, account=account)
    else:
        text = f"arn:aws:lambda:{region}:{account}:function:{name}{suffix}"
        expected = FunctionRef(name, qualifier, region, account, "aws")
    assert re.fullmatch(FUNCTION_NAME_PATTERN, text)  # Lambda's own pattern accepts what we accept
    assert parse_function_name(text) == expected


def test_arn_rebuilds_from_reference_and_defaults() -> None:
    ref = parse_function_name("123456789012:function:Bill")
    assert ref.arn("eu-west-1", "999999999999") == "arn:aws:lambda:eu-west-1:123456789012:function:Bill"
    assert ref.arn("eu-west-1", "9", qualifier="$LATEST").endswith(":function:Bill:$LATEST")


def handler(event: object, context: object) -> object:
    return event


def test_lookup_prefers_the_qualified_registration() -> None:
    functions = LambdaFunctions()
    plain = functions.add("Bill", handler)
    live = functions.add("Bill:live", handler)
    assert functions.find(parse_function_name("Bill"), None) is plain
    assert functions.find(parse_function_name("Bill"), "live") is live
    assert functions.find(parse_function_name("Bill"), "7") is plain


def test_arn_registration_answers_only_its_region_and_account() -> None:
    functions = LambdaFunctions()
    pinned = functions.add("arn:aws:lambda:eu-west-1:111111111111:function:Ship", handler)
    assert functions.find(parse_function_name("arn:aws:lambda:eu-west-1:111111111111:function:Ship"), None) is pinned
    assert functions.find(parse_function_name("arn:aws:lambda:us-east-1:111111111111:function:Ship"), None) is None
    assert functions.find(parse_function_name("222222222222:function:Ship"), None) is None
    assert functions.find(parse_function_name("Ship"), None) is pinned


def test_a_qualified_only_registration_does_not_answer_other_qualifiers() -> None:
    functions = LambdaFunctions()
    functions.add("Bill:live", handler)
    assert functions.find(parse_function_name("Bill"), None) is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timeout": 0}, "timeout must be between 1 and 900 seconds"),
        ({"timeout": 901}, "timeout must be between 1 and 900 seconds"),
        ({"memory_size": 64}, "memory_size must be an integer between 128 and 10240 MB"),
    ],
)
def test_invalid_settings(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        LambdaFunctions().add("Bill", handler, **kwargs)


def test_handler_must_be_callable() -> None:
    with pytest.raises(ConfigurationError, match="must be callable"):
        LambdaFunctions().add("Bill", "handlers:bill")  # type: ignore[arg-type]

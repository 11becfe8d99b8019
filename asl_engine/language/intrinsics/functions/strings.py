"""``States.StringSplit``, ``States.Base64Encode`` and ``States.Base64Decode``."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any, Final

from asl_engine.language.intrinsics.failures import invalid_arguments
from asl_engine.language.intrinsics.functions.arguments import (
    MAX_TEXT_LENGTH,
    require_string,
    utf8_bytes,
    utf16_length,
)
from asl_engine.language.scope import EvaluationScope

_ALPHABET: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# The URL-safe letters decode too, as in Apache Commons Codec's decoder.
_DECODE: Final = {char: index for index, char in enumerate(_ALPHABET)} | {"-": 62, "_": 63}


def string_split(arguments: Sequence[Any], scope: EvaluationScope) -> list[str]:
    """``java.util.StringTokenizer``: every character of the delimiter string splits, and empty
    tokens vanish (observed: ``",,,,"`` -> ``[]``, ``", , ,"`` -> ``[" ", " "]``, ``""`` -> ``[]``)."""
    name = "States.StringSplit"
    text = require_string(name, arguments[0])
    delimiters = require_string(name, arguments[1])
    if not delimiters:
        return [text] if text else []
    separator = delimiters[0]
    if len(delimiters) > 1:
        text = text.translate({ord(char): separator for char in delimiters[1:]})
    return [token for token in text.split(separator) if token]


def base64_encode(arguments: Sequence[Any], scope: EvaluationScope) -> str:
    name = "States.Base64Encode"
    text = require_string(name, arguments[0])
    if utf16_length(text) > MAX_TEXT_LENGTH:
        raise invalid_arguments(name)
    return base64.b64encode(utf8_bytes(text)).decode("ascii")


def base64_decode(arguments: Sequence[Any], scope: EvaluationScope) -> str:
    """Lenient decoding, as AWS does: characters outside the alphabet are skipped, decoding stops
    at the first ``=``, missing padding is fine (observed: ``'abc'``, ``' YWJjZA== '`` and
    ``'ab==cd'`` decode). Invalid UTF-8 becomes U+FFFD, as Java's ``new String(bytes, UTF_8)``."""
    name = "States.Base64Decode"
    text = require_string(name, arguments[0])
    if utf16_length(text) > MAX_TEXT_LENGTH:
        raise invalid_arguments(name)
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        data = _lenient_decode(text)
    return data.decode("utf-8", errors="replace")


def _lenient_decode(text: str) -> bytes:
    output = bytearray()
    bits = 0
    count = 0
    for char in text:
        if char == "=":
            break
        value = _DECODE.get(char)
        if value is None:
            continue
        bits = (bits << 6) | value
        count += 1
        if count == 4:
            output += bits.to_bytes(3, "big")
            bits = 0
            count = 0
    if count == 2:
        output.append((bits >> 4) & 0xFF)
    elif count == 3:
        output += ((bits >> 2) & 0xFFFF).to_bytes(2, "big")
    return bytes(output)

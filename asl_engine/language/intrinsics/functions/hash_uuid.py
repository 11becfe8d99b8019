"""``States.Hash`` and ``States.UUID``."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from typing import Any, Final

from asl_engine.language.intrinsics.failures import invalid_arguments
from asl_engine.language.intrinsics.functions.arguments import (
    MAX_TEXT_LENGTH,
    require_string,
    utf8_bytes,
    utf16_length,
)
from asl_engine.language.intrinsics.javalike.text import java_string
from asl_engine.language.scope import EvaluationScope

# Names exactly as AWS accepts them (observed: "sha-256", "SHA256" and "MD-5" are rejected).
ALGORITHMS: Final = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


def hash_text(arguments: Sequence[Any], scope: EvaluationScope) -> str:
    """Lowercase hex digest of the UTF-8 bytes. A non-string value is hashed as its Java text
    (AWS accepts numbers and objects; the exact stringification is not recorded)."""
    name = "States.Hash"
    data = arguments[0]
    text = data if type(data) is str else java_string(data)
    algorithm = ALGORITHMS.get(require_string(name, arguments[1]))
    if algorithm is None or utf16_length(text) > MAX_TEXT_LENGTH:
        raise invalid_arguments(name)
    return hashlib.new(algorithm, utf8_bytes(text)).hexdigest()


def random_uuid(arguments: Sequence[Any], scope: EvaluationScope) -> str:
    """A version 4 UUID drawn from the execution's random source. AWS ignores any arguments."""
    return str(uuid.UUID(int=scope.random.getrandbits(128), version=4))

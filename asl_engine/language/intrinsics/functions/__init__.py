"""The table of the 18 intrinsic functions AWS provides, by name."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from asl_engine.language.intrinsics.functions import arithmetic, arrays, formatting, hash_uuid, json_functions, strings
from asl_engine.language.intrinsics.functions.spec import IntrinsicFunction

_TABLE: Final = (
    IntrinsicFunction("States.Format", formatting.format_string, 1, None, specialize=formatting.specialize),
    IntrinsicFunction("States.StringToJson", json_functions.string_to_json, 1, 1),
    IntrinsicFunction("States.JsonToString", json_functions.json_to_string, 1, 1),
    IntrinsicFunction("States.Array", arrays.array, 0, None),
    IntrinsicFunction("States.ArrayPartition", arrays.array_partition, 2, 2),
    IntrinsicFunction("States.ArrayContains", arrays.array_contains, 2, 2),
    IntrinsicFunction("States.ArrayRange", arrays.array_range, 3, 3),
    IntrinsicFunction("States.ArrayGetItem", arrays.array_get_item, 2, 2),
    IntrinsicFunction("States.ArrayLength", arrays.array_length, 1, 1),
    IntrinsicFunction("States.ArrayUnique", arrays.array_unique, 1, 1),
    IntrinsicFunction("States.Base64Encode", strings.base64_encode, 1, 1),
    IntrinsicFunction("States.Base64Decode", strings.base64_decode, 1, 1),
    IntrinsicFunction("States.Hash", hash_uuid.hash_text, 2, 2),
    IntrinsicFunction("States.JsonMerge", json_functions.json_merge, 3, 3),
    IntrinsicFunction("States.MathRandom", arithmetic.math_random, 2, 3),
    IntrinsicFunction("States.MathAdd", arithmetic.math_add, 2, 2),
    IntrinsicFunction("States.StringSplit", strings.string_split, 2, 2),
    IntrinsicFunction("States.UUID", hash_uuid.random_uuid, 0, 0, ignores_arguments=True),
)

FUNCTIONS: Final[Mapping[str, IntrinsicFunction]] = MappingProxyType({function.name: function for function in _TABLE})

__all__ = ["FUNCTIONS", "IntrinsicFunction"]

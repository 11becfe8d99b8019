"""DynamoDB's expression language: ConditionExpression, FilterExpression, KeyConditionExpression,
UpdateExpression and ProjectionExpression.

Parsing depends only on the text, so parsed trees are kept in LRU caches keyed by the text and
shared by every request and service; binding a tree to a request's placeholders (and compiling
it to closures) happens once per request, never per item.
"""

from __future__ import annotations

from functools import lru_cache

from asl_engine.services.dynamodb.expressions.ast import ConditionTree, ProjectionTree, UpdateTree
from asl_engine.services.dynamodb.expressions.conditions import BoundCondition, bind_condition
from asl_engine.services.dynamodb.expressions.key_conditions import (
    KeyQuery,
    RangeCondition,
    analyse_key_condition,
)
from asl_engine.services.dynamodb.expressions.parser import (
    ExpressionError,
    parse_condition,
    parse_projection,
    parse_update,
)
from asl_engine.services.dynamodb.expressions.paths import ResolvedPath, format_path, get_path
from asl_engine.services.dynamodb.expressions.placeholders import Placeholders
from asl_engine.services.dynamodb.expressions.projection import bind_projection, project
from asl_engine.services.dynamodb.expressions.updates import BoundUpdate, apply_update, bind_update

CACHE_SIZE = 1024

cached_condition = lru_cache(maxsize=CACHE_SIZE)(parse_condition)
cached_update = lru_cache(maxsize=CACHE_SIZE)(parse_update)
cached_projection = lru_cache(maxsize=CACHE_SIZE)(parse_projection)


def clear_caches() -> None:
    cached_condition.cache_clear()
    cached_update.cache_clear()
    cached_projection.cache_clear()


__all__ = [
    "BoundCondition",
    "BoundUpdate",
    "ConditionTree",
    "ExpressionError",
    "KeyQuery",
    "Placeholders",
    "ProjectionTree",
    "RangeCondition",
    "ResolvedPath",
    "UpdateTree",
    "analyse_key_condition",
    "apply_update",
    "bind_condition",
    "bind_projection",
    "bind_update",
    "cached_condition",
    "cached_projection",
    "cached_update",
    "clear_caches",
    "format_path",
    "get_path",
    "project",
]

"""YAML definitions, read as YAML 1.2 the way the tools that deploy them do.

The Serverless Framework and AWS's own ASL YAML tooling read YAML 1.2, where ``Yes``, ``No``,
``On`` and ``Off`` are strings: a state named ``Yes`` stays ``Yes`` (YAML 1.1 made it ``True``).
``ruamel.yaml`` (safe, pure Python) composes the text into nodes; the document is built from the
nodes here so that it holds JSON values only:

* mapping keys are strings; a key YAML resolves to something else (``1:``, ``true:``) keeps the
  text written in the file, as the JSON those tools produce would;
* timestamps stay strings (ASL compares RFC 3339 text, like JSON);
* ``<<`` merge keys are applied (explicit keys win); tags that name no JSON value (``!Sub``,
  ``!!binary``, ``!!set``...) are refused with their position.

A CloudFormation or SAM template is read with ``read(root, cloudformation=True)``: its short-form
tags (``!Ref X``, ``!GetAtt A.B``, ``!Sub``, ``!Join``, ``!If``... every tag of
``CLOUDFORMATION_TAGS``) become the long form CloudFormation itself turns them into
(``{"Ref": "X"}``, ``{"Fn::GetAtt": ["A", "B"]}``). A definition never holds them: read without
that flag, they are refused as before. Nothing is ever constructed from a tag but JSON values.

Aliases make YAML a graph: ten aliases of ten aliases eight levels deep is a 609-byte text whose
JSON would hold 10^8 values. The JSON size the aliases expand to is computed on the graph (each
node once) before anything walks the document, and more than AWS's largest definition
(1,048,576 bytes) is refused. ruamel is imported only when YAML is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asl_engine.definition import pointers

MAX_DEFINITION_BYTES = 1_048_576
"""The largest definition AWS accepts (characters of JSON); aliases may not expand beyond it."""

_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_JSON_SCALARS = frozenset(
    {_STR, _TIMESTAMP, "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool"}
    | {"tag:yaml.org,2002:null"}
)
_MAPPING = "tag:yaml.org,2002:map"
_SEQUENCE = "tag:yaml.org,2002:seq"

CLOUDFORMATION_TAGS: dict[str, str] = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    **{
        f"!{name}": f"Fn::{name}"
        for name in (
            "And",
            "Base64",
            "Cidr",
            "Equals",
            "FindInMap",
            "GetAtt",
            "GetAZs",
            "If",
            "ImportValue",
            "Join",
            "Length",
            "Not",
            "Or",
            "Select",
            "Split",
            "Sub",
            "ToJsonString",
            "Transform",
        )
    },
}
"""CloudFormation's short-form tags and the long-form key each stands for (``!Sub`` -> ``Fn::Sub``)."""


class YamlProblem(Exception):
    """YAML that is well-formed but cannot be a definition (alias bomb, non-JSON tag, complex key)."""

    def __init__(self, message: str, node: Any, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        mark = getattr(node, "start_mark", None)
        self.line: int | None = mark.line + 1 if mark is not None else None
        self.column: int | None = mark.column + 1 if mark is not None else None
        self.suggestion = suggestion


class YamlSyntaxError(Exception):
    """The text is not YAML at all."""


@dataclass(slots=True)
class YamlDocument:
    root: Any
    """The composed node graph (``ruamel.yaml.nodes``), kept to locate pointers."""
    value: Any
    """The document as JSON values."""
    duplicates: list[tuple[str, str]]
    """(pointer of the mapping, repeated key) for every key written twice in one mapping."""


class YamlTooDeep(YamlSyntaxError):
    """YAML nested deeper than the parser can follow (Python's recursion limit)."""


def compose(text: str) -> Any:
    """The node graph of the first YAML document in ``text`` (None for an empty one)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML(typ="safe", pure=True).compose(text)
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise YamlSyntaxError(f"{problem}{where}") from None
    except RecursionError:
        raise YamlTooDeep("the YAML nests too deeply") from None


def load(text: str) -> Any:
    """Any YAML document as JSON values (None when empty): for data files beside definitions."""
    root = compose(text)
    return None if root is None else read(root).value


def read(root: Any, *, cloudformation: bool = False) -> YamlDocument:
    """The JSON document of a composed mapping; raises ``YamlProblem`` for what JSON cannot hold.

    ``cloudformation``: accept CloudFormation's short-form tags, as their long forms (templates).
    """
    measure = _ExpandedSize()
    try:
        size = measure.of(root)
        bomb = measure.aliased and size > MAX_DEFINITION_BYTES
        builder = _Builder(cloudformation)
        value = None if bomb else builder.build(root, "")
    except RecursionError:
        raise YamlProblem("The YAML nests too deeply to be a definition", root) from None
    if bomb:
        raise YamlProblem(
            f"YAML aliases expand this definition to more than {MAX_DEFINITION_BYTES:,} characters of JSON "
            f"(about {size:,}), more than AWS accepts for a definition",
            root,
            suggestion="write the repeated parts out, or use fewer nested aliases",
        )
    return YamlDocument(root, value, builder.duplicates)


def key_text(key_node: Any) -> str:
    """A mapping key as the definition's JSON has it: the text written in the file."""
    return str(key_node.value)


class _ExpandedSize:
    """Characters of compact JSON a node expands to, each node computed once (aliases share nodes)."""

    def __init__(self) -> None:
        self._sizes: dict[int, int] = {}
        self._open: set[int] = set()
        self.aliased = False
        """Whether some node is reached twice (through an alias)."""

    def of(self, node: Any) -> int:
        known = self._sizes.get(id(node))
        if known is not None:
            self.aliased = True
            return known
        if id(node) in self._open:
            raise YamlProblem("A YAML alias refers to a node that contains it (a recursive structure)", node)
        self._open.add(id(node))
        if node.id == "scalar":
            size = len(node.value) + 2
        elif node.id == "sequence":
            size = 2 + sum(self.of(item) + 1 for item in node.value)
        else:
            size = 2 + sum(self.of(key) + self.of(value) + 2 for key, value in node.value)
        self._open.discard(id(node))
        self._sizes[id(node)] = size
        return size


class _Builder:
    """Builds JSON values from nodes; a node reached twice (an alias) is built once and shared."""

    def __init__(self, cloudformation: bool = False) -> None:
        from ruamel.yaml import YAML

        self._constructor = YAML(typ="safe", pure=True).constructor
        self._built: dict[int, Any] = {}
        self._cloudformation = cloudformation
        self.duplicates: list[tuple[str, str]] = []

    def build(self, node: Any, pointer: str) -> Any:
        if id(node) in self._built:
            return self._built[id(node)]
        value: Any
        if self._cloudformation and isinstance(node.tag, str) and node.tag.startswith("!") and node.tag[1:2] != "!":
            value = self._intrinsic(node, pointer)
        elif node.id == "scalar":
            value = self._scalar(node)
        elif node.id == "sequence":
            self._expect_tag(node, _SEQUENCE)
            value = [self.build(item, pointers.join(pointer, index)) for index, item in enumerate(node.value)]
        else:
            self._expect_tag(node, _MAPPING)
            value = self._mapping(node, pointer)
        self._built[id(node)] = value
        return value

    def _intrinsic(self, node: Any, pointer: str) -> dict[str, Any]:
        """A CloudFormation short-form tag as its long form: ``!GetAtt A.B`` -> ``{"Fn::GetAtt": ["A", "B"]}``."""
        key = CLOUDFORMATION_TAGS.get(node.tag)
        if key is None:
            raise YamlProblem(
                f"The YAML tag '{node.tag}' is not a CloudFormation intrinsic function",
                node,
                suggestion=f"use one of {', '.join(sorted(CLOUDFORMATION_TAGS))}",
            )
        inner = pointers.join(pointer, key)
        if node.id == "scalar":
            text = str(node.value)
            if key == "Fn::GetAtt":
                resource, dot, attribute = text.partition(".")
                if not dot or not resource or not attribute:
                    raise YamlProblem(
                        f"!GetAtt takes LogicalId.Attribute, got {text!r}",
                        node,
                        suggestion="write !GetAtt MyResource.Arn",
                    )
                return {key: [resource, attribute]}
            return {key: text}
        if node.id == "sequence":
            return {key: [self.build(item, pointers.join(inner, index)) for index, item in enumerate(node.value)]}
        return {key: self._mapping(node, inner)}

    def _mapping(self, node: Any, pointer: str) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        explicit: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.update(self._merge_sources(value_node, pointer))
                continue
            if key_node.id != "scalar":
                raise YamlProblem(
                    "Mapping keys must be strings: a YAML key here is a collection",
                    key_node,
                    suggestion="quote the key",
                )
            key = key_text(key_node)
            if key in explicit:
                self.duplicates.append((pointer, key))
            explicit[key] = self.build(value_node, pointers.join(pointer, key))
        for key, value in explicit.items():
            merged.pop(key, None)
            merged[key] = value
        return merged

    def _merge_sources(self, node: Any, pointer: str) -> dict[str, Any]:
        sources = node.value if node.id == "sequence" else [node]
        combined: dict[str, Any] = {}
        for source in reversed(sources):  # the first source listed wins
            built = self.build(source, pointer)
            if not isinstance(built, dict):
                raise YamlProblem("A YAML merge key ('<<') must refer to a mapping", source)
            combined.update(built)
        return combined

    def _scalar(self, node: Any) -> Any:
        tag = node.tag
        if tag in (_STR, _TIMESTAMP):
            return node.value
        if tag not in _JSON_SCALARS:
            raise YamlProblem(
                f"The YAML tag '{tag}' is not supported: a definition holds only JSON values",
                node,
                suggestion="remove the tag (CloudFormation tags such as !Sub belong in a template, not a definition)",
            )
        return self._constructor.construct_object(node)

    def _expect_tag(self, node: Any, tag: str) -> None:
        if node.tag != tag:
            raise YamlProblem(f"The YAML tag '{node.tag}' is not supported: a definition holds only JSON values", node)

"""CloudFormation's intrinsic functions, resolved locally where their value can be known.

``Resolver.resolve`` walks a value of the template and replaces every intrinsic function by its
value: ``Ref`` (parameters, pseudo parameters, resources), ``Fn::GetAtt``, ``Fn::Sub`` (both forms),
``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::FindInMap``, ``Fn::If`` (with the template's
``Conditions``: ``Fn::Equals``, ``Fn::Not``, ``Fn::And``, ``Fn::Or``, ``Condition``),
``Fn::Base64``, ``Fn::Length``, ``Fn::ToJsonString`` and ``Fn::ImportValue`` (from a
``--parameter`` named after the export). What cannot be known locally (``Fn::GetAZs``,
``Fn::Cidr``, macros, SSM parameter values, attributes the engine does not model) is recorded as an
``Unresolved`` with its path and the parameter key that would supply it; resolution goes on so that
every such value is reported at once.

**Parameters** (``parameters=``, ``--parameter KEY=VALUE``) override, by key:

* a template parameter (``TableName``), whose ``Default`` is used otherwise (and whose
  ``AllowedValues`` are checked);
* a pseudo parameter: ``AWS::Region`` (default ``us-east-1``), ``AWS::AccountId``
  (``123456789012``), ``AWS::Partition`` (from the region), ``AWS::URLSuffix`` (from the
  partition), ``AWS::StackName`` (the caller's default: the template's name) and ``AWS::StackId``;
* what ``Ref`` returns for a resource (``OrdersTable``);
* what ``Fn::GetAtt`` returns for a resource's attribute (``OrdersTable.StreamArn``);
* the value of an export ``Fn::ImportValue`` names (``network-stack-VpcId``).
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

from asl_engine.definition.arns import DEFAULT_ACCOUNT, DEFAULT_REGION, partition_of
from asl_engine.definition.templates.problems import Unresolved
from asl_engine.definition.templates.resource_types import RESOURCE_TYPES, Place, ResourceType, Underivable

NO_VALUE: Final = object()
"""``Ref: AWS::NoValue``: the property (or list item) is removed."""

PSEUDO_PARAMETERS = (
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
)
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
_LIST_TYPES = ("CommaDelimitedList", "List<")


class Unresolvable(Exception):
    """Raised inside the resolver to abandon one value; ``Resolver`` records it and goes on."""

    def __init__(self, problem: Unresolved) -> None:
        super().__init__(problem.describe())
        self.problem = problem


def path_key(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class Resolver:
    """Resolves values of one template with one set of parameters."""

    def __init__(self, document: Mapping[str, Any], parameters: Mapping[str, Any] | None, *, stack_name: str) -> None:
        self.document = document
        self.overrides: dict[str, Any] = dict(parameters or {})
        self.problems: list[Unresolved] = []
        self._declared = _mapping(document.get("Parameters"))
        self._resources = _mapping(document.get("Resources"))
        self._conditions: dict[str, bool] = {}
        self._evaluating: set[str] = set()
        self._named: dict[str, TemplateResource] = {}
        region = str(self.overrides.get("AWS::Region", DEFAULT_REGION))
        partition = str(self.overrides.get("AWS::Partition", partition_of(region)))
        suffix = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
        self.place = Place(partition, region, str(self.overrides.get("AWS::AccountId", DEFAULT_ACCOUNT)), suffix)
        self.stack_name = str(self.overrides.get("AWS::StackName", stack_name))

    # -- the entry point -------------------------------------------------------------------------------

    def resolve(self, value: Any, path: str) -> Any:
        """``value`` with every intrinsic function replaced; unresolvable parts are recorded (and
        replaced by a placeholder text, so that the rest can still be resolved and checked)."""
        try:
            return self._value(value, path)
        except Unresolvable as unresolvable:
            self.problems.append(unresolvable.problem)
            return f"<unresolved {path}>"

    def _value(self, value: Any, path: str) -> Any:
        if isinstance(value, dict):
            if len(value) == 1:
                key, argument = next(iter(value.items()))
                function = _FUNCTIONS.get(key)
                if function is not None:
                    return function(self, argument, path_key(path, key))
                if key.startswith("Fn::"):
                    raise Unresolvable(
                        Unresolved(path_key(path, key), f"{key} is not an intrinsic function the engine can resolve")
                    )
            resolved: dict[str, Any] = {}
            for key, item in value.items():
                result = self.resolve(item, path_key(path, key))
                if result is not NO_VALUE:
                    resolved[key] = result
            return resolved
        if isinstance(value, list):
            items = (self.resolve(item, f"{path}[{index}]") for index, item in enumerate(value))
            return [item for item in items if item is not NO_VALUE]
        return value

    def text(self, value: Any, path: str) -> str:
        """A resolved value that must be a string (numbers and booleans are written as CloudFormation does)."""
        resolved = self._value(value, path)
        return _as_text(resolved, path)

    # -- Ref ---------------------------------------------------------------------------------------------

    def ref(self, name: Any, path: str) -> Any:
        if not isinstance(name, str):
            raise Unresolvable(Unresolved(path, f"Ref takes the name of a parameter or resource, got {name!r}"))
        if name in self.overrides and name != "AWS::NoValue":
            return self.overrides[name]
        if name.startswith("AWS::"):
            return self._pseudo(name, path)
        if name in self._declared:
            return self._parameter(name, path)
        if name in self._resources:
            return self.resource(name, path).ref(path)
        raise Unresolvable(Unresolved(path, f"no parameter or resource is named {name!r}"))

    def _pseudo(self, name: str, path: str) -> Any:
        place = self.place
        values: dict[str, Any] = {
            "AWS::Region": place.region,
            "AWS::AccountId": place.account,
            "AWS::Partition": place.partition,
            "AWS::URLSuffix": place.url_suffix,
            "AWS::StackName": self.stack_name,
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }
        if name == "AWS::StackId":
            # CloudFormation's stack ids end with a random UUID; this one is derived from the stack
            # name so that it stays the same from run to run.
            stack_uuid = uuid.uuid5(uuid.NAMESPACE_URL, f"asl-engine:{self.stack_name}")
            stack = f"stack/{self.stack_name}/{stack_uuid}"
            return f"arn:{place.partition}:cloudformation:{place.region}:{place.account}:{stack}"
        if name in values:
            return values[name]
        raise Unresolvable(Unresolved(path, f"{name} is not a pseudo parameter"))

    def _parameter(self, name: str, path: str) -> Any:
        spec = _mapping(self._declared.get(name))
        kind = str(spec.get("Type", "String"))
        if kind.startswith("AWS::SSM::Parameter::Value"):
            where = f"the SSM parameter {spec['Default']!r}" if "Default" in spec else "an SSM parameter"
            raise Unresolvable(
                Unresolved(path, f"the parameter {name} is read from {where} when the stack is deployed", name)
            )
        if "Default" not in spec:
            raise Unresolvable(Unresolved(path, f"the parameter {name} has no Default", name))
        value = spec["Default"]
        if isinstance(value, list):
            return [_as_text(item, path) for item in value]
        text = _as_text(value, path)
        if kind.startswith(_LIST_TYPES):
            return [item.strip() for item in text.split(",")] if text else []
        return text

    def check_overrides(self) -> list[Unresolved]:
        """Overrides of template parameters that break their ``AllowedValues`` (as CloudFormation refuses them)."""
        found = []
        for name, value in self.overrides.items():
            allowed = _mapping(self._declared.get(name)).get("AllowedValues")
            if isinstance(allowed, list) and str(value) not in [_as_text(item, name) for item in allowed]:
                shown = ", ".join(str(item) for item in allowed)
                found.append(Unresolved(f"Parameters.{name}", f"{value!r} is not one of its AllowedValues ({shown})"))
        return found

    def known_keys(self) -> set[str]:
        """Every key ``parameters=`` may name for this template."""
        keys = set(self._declared) | set(self._resources) | set(PSEUDO_PARAMETERS)
        for logical_id, spec in self._resources.items():
            kind = RESOURCE_TYPES.get(str(_mapping(spec).get("Type")))
            keys.update(f"{logical_id}.{attribute}" for attribute in (kind.attributes if kind else ()))
        keys.update(_import_names(self.document))
        return keys

    # -- resources ---------------------------------------------------------------------------------------

    def resource(self, logical_id: str, path: str) -> TemplateResource:
        named = self._named.get(logical_id)
        if named is None:
            named = self._named[logical_id] = TemplateResource(self, logical_id, path)
        return named

    def get_att(self, argument: Any, path: str) -> Any:
        if isinstance(argument, str) and "." in argument:
            argument = argument.split(".", 1)
        if not isinstance(argument, list) or len(argument) != 2 or not isinstance(argument[0], str):
            raise Unresolvable(Unresolved(path, "Fn::GetAtt takes [LogicalId, Attribute]"))
        logical_id = argument[0]
        attribute = self.text(argument[1], f"{path}[1]")
        key = f"{logical_id}.{attribute}"
        if key in self.overrides:
            return self.overrides[key]
        if logical_id not in self._resources:
            raise Unresolvable(Unresolved(path, f"no resource is named {logical_id!r}"))
        return self.resource(logical_id, path).attribute(attribute, path)

    # -- conditions --------------------------------------------------------------------------------------

    def condition(self, name: Any, path: str) -> bool:
        if not isinstance(name, str):
            raise Unresolvable(Unresolved(path, f"a condition is named by a string, got {name!r}"))
        if name in self._conditions:
            return self._conditions[name]
        conditions = _mapping(self.document.get("Conditions"))
        if name not in conditions:
            raise Unresolvable(Unresolved(path, f"no condition is named {name!r} under Conditions"))
        if name in self._evaluating:
            raise Unresolvable(Unresolved(path, f"the condition {name} refers to itself"))
        self._evaluating.add(name)
        try:
            value = self._truth(conditions[name], f"Conditions.{name}")
        finally:
            self._evaluating.discard(name)
        self._conditions[name] = value
        return value

    def _truth(self, value: Any, path: str) -> bool:
        if isinstance(value, dict) and len(value) == 1:
            key, argument = next(iter(value.items()))
            where = path_key(path, key)
            if key == "Condition":
                return self.condition(argument, where)
            if key == "Fn::Equals" and isinstance(argument, list) and len(argument) == 2:
                left, right = (self._value(item, f"{where}[{index}]") for index, item in enumerate(argument))
                return bool(_comparable(left) == _comparable(right))
            if key == "Fn::Not" and isinstance(argument, list) and len(argument) == 1:
                return not self._truth(argument[0], f"{where}[0]")
            if key in ("Fn::And", "Fn::Or") and isinstance(argument, list):
                truths = [self._truth(item, f"{where}[{index}]") for index, item in enumerate(argument)]
                return all(truths) if key == "Fn::And" else any(truths)
        resolved = self._value(value, path)
        if isinstance(resolved, bool) or resolved in ("true", "false"):
            return resolved in (True, "true")
        raise Unresolvable(Unresolved(path, f"expected a condition (Fn::Equals, Fn::Not, ...), got {value!r}"))


class TemplateResource:
    """One resource of the template, with its physical name worked out on demand."""

    def __init__(self, resolver: Resolver, logical_id: str, path: str) -> None:
        self._resolver = resolver
        self.logical_id = logical_id
        self._spec = _mapping(resolver._resources.get(logical_id))
        self.type = str(self._spec.get("Type", ""))
        self.kind: ResourceType | None = RESOURCE_TYPES.get(self.type)
        self._name: str | None = None
        self._naming = False
        self._path = f"Resources.{logical_id}"

    @property
    def place(self) -> Place:
        return self._resolver.place

    @property
    def metadata(self) -> Mapping[str, Any]:
        return _mapping(self._spec.get("Metadata"))

    def property_value(self, key: str) -> Any:
        properties = _mapping(self._spec.get("Properties"))
        if key not in properties:
            return None
        return self._resolver._value(properties[key], f"{self._path}.Properties.{key}")

    @property
    def name(self) -> str:
        if self._name is not None:
            return self._name
        kind = self._require_kind(self._path)
        if self._naming:
            raise Unresolvable(Unresolved(self._path, "its name depends on itself"))
        self._naming = True
        try:
            explicit = self.property_value(kind.name_property) if kind.name_property else None
            if explicit is None:
                self._name = kind.default_name(self.logical_id, self)
            else:
                self._name = _as_text(explicit, f"{self._path}.Properties.{kind.name_property}")
        finally:
            self._naming = False
        return self._name

    def ref(self, path: str) -> Any:
        return self._derive(self._require_kind(path).ref, self.logical_id, "Ref", path)

    def attribute(self, attribute: str, path: str) -> Any:
        kind = self._require_kind(path, f"{self.logical_id}.{attribute}")
        derive = kind.attributes.get(attribute)
        if derive is None:
            known = ", ".join(kind.attributes) or "none"
            raise Unresolvable(
                Unresolved(
                    path,
                    f"the engine does not derive the attribute {attribute} of {self.type} (it derives: {known})",
                    f"{self.logical_id}.{attribute}",
                )
            )
        return self._derive(derive, f"{self.logical_id}.{attribute}", f"Fn::GetAtt {attribute}", path)

    def _derive(self, derive: Callable[[Any], Any], key: str, what: str, path: str) -> Any:
        try:
            return derive(self)
        except Underivable as reason:
            raise Unresolvable(Unresolved(path, f"{what} of {self.logical_id}: {reason}", key)) from None

    def _require_kind(self, path: str, key: str | None = None) -> ResourceType:
        if self.kind is None:
            raise Unresolvable(
                Unresolved(
                    path,
                    f"the engine does not model resources of type {self.type or '(no Type)'}",
                    key or self.logical_id,
                )
            )
        return self.kind


# -- the functions ----------------------------------------------------------------------------------------


def _ref(resolver: Resolver, argument: Any, path: str) -> Any:
    return resolver.ref(argument, path)


def _get_att(resolver: Resolver, argument: Any, path: str) -> Any:
    return resolver.get_att(argument, path)


def _sub(resolver: Resolver, argument: Any, path: str) -> str:
    if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
        template, variables = argument[0], argument[1]
        values = {name: resolver._value(value, f"{path}[1].{name}") for name, value in variables.items()}
        template_path = f"{path}[0]"
    else:
        template, values, template_path = argument, {}, path
    if not isinstance(template, str):
        raise Unresolvable(Unresolved(template_path, "Fn::Sub takes a string (or [string, {variables}])"))

    def replace(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if name.startswith("!"):
            return "${" + name[1:] + "}"  # ${!Literal} is the text ${Literal}
        try:
            if name in values:
                return _as_text(values[name], template_path)
            if "." in name and not name.startswith("AWS::"):
                return _as_text(resolver.get_att(name.split(".", 1), template_path), template_path)
            return _as_text(resolver.ref(name, template_path), template_path)
        except Unresolvable as unresolvable:  # report every placeholder that cannot be resolved
            resolver.problems.append(unresolvable.problem)
            return match.group(0)

    return _PLACEHOLDER.sub(replace, template)


def _join(resolver: Resolver, argument: Any, path: str) -> str:
    if not isinstance(argument, list) or len(argument) != 2:
        raise Unresolvable(Unresolved(path, "Fn::Join takes [delimiter, [values]]"))
    delimiter = resolver.text(argument[0], f"{path}[0]")
    items = resolver._value(argument[1], f"{path}[1]")
    if not isinstance(items, list):
        raise Unresolvable(Unresolved(f"{path}[1]", f"Fn::Join joins a list, got {items!r}"))
    return delimiter.join(_as_text(item, f"{path}[1][{index}]") for index, item in enumerate(items))


def _select(resolver: Resolver, argument: Any, path: str) -> Any:
    if not isinstance(argument, list) or len(argument) != 2:
        raise Unresolvable(Unresolved(path, "Fn::Select takes [index, [values]]"))
    index_text = resolver.text(argument[0], f"{path}[0]")
    items = resolver._value(argument[1], f"{path}[1]")
    if not index_text.isdigit() or not isinstance(items, list) or int(index_text) >= len(items):
        raise Unresolvable(Unresolved(path, f"Fn::Select: index {index_text} is not in {items!r}"))
    return items[int(index_text)]


def _split(resolver: Resolver, argument: Any, path: str) -> list[str]:
    if not isinstance(argument, list) or len(argument) != 2:
        raise Unresolvable(Unresolved(path, "Fn::Split takes [delimiter, string]"))
    delimiter = resolver.text(argument[0], f"{path}[0]")
    if not delimiter:
        raise Unresolvable(Unresolved(f"{path}[0]", "Fn::Split needs a non-empty delimiter"))
    return resolver.text(argument[1], f"{path}[1]").split(delimiter)


def _find_in_map(resolver: Resolver, argument: Any, path: str) -> Any:
    if not isinstance(argument, list) or len(argument) not in (3, 4):
        raise Unresolvable(Unresolved(path, "Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]"))
    names = [resolver.text(item, f"{path}[{index}]") for index, item in enumerate(argument[:3])]
    mapping = _mapping(resolver.document.get("Mappings")).get(names[0])
    value = _mapping(_mapping(mapping).get(names[1])).get(names[2])
    if value is not None:
        return resolver._value(value, f"Mappings.{names[0]}.{names[1]}.{names[2]}")
    if len(argument) == 4 and isinstance(argument[3], dict) and "DefaultValue" in argument[3]:
        return resolver._value(argument[3]["DefaultValue"], f"{path}[3].DefaultValue")
    raise Unresolvable(Unresolved(path, f"Mappings has no {'.'.join(names)}"))


def _if(resolver: Resolver, argument: Any, path: str) -> Any:
    if not isinstance(argument, list) or len(argument) != 3:
        raise Unresolvable(Unresolved(path, "Fn::If takes [Condition, value if true, value if false]"))
    chosen = 1 if resolver.condition(argument[0], f"{path}[0]") else 2
    return resolver._value(argument[chosen], f"{path}[{chosen}]")


def _base64(resolver: Resolver, argument: Any, path: str) -> str:
    return base64.b64encode(resolver.text(argument, path).encode("utf-8")).decode("ascii")


def _length(resolver: Resolver, argument: Any, path: str) -> int:
    items = resolver._value(argument, path)
    if not isinstance(items, list):
        raise Unresolvable(Unresolved(path, f"Fn::Length counts a list, got {items!r}"))
    return len(items)


def _to_json_string(resolver: Resolver, argument: Any, path: str) -> str:
    return json.dumps(resolver._value(argument, path), separators=(",", ":"), ensure_ascii=False)


def _import_value(resolver: Resolver, argument: Any, path: str) -> Any:
    export = resolver.text(argument, path)
    if export in resolver.overrides:
        return resolver.overrides[export]
    raise Unresolvable(Unresolved(path, f"the value of the export {export!r} is known only to its stack", export))


def _not_local(reason: str) -> Callable[[Resolver, Any, str], Any]:
    def unresolvable(resolver: Resolver, argument: Any, path: str) -> Any:
        raise Unresolvable(Unresolved(path, reason))

    return unresolvable


_FUNCTIONS: dict[str, Callable[[Resolver, Any, str], Any]] = {
    "Ref": _ref,
    "Fn::GetAtt": _get_att,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::FindInMap": _find_in_map,
    "Fn::If": _if,
    "Fn::Base64": _base64,
    "Fn::Length": _length,
    "Fn::ToJsonString": _to_json_string,
    "Fn::ImportValue": _import_value,
    "Fn::GetAZs": _not_local("the Availability Zones of an account are known only in the account"),
    "Fn::Cidr": _not_local("Fn::Cidr is not resolved locally"),
    "Fn::Transform": _not_local("macros (Fn::Transform) run only in CloudFormation"),
}


# -- helpers ----------------------------------------------------------------------------------------------


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _as_text(value: Any, path: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    raise Unresolvable(Unresolved(path, f"expected a string here, got {json.dumps(value, default=str)[:80]}"))


def _comparable(value: Any) -> Any:
    return value if isinstance(value, list | dict) else _as_text(value, "")


def _import_names(value: Any) -> Iterator[str]:
    """The literal export names ``Fn::ImportValue`` asks for anywhere in the template."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Fn::ImportValue" and isinstance(item, str):
                yield item
            else:
                yield from _import_names(item)
    elif isinstance(value, list):
        for item in value:
            yield from _import_names(item)

"""State machines inside CloudFormation, SAM and CDK templates.

``read_template`` reads a template (JSON, or YAML with CloudFormation's short-form tags, safely);
``load_state_machine`` picks one state machine and resolves its definition locally: intrinsic
functions (``intrinsics``), the names and ARNs of the template's resources (``resource_types``),
``DefinitionSubstitutions`` and local definition files (``machines``). What cannot be resolved is
a ``TemplateError`` listing each value by its path, with the ``--parameter`` that supplies it.
"""

from asl_engine.definition.templates.machines import (
    ResourceName,
    TemplateStateMachine,
    check_parameters,
    default_stack_name,
    load_state_machine,
    pick_state_machine,
    state_machine_ids,
)
from asl_engine.definition.templates.problems import TemplateError, Unresolved
from asl_engine.definition.templates.source import TemplateSource, is_template, read_template, sniff_template

__all__ = [
    "ResourceName",
    "TemplateError",
    "TemplateSource",
    "TemplateStateMachine",
    "Unresolved",
    "check_parameters",
    "default_stack_name",
    "is_template",
    "load_state_machine",
    "pick_state_machine",
    "read_template",
    "sniff_template",
    "state_machine_ids",
]

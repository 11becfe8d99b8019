"""The ``[state_machines]`` section of ``asl.toml``: machines ``states:startExecution`` tasks can start.

::

    [state_machines]
    Child = "child.json"                           # or { definition = "child.json", type = "EXPRESS" }
    Notify = { definition = "template.yaml", state_machine = "NotifyStateMachine" }

Definitions are checked and compiled here, as AWS does when a machine is created. A definition may
be a CloudFormation, SAM or CDK template: ``state_machine`` names the machine in it (its logical
id; needed when it has several), and the template gives its type.
"""

from __future__ import annotations

from asl_engine.errors import AslEngineError
from asl_engine.runtime.loading import load_machine
from asl_engine.services.sections import ConfigSection, only_keys, table_at
from asl_engine.services.stepfunctions.executions import StateMachines


def configure(section: ConfigSection, machines: StateMachines) -> None:
    for name, spec in section.values.items():
        where = section.where / name
        options = {"definition": spec} if isinstance(spec, str) else table_at(spec, where)
        only_keys(options, ("definition", "type", "arn", "state_machine"), where)
        definition = options.get("definition")
        if not isinstance(definition, str):
            raise where.error("expected the path of the definition file (or a table with 'definition')")
        machine_type = options.get("type", "STANDARD")
        if machine_type not in ("STANDARD", "EXPRESS"):
            raise (where / "type").error("expected STANDARD or EXPRESS")
        arn = options.get("arn")
        if arn is not None and not isinstance(arn, str):
            raise (where / "arn").error("expected an ARN string")
        logical_id = options.get("state_machine")
        if logical_id is not None and not isinstance(logical_id, str):
            raise (where / "state_machine").error("expected the logical id of a state machine of the template")
        try:
            machine = load_machine(
                section.base / definition, name=name, machine_type=machine_type, logical_id=logical_id
            )
            machines.add(machine, arn=arn)
        except AslEngineError as error:
            raise where.error(str(error)) from None

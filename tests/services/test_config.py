"""load_resources: the TOML file, relative modules and paths, and clear errors for mistakes."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from asl_engine import StateMachine
from asl_engine.errors import ConfigurationError
from asl_engine.services import load_resources
from tests.services.support import clock

HANDLERS = """
from helper import suffix

def process(event, context):
    return {"processed": event["id"] + suffix()}

def bill(event, context):
    return {"billed": context.memory_limit_in_mb}

def run_job(arguments):
    if arguments.get("--fail"):
        raise RuntimeError("job failed")

def send(request):
    return {"MessageId": request.state_name}

not_callable = 3
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "handlers.py").write_text(HANDLERS)
    (tmp_path / "helper.py").write_text("def suffix():\n    return '!'\n")
    (tmp_path / "seed").mkdir()
    (tmp_path / "seed" / "orders.json").write_text(
        json.dumps(
            [
                {"pk": "a", "sk": "1", "total": 3},
                {"pk": {"S": "b"}, "sk": {"S": "2"}},
            ]
        )
    )
    (tmp_path / "child.json").write_text(
        json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "child", "End": True}}})
    )
    return tmp_path


def write(directory: Path, text: str) -> Path:
    path = directory / "asl.toml"
    path.write_text(textwrap.dedent(text))
    return path


def test_a_complete_file(project: Path) -> None:
    resources = load_resources(
        write(
            project,
            """
        [lambda]
        Process = "handlers:process"
        [lambda.Bill]
        handler = "handlers:bill"
        timeout = 10
        memory_size = 256

        [glue.jobs.nightly-etl]
        handler = "handlers:run_job"
        max_concurrent_runs = 2
        default_arguments = { "--stage" = "dev" }

        [dynamodb.tables.Orders]
        hash_key = "pk:S"
        range_key = "sk:S"
        seed = "seed/orders.json"
        global_indexes = [{ name = "ByTotal", hash_key = "total:N", projection = "KEYS_ONLY" }]

        [state_machines]
        Child = "child.json"

        [handlers]
        "arn:aws:states:::sqs:sendMessage" = "handlers:send"
    """,
        )
    )
    assert resources.lambdas.names() == ["Process", "Bill"]
    assert resources.glue.job_names() == ["nightly-etl"]
    assert resources.state_machines.names() == ["Child"]
    items = resources.dynamodb.call("Scan", {"TableName": "Orders"})["Items"]
    assert {item["pk"]["S"] for item in items} == {"a", "b"}
    machine = StateMachine.from_json(
        {
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Process",
                    "ResultPath": "$.p",
                    "Next": "B",
                },
                "B": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": "Bill"},
                    "ResultSelector": {"b.$": "$.Payload.billed"},
                    "ResultPath": "$.b",
                    "Next": "J",
                },
                "J": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::glue:startJobRun.sync",
                    "Parameters": {"JobName": "nightly-etl"},
                    "ResultSelector": {"s.$": "$.JobRunState"},
                    "ResultPath": "$.j",
                    "Next": "C",
                },
                "C": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::states:startExecution.sync:2",
                    "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Child"},
                    "ResultSelector": {"o.$": "$.Output"},
                    "ResultPath": "$.c",
                    "Next": "S",
                },
                "S": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage",
                    "Parameters": {},
                    "ResultPath": "$.s",
                    "End": True,
                },
            },
        }
    )
    output = machine.execute({"id": "x"}, resources=resources, clock=clock()).output
    assert output == {
        "id": "x",
        "p": {"processed": "x!"},
        "b": {"b": "256"},
        "j": {"s": "SUCCEEDED"},
        "c": {"o": "child"},
        "s": {"MessageId": "S"},
    }


def test_dynamodb_path_is_relative_to_the_file(project: Path) -> None:
    resources = load_resources(
        write(
            project,
            """
        [dynamodb]
        path = "data/tables.sqlite3"
        [dynamodb.tables.Runs]
        hash_key = "day:S"
    """.replace("data/", ""),
        )
    )
    resources.dynamodb.call("PutItem", {"TableName": "Runs", "Item": {"day": {"S": "mon"}}})
    resources.dynamodb.close()
    assert (project / "tables.sqlite3").is_file()


def test_modules_with_the_same_name_in_two_directories(tmp_path: Path) -> None:
    loaded = []
    for name in ("one", "two"):
        directory = tmp_path / name
        directory.mkdir()
        (directory / "handlers.py").write_text(f"def fn(event, context):\n    return {name!r}\n")
        loaded.append(load_resources(write(directory, '[lambda]\nFn = "handlers:fn"\n')))
    outputs = [
        StateMachine.from_json(
            {
                "StartAt": "F",
                "States": {
                    "F": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Fn", "End": True}
                },
            }
        )
        .execute({}, resources=resources)
        .output
        for resources in loaded
    ]
    assert outputs == ["one", "two"]


def test_an_installed_module_is_imported_normally(tmp_path: Path) -> None:
    resources = load_resources(write(tmp_path, '[lambda]\nDumps = "json:dumps"\n'))
    assert resources.lambdas.names() == ["Dumps"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[lambda]\nP = 3\n", "asl.toml: lambda.P: expected a table, got 3"),
        ('[lambda]\nP = "handlers"\n', "lambda.P: expected 'module:function', got 'handlers'"),
        ('[lambda]\nP = "nowhere:fn"\n', "lambda.P: cannot import module 'nowhere'"),
        ('[lambda]\nP = "handlers:missing"\n', "lambda.P: module 'handlers' has no attribute 'missing'"),
        ('[lambda]\nP = "handlers:not_callable"\n', "lambda.P: 'handlers:not_callable' is not callable"),
        ("[lambda.P]\ntimeout = 3\n", "lambda.P: missing 'handler'"),
        ('[lambda.P]\nhandler = "handlers:bill"\ntimout = 3\n', "lambda.P.timout: unknown key; expected one of"),
        ('[lambda.P]\nhandler = "handlers:bill"\ntimeout = 0\n', "lambda.P: Lambda function 'P': timeout must be"),
        (
            '[lamda]\nP = "handlers:bill"\n',
            "lamda: unknown section (did you mean 'lambda'?); expected one of activities, apigateway",
        ),
        ('[glue.job.x]\nhandler = "handlers:run_job"\n', "glue.job: unknown key; Glue jobs go in [glue.jobs.<name>]"),
        (
            '[glue.jobs.x]\nhandler = "handlers:run_job"\ndefault_arguments = { a = 1 }\n',
            "glue.jobs.x.default_arguments: expected a table of string values",
        ),
        (
            '[glue.jobs.x]\nhandler = "handlers:run_job"\nmax_concurrent_runs = 0\n',
            "glue.jobs.x: Glue job 'x': max_concurrent_runs must be a positive integer",
        ),
        ('[dynamodb.tables.T1]\nrange_key = "sk:S"\n', "dynamodb.tables.T1: missing 'hash_key'"),
        ('[dynamodb.tables.T1]\nhash_key = "pk:X"\n', "dynamodb.tables.T1.hash_key: expected 'name:TYPE'"),
        ('[dynamodb.tables.T1]\nhash_key = "pk:S"\nseed = "none.json"\n', "dynamodb.tables.T1.seed: cannot read"),
        ('[dynamodb.tables.T]\nhash_key = "pk:S"\n', "dynamodb.tables.T: DynamoDB rejects table 'T': 1 validation"),
        ("[dynamodb]\npath = 3\n", "dynamodb.path: expected a file path string"),
        ('[state_machines]\nC = "missing.json"\n', "state_machines.C:"),
        (
            '[state_machines.C]\ndefinition = "child.json"\ntype = "FAST"\n',
            "state_machines.C.type: expected STANDARD or EXPRESS",
        ),
        ('[handlers]\n"sqs:send" = "handlers:send"\n', "handlers.\"sqs:send\": handler('sqs:send'): "),
        ("lambda = [", "asl.toml: not valid TOML"),
    ],
)
def test_mistakes_are_named_with_file_and_key(project: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        load_resources(write(project, text))
    assert message in str(raised.value)
    assert str(raised.value).startswith(str(project / "asl.toml"))


def test_seed_file_must_hold_items(project: Path) -> None:
    (project / "seed" / "bad.json").write_text('{"pk": "a"}')
    with pytest.raises(ConfigurationError, match="must hold a JSON list of item objects"):
        load_resources(write(project, '[dynamodb.tables.Tab]\nhash_key = "pk:S"\nseed = "seed/bad.json"\n'))


def test_a_seed_item_without_its_key_is_rejected(project: Path) -> None:
    (project / "seed" / "keyless.json").write_text('[{"other": 1}]')
    with pytest.raises(ConfigurationError, match="seed item 0 of table 'Tab' is invalid"):
        load_resources(write(project, '[dynamodb.tables.Tab]\nhash_key = "pk:S"\nseed = "seed/keyless.json"\n'))


def test_import_errors_in_handler_modules_are_reported(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("raise ValueError('oops')\n")
    with pytest.raises(ConfigurationError, match=r"lambda.F: importing .*broken.py failed: ValueError: oops"):
        load_resources(write(tmp_path, '[lambda]\nF = "broken:fn"\n'))


def test_missing_file() -> None:
    with pytest.raises(ConfigurationError, match="cannot read resources file /no/such/asl\\.toml"):
        load_resources("/no/such/asl.toml")


def test_invalid_child_definition_is_reported(project: Path) -> None:
    (project / "bad.json").write_text(json.dumps({"StartAt": "X", "States": {}}))
    with pytest.raises(ConfigurationError) as raised:
        load_resources(write(project, '[state_machines]\nBad = "bad.json"\n'))
    assert "state_machines.Bad:" in str(raised.value) and "invalid state machine definition" in str(raised.value)

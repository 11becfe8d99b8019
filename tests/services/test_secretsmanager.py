"""The embedded Secrets Manager behind ``arn:aws:states:::aws-sdk:secretsmanager:<action>``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from asl_engine import StateMachine
from asl_engine.services import Resources, load_resources
from tests.services.support import clock, task_machine

SDK = "arn:aws:states:::aws-sdk:secretsmanager:"


def call(resources: Resources, action: str, parameters: dict[str, Any]) -> Any:
    return task_machine(SDK + action, Parameters=parameters).execute({}, resources=resources, clock=clock())


def test_create_get_put_and_the_staging_labels() -> None:
    resources = Resources()
    created = call(resources, "createSecret", {"Name": "db/password", "SecretString": "one"}).output
    assert set(created) == {"ARN", "Name", "VersionId"}
    assert created["ARN"].startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:db/password-")
    assert len(created["ARN"].rsplit("-", 1)[1]) == 6
    call(resources, "putSecretValue", {"SecretId": "db/password", "SecretString": "two"})
    current = call(resources, "getSecretValue", {"SecretId": created["ARN"]}).output
    assert (current["SecretString"], current["VersionStages"], current["CreatedDate"]) == (
        "two", ["AWSCURRENT"], "2024-01-01T00:00:00Z",
    )  # fmt: skip
    previous = call(resources, "getSecretValue", {"SecretId": "db/password", "VersionStage": "AWSPREVIOUS"}).output
    assert (previous["SecretString"], previous["VersionId"]) == ("one", created["VersionId"])
    # A partial ARN (without the six random characters) finds it too, as on AWS.
    partial = created["ARN"].rsplit("-", 1)[0]
    assert call(resources, "getSecretValue", {"SecretId": partial}).output["SecretString"] == "two"


def test_errors_are_named_as_step_functions_names_them() -> None:
    resources = Resources()
    invalid = call(resources, "createSecret", {"Name": "Invalid Name", "SecretString": "x"})
    assert invalid.error == "SecretsManager.SecretsManagerException"  # recorded on AWS
    assert invalid.cause is not None and invalid.cause.startswith(
        "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: "
        "-/_+=.@! (Service: SecretsManager, Status Code: 400, Request ID: "
    )
    missing = call(resources, "getSecretValue", {"SecretId": "nope"})
    assert missing.error == "SecretsManager.ResourceNotFoundException"
    assert missing.cause is not None and missing.cause.startswith("Secrets Manager can't find the specified secret.")
    call(resources, "createSecret", {"Name": "dup", "SecretString": "x"})
    duplicate = call(resources, "createSecret", {"Name": "dup", "SecretString": "x"})
    assert duplicate.error == "SecretsManager.ResourceExistsException"


def test_a_task_failed_catcher_catches_them() -> None:
    machine = StateMachine.from_json(
        {
            "StartAt": "Get",
            "States": {
                "Get": {
                    "Type": "Task",
                    "Resource": SDK + "getSecretValue",
                    "Parameters": {"SecretId": "missing"},
                    "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "Handled"}],
                    "End": True,
                },
                "Handled": {"Type": "Pass", "End": True},
            },
        }
    )
    execution = machine.execute({}, resources=Resources(), clock=clock())
    assert execution.output["error"]["Error"] == "SecretsManager.ResourceNotFoundException"


def test_delete_restore_describe_and_list() -> None:
    resources = Resources()
    resources.secret("api-key", "k", description="the key")
    call(resources, "createSecret", {"Name": "other", "SecretString": "o", "Tags": [{"Key": "team", "Value": "a"}]})
    deleted = call(resources, "deleteSecret", {"SecretId": "api-key", "RecoveryWindowInDays": 7}).output
    assert deleted["DeletionDate"] == "2024-01-08T00:00:00Z"
    refused = call(resources, "getSecretValue", {"SecretId": "api-key"})
    assert refused.error == "SecretsManager.InvalidRequestException"
    listed = call(resources, "listSecrets", {}).output["SecretList"]
    assert [secret["Name"] for secret in listed] == ["other"]
    both = call(resources, "listSecrets", {"IncludePlannedDeletion": True}).output["SecretList"]
    assert [secret["Name"] for secret in both] == ["api-key", "other"]
    by_tag = call(resources, "listSecrets", {"Filters": [{"Key": "tag-key", "Values": ["team"]}]}).output
    assert [secret["Name"] for secret in by_tag["SecretList"]] == ["other"]
    call(resources, "restoreSecret", {"SecretId": "api-key"})
    described = call(resources, "describeSecret", {"SecretId": "api-key"}).output
    assert described["Description"] == "the key" and "DeletedDate" not in described
    assert list(described["VersionIdsToStages"].values()) == [["AWSCURRENT"]]
    call(resources, "deleteSecret", {"SecretId": "other", "ForceDeleteWithoutRecovery": True})
    assert resources.secretsmanager.names() == ["api-key"]


def test_secrets_from_asl_toml(tmp_path: Path) -> None:
    (tmp_path / "api.json").write_text('{"url": "https://x"}')
    file = tmp_path / "asl.toml"
    file.write_text(
        '[secretsmanager.secrets]\ndb = "hunter2"\napi = { file = "api.json", description = "API settings" }\n'
    )
    resources = load_resources(file)
    assert call(resources, "getSecretValue", {"SecretId": "db"}).output["SecretString"] == "hunter2"
    assert call(resources, "getSecretValue", {"SecretId": "api"}).output["SecretString"] == '{"url": "https://x"}'

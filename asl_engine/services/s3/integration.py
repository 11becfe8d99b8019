"""S3's row in the table: the calls a Distributed Map makes itself, ``aws-sdk:s3`` tasks, and ``[s3]``.

* ``arn:aws:states:::s3:getObject|listObjectsV2|putObject`` (a Map's ItemReader and ResultWriter);
* ``arn:aws:states:::aws-sdk:s3:<action>`` for the supported actions.

Both are answered by the account's embedded S3, made on first use (in memory, or in the directory the
section's ``path`` names).
"""

from __future__ import annotations

from asl_engine.services.integration import Embedded, Integration, Route
from asl_engine.services.s3 import config
from asl_engine.services.s3.data_sources import DATA_SOURCE_ACTIONS, data_source_handler
from asl_engine.services.s3.service import S3Service
from asl_engine.services.s3.tasks import SDK_ACTIONS, SdkS3Task

DATA_SOURCES = Route("service", "s3", DATA_SOURCE_ACTIONS)
SDK = Route("aws-sdk", "s3", SDK_ACTIONS)


def _describe(s3: Embedded[S3Service]) -> str | None:
    service = s3.created
    return None if service is None else f"s3={service.bucket_names()}"


INTEGRATION: Integration[Embedded[S3Service]] = Integration(
    name="s3",
    new_state=lambda: Embedded(S3Service),
    routes=(
        (DATA_SOURCES, lambda s3, resource, account: data_source_handler(s3.get, resource.action)),
        (SDK, lambda s3, resource, account: SdkS3Task(s3.get, resource.action)),
    ),
    section="s3",
    configure=config.configure,
    describe=_describe,
)

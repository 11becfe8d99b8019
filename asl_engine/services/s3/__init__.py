"""An embedded Amazon S3: buckets and objects for Distributed Maps and ``aws-sdk:s3`` tasks.

>>> resources = Resources()
>>> resources.s3_object("orders", "2024/orders.csv", "id,total\\n1,10\\n")   # doctest: +SKIP

See docs/resources.md ("S3 and Distributed Map data sources").
"""

from asl_engine.services.s3.errors import S3ServiceError
from asl_engine.services.s3.objects import S3Object
from asl_engine.services.s3.service import ListPage, S3Service
from asl_engine.services.s3.storage import UnsafePathError, UnstorableKeyError

__all__ = ["ListPage", "S3Object", "S3Service", "S3ServiceError", "UnsafePathError", "UnstorableKeyError"]

"""botocore / s3transfer failures -> IngestError naming the source, the object and what to do
(for a refusal: the exact S3 permission to grant on the exact ARN)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from boto3.exceptions import RetriesExceededError as Boto3RetriesExceeded
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
    ResponseStreamingError,
)
from s3transfer.exceptions import RetriesExceededError

from finops_pipeline.errors import IngestError

_DENIED = {"AccessDenied", "403", "AllAccessDisabled", "InvalidAccessKeyId",
           "SignatureDoesNotMatch", "Forbidden", "InvalidToken", "ExpiredToken"}  # fmt: skip
_MISSING_BUCKET = {"NoSuchBucket"}
_MISSING_KEY = {"NoSuchKey", "404", "NotFound"}


@contextmanager
def s3_errors(source: str, where: str, permission: str, arn: str) -> Iterator[None]:
    """Translate what one S3 call raised; `where` is the s3:// URI being read."""
    try:
        yield
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in _MISSING_BUCKET:
            raise IngestError(
                where,
                f"source '{source}': the bucket does not exist (NoSuchBucket)",
                action="check the source's location (and endpoint_url for S3-compatible stores)",
            ) from exc
        if code in _DENIED or status == 403:
            raise IngestError(
                where,
                f"source '{source}': access denied ({code or status})",
                expected=f"permission {permission} on {arn}",
                action=f"grant {permission} on {arn} to the identity in use (AWS_PROFILE / the "
                "source's profile, environment keys or the instance/task role)",
            ) from exc
        if code in _MISSING_KEY:
            raise IngestError(
                where,
                f"source '{source}': the object is not there any more ({code})",
                action="run the ingest again; the provider may be rewriting the delivery",
            ) from exc
        raise IngestError(where, f"source '{source}': S3 error {code}: {exc}") from exc
    except (NoCredentialsError, PartialCredentialsError, ProfileNotFound) as exc:
        raise IngestError(
            where,
            f"source '{source}': no usable AWS credentials ({exc})",
            action="set AWS_PROFILE or the source's profile, AWS_ACCESS_KEY_ID/"
            "AWS_SECRET_ACCESS_KEY, or run with an instance/task role (never in finops.yaml)",
        ) from exc
    except (
        ConnectionError,
        ResponseStreamingError,
        RetriesExceededError,
        Boto3RetriesExceeded,
    ) as exc:
        raise IngestError(
            where,
            f"source '{source}': network failure after the client's retries ({exc})",
            action="check connectivity to the endpoint and run the ingest again; nothing from "
            "this delivery was loaded",
        ) from exc
    except BotoCoreError as exc:
        raise IngestError(where, f"source '{source}': S3 client error: {exc}") from exc

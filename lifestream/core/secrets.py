"""Secret values by reference: a Secrets Manager secret (name or ARN) or `ssm:<name>` for an SSM
SecureString. Values are cached for the life of the process, so a warm Lambda asks once."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from urllib.parse import quote

from lifestream.core.errors import ConfigError, TransientError

SSM_PREFIX = "ssm:"


def _client(service: str):
    import boto3

    return boto3.client(service, endpoint_url=os.environ.get("LIFESTREAM_AWS_ENDPOINT_URL") or None)


@lru_cache(maxsize=32)
def resolve_secret(ref: str) -> str:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        if ref.startswith(SSM_PREFIX):
            name = ref.removeprefix(SSM_PREFIX)
            return _client("ssm").get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
        return _client("secretsmanager").get_secret_value(SecretId=ref)["SecretString"]
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in {"ResourceNotFoundException", "ParameterNotFound", "AccessDeniedException"}:
            raise ConfigError(f"secret {ref!r} cannot be read: {code}") from None
        raise TransientError(f"secret {ref!r} could not be read: {code}") from exc
    except BotoCoreError as exc:
        raise TransientError(f"secret {ref!r} could not be read: {exc}") from exc


def database_credentials(ref: str, *, refresh: bool = False) -> dict:
    """The RDS-generated secret ({username, password, host, port, dbname}); `refresh` re-reads it after a
    rotation instead of trusting the process-wide cache."""
    if refresh:
        resolve_secret.cache_clear()
    try:
        data = json.loads(resolve_secret(ref))
    except ValueError:
        raise ConfigError(f"secret {ref!r} is not an RDS credentials secret: not JSON") from None
    missing = [f for f in ("username", "password", "host") if not isinstance(data, dict) or f not in data]
    if missing:
        raise ConfigError(f"secret {ref!r} is not an RDS credentials secret: missing {', '.join(missing)}")
    return data


def database_url_from_secret(ref: str, *, sslmode: str = "require") -> str:
    """Build a SQLAlchemy URL from an RDS credentials secret."""
    data = database_credentials(ref)
    user, password, host = data["username"], data["password"], data["host"]
    port = data.get("port", 5432)
    dbname = data.get("dbname", "lifestream")
    return (
        f"postgresql+psycopg://{quote(user, safe='')}:{quote(password, safe='')}@{host}:{port}/{dbname}"
        f"?sslmode={sslmode}"
    )

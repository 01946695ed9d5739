"""The cloud job store reads its credentials from the RDS secret and follows a rotation without a restart.

A real PostgreSQL server that checks passwords (scram-sha-256 over TCP) and a real Secrets Manager API
(moto server over HTTP): the password is changed in both, as the rotation Lambda does.
"""

from __future__ import annotations

import json

import boto3
import pytest

from lifestream.core import secrets
from lifestream.core.errors import ConfigError
from lifestream.core.settings import load_settings
from lifestream.jobs import JobStore
from tests.infra.conftest import synthesized  # noqa: F401 - the session's synthesized templates
from tests.support.postgres import destroy, start_postgres

SECRET = "lifestream/test/database"


@pytest.fixture(scope="module")
def password_server():
    server = start_postgres(host_auth="scram-sha-256")
    server.admin_execute("ALTER ROLE app PASSWORD 'first-password'")
    server.admin_execute("CREATE DATABASE lifestream")
    yield server
    destroy(server)


@pytest.fixture
def rds_secret(moto_endpoint, password_server, monkeypatch):
    monkeypatch.setenv("LIFESTREAM_AWS_ENDPOINT_URL", moto_endpoint)
    secrets.resolve_secret.cache_clear()
    sm = boto3.client("secretsmanager", endpoint_url=moto_endpoint)
    value = {
        "username": "app",
        "password": "first-password",
        "host": "127.0.0.1",
        "port": password_server.port,
        "dbname": "lifestream",
        "engine": "postgres",
    }
    sm.create_secret(Name=SECRET, SecretString=json.dumps(value))
    yield sm, value
    sm.delete_secret(SecretId=SECRET, ForceDeleteWithoutRecovery=True)
    password_server.admin_execute("ALTER ROLE app PASSWORD 'first-password'")
    secrets.resolve_secret.cache_clear()


def _store() -> JobStore:
    settings = load_settings(database_secret=SECRET, database_sslmode="disable")
    store = JobStore.from_settings(settings)
    store.migrate()
    return store


def _rotate(sm, value, server, new_password: str) -> None:
    server.admin_execute(f"ALTER ROLE app PASSWORD '{new_password}'")
    sm.put_secret_value(SecretId=SECRET, SecretString=json.dumps({**value, "password": new_password}))


def test_store_connects_with_the_secret(rds_secret):
    store = _store()

    claim = store.claim(bucket="b", key="uploads/a.mp4", version="v1", worker_id="w", stale_after=60)

    assert claim.outcome == "claimed"
    assert "first-password" not in repr(store)


def test_rotated_password_is_read_again_on_new_connections(rds_secret, password_server):
    # GIVEN a warm store that has read the secret and holds pooled connections
    sm, value = rds_secret
    store = _store()
    store.claim(bucket="b", key="uploads/b.mp4", version="v1", worker_id="w", stale_after=60)

    # WHEN the rotation changes the password in the database and in the secret, and the pool is lost
    _rotate(sm, value, password_server, "second-password")
    store.engine.dispose()

    # THEN the next connection re-reads the secret and succeeds
    jobs = store.list_jobs()
    assert "uploads/b.mp4" in {j.key for j in jobs}


def test_a_secret_that_disagrees_with_the_database_is_a_clear_error(rds_secret, password_server):
    # GIVEN the database password changed but the secret was not updated (a broken rotation)
    store = _store()
    password_server.admin_execute("ALTER ROLE app PASSWORD 'someone-else'")
    store.engine.dispose()

    # THEN the error names what to check and leaks no password
    with pytest.raises(ConfigError) as info:
        store.list_jobs()
    assert "database secret" in str(info.value)
    assert "first-password" not in str(info.value)


def test_the_migration_function_follows_a_rotation_in_a_warm_container(rds_secret, password_server, monkeypatch):
    """The secret's first rotation runs when it is created: a warm migration container must not keep the
    password it read before (lambda_src/migrate.py opens JobStore.from_settings)."""
    from pathlib import Path

    from lifestream.local.worker import LocalLambdaContext, load_handler

    handler = load_handler(Path(__file__).resolve().parents[2] / "lambda_src" / "migrate.py")
    monkeypatch.setattr(__import__("sys").modules[handler.__module__], "RETRY_DELAYS_SECONDS", (0.01,))
    monkeypatch.setenv("LIFESTREAM_DATABASE_SECRET", SECRET)
    monkeypatch.setenv("LIFESTREAM_DATABASE_SSLMODE", "disable")
    context = LocalLambdaContext(function_name="lifestream-test-migrate", timeout_seconds=300)
    assert handler({}, context)["revision"]
    # WHEN the password is rotated between two deploys, the container staying warm
    sm, value = rds_secret
    _rotate(sm, value, password_server, "second-password")
    # THEN the next run reads the secret again and connects
    assert handler({}, context)["status"] == "unchanged"


def test_the_migration_function_needs_only_its_roles_secret_permissions(
    rds_secret, password_server, moto_endpoint, synthesized, monkeypatch  # noqa: F811
):
    """The migration function under moto's IAM authentication, holding its role's Secrets Manager
    statements from the synthesized template (the secret's ARN is the local one)."""
    from pathlib import Path

    from moto.core.authorization import enable_iam_authentication

    from lifestream.core.constants import LOCAL_ACCOUNT, ResourceNames
    from lifestream.local.worker import LocalLambdaContext, load_handler
    from tests.support.iam import S3Calls, act_as, as_moto_authorizes, local_policy, role_statements, user_with_policy

    sm, _ = rds_secret
    arn = sm.describe_secret(SecretId=SECRET)["ARN"]
    statements = role_statements(synthesized.template_json("dev", "Processing"), "WorkerMigrate")
    policy = local_policy(
        statements,
        synthesized_env="dev",
        names=ResourceNames(env="dev", account=LOCAL_ACCOUNT),
        imports={"DatabaseCredentials": arn, "DatabaseSecret": arn},
        services=("secretsmanager:",),
    )
    assert policy["Statement"], "the migration role reads no secret?"
    # moto authorizes Secrets Manager calls against "*": the moto user gets that stand-in, and the recorded
    # calls are held to the template's statements on the secret's ARN.
    act_as(monkeypatch, user_with_policy(moto_endpoint, as_moto_authorizes(policy), name="migrate"))
    calls = S3Calls(monkeypatch)
    handler = load_handler(Path(__file__).resolve().parents[2] / "lambda_src" / "migrate.py")
    monkeypatch.setenv("LIFESTREAM_DATABASE_SECRET", arn)
    monkeypatch.setenv("LIFESTREAM_DATABASE_SSLMODE", "disable")
    secrets.resolve_secret.cache_clear()
    with enable_iam_authentication():
        result = handler({}, LocalLambdaContext(function_name="lifestream-test-migrate", timeout_seconds=300))
    assert result["revision"]
    assert [operation for operation, _ in calls.calls] == ["secretsmanager:GetSecretValue"]
    assert calls.refused_by(policy) == []

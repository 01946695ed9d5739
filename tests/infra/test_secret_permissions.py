"""Secrets Manager reads of the API and the worker under moto's IAM authentication, with their roles'
statements from the synthesized templates (as tests/jobs/test_secret_rotation.py does for the migration
role): the database secret, the OpenAI key and the Pinecone key, named as the template's environment
names them, read on the functions' real paths (the API serving a search; the worker's runtime opening the
job store, the vector store and the embedder, and embedding).

moto authorizes Secrets Manager calls against "*" (it names no resource): the moto user gets that stand-in,
and every recorded GetSecretValue is held to the template's own statements on the secret's full ARN, as
AWS authorizes it (tests/support/iam.py)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
from moto.core.authorization import enable_iam_authentication

from lifestream.core import secrets
from lifestream.core.constants import API_SCOPE, LOCAL_ACCOUNT, ResourceNames
from tests.infra.conftest import synthesized  # noqa: F401 - the session's synthesized templates
from tests.support.iam import S3Calls, act_as, as_moto_authorizes, local_policy, role_statements, user_with_policy
from tests.support.openai_fake import DEFAULT_API_KEY as OPENAI_KEY
from tests.support.pinecone_fake import DEFAULT_API_KEY as PINECONE_KEY

REPO_ROOT = Path(__file__).resolve().parents[2]
# (stack, function logical-id prefix) of each role that reads the library's secrets.
ROLES = {"api": ("Api", "ApiFunction"), "worker": ("Processing", "WorkerFunction")}


def _function_environment(template: dict, prefix: str) -> dict:
    (function,) = [
        r for k, r in template["Resources"].items() if r["Type"] == "AWS::Lambda::Function" and k.startswith(prefix)
    ]
    return function["Properties"]["Environment"]["Variables"]


@pytest.fixture
def cloud_secrets(moto_endpoint, postgres_server, monkeypatch):
    """The three secrets in the local Secrets Manager, named as the dev template names the keys."""
    monkeypatch.setenv("LIFESTREAM_AWS_ENDPOINT_URL", moto_endpoint)
    secrets.resolve_secret.cache_clear()
    url = urlsplit(postgres_server.create_database(f"secret_reads_{uuid.uuid4().hex[:8]}"))
    sm = boto3.client("secretsmanager", endpoint_url=moto_endpoint)
    made: list[str] = []

    def make(name: str, value: str) -> str:
        made.append(sm.create_secret(Name=name, SecretString=value)["ARN"])
        return made[-1]

    yield sm, make, {
        "username": url.username, "password": "unused (trust)", "host": url.hostname, "port": url.port,
        "dbname": url.path.lstrip("/"), "engine": "postgres",
    }
    for arn in made:
        sm.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
    secrets.resolve_secret.cache_clear()


@pytest.mark.parametrize("role", sorted(ROLES))
def test_the_functions_read_their_secrets_within_their_roles(
    role, cloud_secrets, moto_endpoint, openai_fake, pinecone_fake, synthesized, monkeypatch, tmp_path  # noqa: F811
):
    sm, make, database = cloud_secrets
    stack, prefix = ROLES[role]
    template = synthesized.template_json("dev", stack)
    environment = _function_environment(template, prefix)
    names = {
        "openai": environment["LIFESTREAM_OPENAI_API_KEY_SECRET"],
        "pinecone": environment["LIFESTREAM_PINECONE_API_KEY_SECRET"],
    }
    assert all(isinstance(n, str) and n for n in names.values()), names
    arns = {
        f"lifestream/{role}-test/database": make(f"lifestream/{role}-test/database", json.dumps(database)),
        names["openai"]: make(names["openai"], OPENAI_KEY),
        names["pinecone"]: make(names["pinecone"], PINECONE_KEY),
    }
    database_arn = arns[f"lifestream/{role}-test/database"]
    policy = local_policy(
        role_statements(template, prefix),
        synthesized_env="dev",
        names=ResourceNames(env="dev", account=LOCAL_ACCOUNT),
        imports={"DatabaseCredentials": database_arn, "DatabaseSecret": database_arn},
        services=("secretsmanager:",),
    )
    from lifestream.jobs import JobStore

    store = JobStore(f"postgresql+psycopg://{database['username']}@{database['host']}:{database['port']}/{database['dbname']}")
    store.migrate()  # the migration function's work
    store.close()
    # The function's environment as the template sets it, with the local stand-ins for the hosts.
    for name in ("LIFESTREAM_VECTOR_STORE", "LIFESTREAM_EMBEDDING_PROVIDER", "LIFESTREAM_PINECONE_INDEX"):
        if isinstance(environment.get(name), str):
            monkeypatch.setenv(name, environment[name])
    monkeypatch.setenv("LIFESTREAM_DATABASE_SECRET", database_arn)
    monkeypatch.setenv("LIFESTREAM_DATABASE_SSLMODE", "disable")
    monkeypatch.setenv("LIFESTREAM_OPENAI_API_KEY_SECRET", names["openai"])
    monkeypatch.setenv("LIFESTREAM_PINECONE_API_KEY_SECRET", names["pinecone"])
    monkeypatch.setenv("LIFESTREAM_OPENAI_BASE_URL", openai_fake.base_url)
    monkeypatch.setenv("LIFESTREAM_PINECONE_CONTROL_HOST", pinecone_fake.url)
    monkeypatch.setenv("LIFESTREAM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LIFESTREAM_AUTH", "gateway")
    assert environment["LIFESTREAM_VECTOR_STORE"] == "pinecone"
    assert environment["LIFESTREAM_EMBEDDING_PROVIDER"] == "openai"
    act_as(monkeypatch, user_with_policy(moto_endpoint, as_moto_authorizes(policy), name=role))
    calls = S3Calls(monkeypatch)
    with enable_iam_authentication():
        if role == "api":
            status = _search_through_the_api_handler()
            assert status == 200
        else:
            _the_workers_runtime_at_work()
    read = sorted(params["SecretId"] for operation, params in calls.calls if operation == "secretsmanager:GetSecretValue")
    assert read == sorted([database_arn, names["openai"], names["pinecone"]]), read
    assert calls.refused_by(policy, secret_arns=arns) == []


def _search_through_the_api_handler() -> int:
    from lifestream.local.worker import load_handler

    handler = load_handler(REPO_ROOT / "lambda_src" / "api.py")
    context = {
        "accountId": "123456789012", "apiId": "api", "domainName": "api.test",
        "http": {"method": "GET", "path": "/api/search", "protocol": "HTTP/1.1", "sourceIp": "1.2.3.4",
                 "userAgent": "test"},
        "requestId": "r", "routeKey": "$default", "stage": "$default",
        "time": "01/Dec/2026:10:00:00 +0000", "timeEpoch": 0,
        "authorizer": {"jwt": {"claims": {"sub": "alice", "token_use": "access", "scope": f"openid {API_SCOPE}"},
                               "scopes": None}},
    }
    event = {
        "version": "2.0", "routeKey": "$default", "rawPath": "/api/search", "rawQueryString": "q=river",
        "headers": {"host": "api.test"}, "requestContext": context, "isBase64Encoded": False,
    }
    response = handler(event, None)
    assert response["statusCode"] == 200, response["body"]
    return response["statusCode"]


def _the_workers_runtime_at_work() -> None:
    from lifestream.worker import runtime

    runtime.reset()
    try:
        worker = runtime.get_runtime()
        worker.warm()  # the job store and the vector store (with its embedder), as the first job does
        assert worker.jobs.list_jobs() == []
        assert len(worker.embedder.embed(["a diary line"])) == 1
        assert worker.settings.openai_key()  # the transcriber's and summarizer's key: the same secret
    finally:
        runtime.reset()

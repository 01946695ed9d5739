"""Secrets by reference (Secrets Manager or SSM SecureString), read through a moto server over HTTP."""

from __future__ import annotations

import json

import boto3
import pytest

from lifestream.core import secrets
from lifestream.core.errors import ConfigError
from lifestream.core.settings import load_settings


@pytest.fixture
def aws(moto_endpoint, monkeypatch):
    monkeypatch.setenv("LIFESTREAM_AWS_ENDPOINT_URL", moto_endpoint)
    secrets.resolve_secret.cache_clear()
    yield moto_endpoint
    secrets.resolve_secret.cache_clear()


def test_openai_key_is_read_from_secrets_manager_once(aws):
    # GIVEN a secret holding the key, referenced by name
    sm = boto3.client("secretsmanager", endpoint_url=aws)
    sm.create_secret(Name="lifestream/test/openai-1", SecretString="sk-from-secret")
    settings = load_settings(openai_api_key_secret="lifestream/test/openai-1")

    # WHEN the key is asked for twice
    first = settings.openai_key()
    sm.put_secret_value(SecretId="lifestream/test/openai-1", SecretString="sk-rotated")
    second = settings.openai_key()

    # THEN it is read and cached for the life of the process (a warm Lambda asks once)
    assert first == second == "sk-from-secret"


def test_pinecone_key_is_read_from_ssm_securestring(aws):
    ssm = boto3.client("ssm", endpoint_url=aws)
    ssm.put_parameter(Name="/lifestream/test/pinecone", Value="pc-secret", Type="SecureString")

    settings = load_settings(vector_store="pinecone", pinecone_api_key_secret="ssm:/lifestream/test/pinecone")

    assert settings.pinecone_key() == "pc-secret"


def test_missing_secret_is_a_config_error_naming_it(aws):
    settings = load_settings(openai_api_key_secret="lifestream/test/does-not-exist")

    with pytest.raises(ConfigError, match="does-not-exist"):
        settings.openai_key()


def test_database_url_is_built_from_rds_secret(aws):
    sm = boto3.client("secretsmanager", endpoint_url=aws)
    sm.create_secret(
        Name="lifestream/test/db",
        SecretString=json.dumps(
            {
                "username": "app",
                "password": "p@ss/word",
                "host": "db.internal",
                "port": 5432,
                "dbname": "lifestream",
            }
        ),
    )

    url = load_settings(database_secret="lifestream/test/db").resolved_database_url

    assert url == "postgresql+psycopg://app:p%40ss%2Fword@db.internal:5432/lifestream?sslmode=require"

"""Settings: defaults that run with nothing configured, and early errors that name the variable."""

from __future__ import annotations

import pytest

from lifestream.core.errors import ConfigError
from lifestream.core.settings import load_settings


def test_defaults_need_no_configuration():
    settings = load_settings()

    assert settings.vector_store == "faiss"
    assert settings.embedding_provider == "local"
    assert settings.resolved_embedding_dimension == 384
    assert settings.resolved_database_url.startswith("sqlite:///")
    assert settings.resolved_pinecone_index == "lifestream-local"


def test_environment_variables_are_read_with_prefix(monkeypatch):
    monkeypatch.setenv("LIFESTREAM_ENV", "staging")
    monkeypatch.setenv("LIFESTREAM_BLOCK_MAX_SECONDS", "120")

    settings = load_settings()

    assert settings.env == "staging"
    assert settings.block_max_seconds == 120.0
    assert settings.resolved_pinecone_index == "lifestream-staging"


def test_dotenv_file_is_read(tmp_path):
    (tmp_path / ".env").write_text("LIFESTREAM_VECTOR_STORE=faiss\nLIFESTREAM_FAISS_MODE=hnsw\n")

    assert load_settings().faiss_mode == "hnsw"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("LIFESTREAM_BLOCK_MAX_SECONDS", "-5"),
        ("LIFESTREAM_VECTOR_STORE", "milvus"),
        ("LIFESTREAM_AWS_ENDPOINT_URL", "localhost:5000"),
        ("LIFESTREAM_EMBEDDING_DIMENSION", "zero"),
    ],
)
def test_wrong_value_names_the_variable(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigError) as info:
        load_settings()

    assert variable in str(info.value)


@pytest.mark.parametrize(
    ("overrides", "needed"),
    [
        ({"vector_store": "pinecone"}, "LIFESTREAM_PINECONE_API_KEY"),
        ({"embedding_provider": "openai"}, "LIFESTREAM_OPENAI_API_KEY"),
        ({"transcriber": "openai"}, "LIFESTREAM_OPENAI_API_KEY"),
    ],
)
def test_missing_key_for_chosen_service_fails_early(overrides, needed):
    with pytest.raises(ConfigError) as info:
        load_settings(**overrides)

    assert needed in str(info.value)


def test_secret_values_never_appear_in_errors_or_repr(monkeypatch):
    monkeypatch.setenv("LIFESTREAM_OPENAI_API_KEY", "sk-very-secret")
    monkeypatch.setenv("LIFESTREAM_BLOCK_MAX_SECONDS", "-1")

    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "sk-very-secret" not in str(info.value)

    monkeypatch.setenv("LIFESTREAM_BLOCK_MAX_SECONDS", "60")
    settings = load_settings()
    assert "sk-very-secret" not in repr(settings)
    assert settings.openai_key() == "sk-very-secret"

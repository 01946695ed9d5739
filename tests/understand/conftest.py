"""Fixtures for the understanding tests: offline and OpenAI settings (generated media is in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lifestream.core.settings import load_settings
from tests.support.openai_fake import DEFAULT_API_KEY as OPENAI_API_KEY


@pytest.fixture
def offline_settings(tmp_path):
    """Settings with no OpenAI key: local Whisper, extractive summaries, scene timeline."""

    def make(**overrides):
        values = {"data_dir": tmp_path / "data", "faiss_dir": tmp_path / "index"}
        values.update(overrides)
        return load_settings(**values)

    return make


@pytest.fixture
def openai_settings(tmp_path):
    def make(**overrides):
        values = {"data_dir": tmp_path / "data", "openai_api_key": OPENAI_API_KEY}
        values.update(overrides)
        return load_settings(**values)

    return make


@pytest.fixture
def out_dir(tmp_path) -> Path:
    return tmp_path / "results"

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from lifestream.cli import app
from lifestream.media.sample_media import SampleVideo, make_sample_video


@pytest.fixture(scope="session")
def talk(tmp_path_factory) -> SampleVideo:
    """A 22 s H.264/AAC talk with espeak speech, four coloured scenes and a sidecar .srt."""
    return make_sample_video(tmp_path_factory.mktemp("media") / "garden talk.mp4")


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=True)

    return invoke


@pytest.fixture
def cli_json(cli):
    def invoke(*args: str):
        result = cli(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return invoke

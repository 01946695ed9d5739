"""`lifestream search` and `lifestream migrate faiss-to-pinecone`, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from lifestream.cli import app
from lifestream.core.models import Chunk, ChunkType
from lifestream.memory.embeddings.local_embedder import OnnxMiniLMEmbedder
from lifestream.memory.video_index import VideoIndex
from lifestream.memory.vectors.faiss_store import FaissVectorStore
from tests.support.pinecone_fake import DEFAULT_API_KEY

runner = CliRunner()


@pytest.fixture
def diary_index(tmp_path, monkeypatch):
    monkeypatch.setenv("LIFESTREAM_DATA_DIR", str(tmp_path / "data"))
    embedder = OnnxMiniLMEmbedder()
    store = FaissVectorStore(
        tmp_path / "data" / "index", dimension=embedder.dimension, embedder_name=embedder.name
    )
    rows = [
        ("transcript", "2026-11-02", "We repaired the bicycle brakes in the garage."),
        ("transcript", "2026-11-06", "Carol said the project deadline moved to Friday."),
        ("summary", "2026-11-06", "A busy work day with a deadline and a long meeting."),
        ("action_item", "2026-11-06", "Send the slides to Carol before Thursday."),
    ]
    for n, (ctype, date, text) in enumerate(rows):
        video = f"clip{n}"
        chunk = Chunk(
            id=Chunk.make_id(video, ctype, 0),
            text=text,
            video_id=video,
            chunk_type=ChunkType(ctype),
            start=30.0,
            end=75.5,
            recorded_date=date,
            speakers=["carol"] if "Carol" in text else [],
        )
        VideoIndex(store, embedder).index(video, [chunk])
    return tmp_path / "data" / "index"


def test_search_json_output(diary_index):
    result = runner.invoke(app, ["search", "when is the work due", "--json", "--top-k", "2"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 2
    assert set(rows[0]) == {"video_id", "start", "end", "score", "text", "chunk_type", "found"}
    assert "deadline" in rows[0]["text"] and rows[0]["start"] == 30.0 and rows[0]["end"] == 75.5
    assert rows[0]["score"] >= rows[1]["score"]


def test_search_filters_and_table(diary_index):
    result = runner.invoke(app, ["search", "deadline", "--json", "--type", "action_item"])
    assert [r["chunk_type"] for r in json.loads(result.stdout)] == ["action_item"]
    result = runner.invoke(app, ["search", "deadline", "--json", "--to", "2026-11-03"])
    assert [r["video_id"] for r in json.loads(result.stdout)] == ["clip0"]
    result = runner.invoke(app, ["search", "deadline", "--json", "--speaker", "carol", "--min-score", "0.2"])
    assert {r["video_id"] for r in json.loads(result.stdout)} <= {"clip1", "clip3"}
    table = runner.invoke(app, ["search", "bicycle"])
    assert table.exit_code == 0 and "clip0" in table.stdout and "00:00:30" in table.stdout


def test_search_shows_found_apart_from_related(diary_index):
    rows = json.loads(runner.invoke(app, ["search", "bicycle", "--json", "--top-k", "4"]).stdout)
    assert [r["video_id"] for r in rows if r["found"]] == ["clip0"]
    assert len(rows) == 4
    table = runner.invoke(app, ["search", "bicycle", "--top-k", "4"]).stdout
    assert "Found: 1 for 'bicycle'" in table and "Related: 3" in table
    assert table.index("clip0") < table.index("Related")
    nothing = runner.invoke(app, ["search", "volcano eruption", "--top-k", "2"]).stdout
    assert "Nothing found for 'volcano eruption'" in nothing and "Found:" not in nothing


def test_day_says_plainly_when_nothing_was_recorded(diary_index):
    result = runner.invoke(app, ["day", "2026-11-06"])
    assert result.exit_code == 0, result.output
    assert "No videos recorded on 2026-11-06." in result.stdout


def test_bad_input_is_one_line_error(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFESTREAM_")}
    env["LIFESTREAM_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "lifestream", "search", "x", "--from", "last week"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 1
    assert "date_from must be a date like" in done.stderr and "Traceback" not in done.stderr


def test_migrate_faiss_to_pinecone(diary_index, pinecone_fake, monkeypatch):
    monkeypatch.setenv("LIFESTREAM_PINECONE_API_KEY", DEFAULT_API_KEY)
    monkeypatch.setenv("LIFESTREAM_PINECONE_CONTROL_HOST", pinecone_fake.url)
    result = runner.invoke(
        app,
        [
            "migrate",
            "faiss-to-pinecone",
            "--json",
            "--batch-size",
            "2",
            "--parity-queries",
            "4",
            "--top-k",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["copied"] == 4 and report["target_count"] == 4 and report["batches"] == 2
    assert report["parity"]["mean_overlap"] == 1.0
    assert pinecone_fake.create_bodies[0]["schema"]["fields"]["_values"]["dimension"] == 384

    # and search now runs against Pinecone with the same answers
    monkeypatch.setenv("LIFESTREAM_VECTOR_STORE", "pinecone")
    result = runner.invoke(app, ["search", "when is the work due", "--json", "--top-k", "1"])
    assert result.exit_code == 0, result.output
    assert "deadline" in json.loads(result.stdout)[0]["text"]

    again = runner.invoke(app, ["migrate", "faiss-to-pinecone"])
    assert again.exit_code == 0 and "resumed after 4" in again.stdout

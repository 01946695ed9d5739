"""Hybrid search through the service, the HTTP API and the CLI, on the issue's demo day and its copy:
one hit per moment, the interpretation of dates shown, the calibrated "not found", and mode selection."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from bench.retrieval.corpus import chunks
from lifestream.api.app import create_app
from lifestream.cli import app as cli_app
from lifestream.core.errors import RequestError
from lifestream.core.settings import load_settings
from lifestream.memory.answers import NOT_FOUND
from lifestream.memory.embeddings.local_embedder import OnnxMiniLMEmbedder
from lifestream.service import Library

# Friday 20 November 2026, evening in Berlin: the garden day (Thursday the 19th) was yesterday.
NOW = dt.datetime(2026, 11, 20, 19, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def minilm():
    return OnnxMiniLMEmbedder()


@pytest.fixture
def library(tmp_path, monkeypatch, minilm):
    monkeypatch.setenv("LIFESTREAM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LIFESTREAM_TIMEZONE", "Europe/Berlin")
    lib = Library(load_settings(), embedder=minilm, clock=lambda: NOW)
    for video_id, day in (("garden", "garden"), ("garden-copy", "garden"), ("workday", "workday")):
        lib.index("local").index(video_id, chunks(day, video_id))
    yield lib
    lib.close()


def test_the_demo_question_returns_each_moment_once_and_ask_answers_it(library):
    page = library.search_page("local", "what do I need to buy", top_k=5)
    top = page.hits[0]
    assert top.video_id in {"garden", "garden-copy"} and "compost" in top.text
    assert top.end - top.start <= 25
    # The summary, the action item and the copied video's chunks of that moment fold into it.
    assert {s.chunk_type for s in top.supporting} >= {"action_item", "summary"}
    assert any(s.video_id != top.video_id for s in top.supporting)
    seen = [(h.video_id.removesuffix("-copy"), h.start, h.end) for h in page.hits]
    for i, (video, start, end) in enumerate(seen):
        for other, s2, e2 in seen[i + 1 :]:
            assert not (video == other and start < e2 and s2 < end), page.hits
    assert page.found and page.mode == "hybrid"
    answer = library.ask("local", "what do I need to buy")
    assert answer.grounded and answer.text != NOT_FOUND
    assert "compost" in answer.text and answer.citations[0].end - answer.citations[0].start <= 25


def test_a_question_about_nothing_recorded_is_not_found(library):
    assert not library.search_page("local", "what did the electrician say about the fuse box").found
    answer = library.ask("local", "what did the electrician say about the fuse box")
    assert answer.text == NOT_FOUND and not answer.grounded and answer.citations == []


def test_dates_in_words_filter_in_the_users_zone_and_are_shown(library):
    page = library.search_page("local", "what did Anna say yesterday")
    assert page.searching == "searching 2026-11-19" and page.query == "what did Anna say"
    assert page.hits and {h.recorded_date for h in page.hits} == {"2026-11-19"}
    assert page.speakers == ["Anna"] and "Anna" in page.hits[0].speakers
    assert library.ask("local", "what did I plan last Monday").searching == "searching 2026-11-16"


def test_a_date_in_words_with_nothing_recorded_then_searches_all_dates_and_says_so(library):
    # "in April" speaks of April as often as it asks for April's recordings; none exist, so it is relaxed.
    page = library.search_page("local", "what did I buy for the garden in April")
    assert page.searching == "nothing recorded 2026-04-01 – 2026-04-30: searched all dates"
    assert page.hits and page.date_from is None and page.date_to is None
    assert "compost" in page.hits[0].text


def test_modes(library):
    # A booking code: words find it; meaning alone does not rank it first.
    assert "K7Q2" in library.search("local", "K7Q2", mode="lexical")[0].text
    assert "K7Q2" in library.search("local", "K7Q2", mode="hybrid")[0].text
    assert library.search_page("local", "K7Q2", mode="dense").mode == "dense"
    with pytest.raises(RequestError) as refused:
        library.search("local", "compost", mode="fuzzy")
    assert refused.value.field == "mode"


def test_the_api_takes_the_mode_and_says_what_it_understood(library):
    client = TestClient(create_app(library.settings, library=library), base_url="http://127.0.0.1")
    response = client.get("/api/search", params={"q": "what did Anna say yesterday", "mode": "hybrid"})
    assert response.status_code == 200, response.text
    assert response.headers["Search-Dates"] == "2026-11-19/2026-11-19"
    assert response.headers["Search-Found"] == "true" and response.headers["Search-Mode"] == "hybrid"
    assert all(h["recorded_date"] == "2026-11-19" for h in response.json())
    assert client.get("/api/search", params={"q": "compost", "mode": "fuzzy"}).status_code == 422
    asked = client.post("/api/ask", json={"question": "what do I need to buy yesterday", "mode": "lexical"})
    assert asked.status_code == 200 and asked.json()["searching"] == "searching 2026-11-19"


def test_the_cli_prints_the_interpretation(library, monkeypatch):
    library.close()
    monkeypatch.setattr("lifestream.service.base.dt", _FrozenDateTime)
    result = CliRunner().invoke(
        cli_app, ["search", "what did Anna say yesterday", "--json", "--mode", "hybrid"]
    )
    assert result.exit_code == 0, result.output
    assert "searching 2026-11-19" in result.stderr
    assert json.loads(result.stdout)[0]["video_id"].startswith("garden")


class _FrozenDateTime:
    """`dt` as the service sees it, with now() fixed at NOW (the CLI builds its own Library)."""

    date, timedelta, UTC = dt.date, dt.timedelta, dt.UTC

    class datetime(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return NOW.astimezone(tz) if tz else NOW.replace(tzinfo=None)


def test_deleting_a_video_removes_its_lexical_rows_with_its_vectors(library, minilm):
    from lifestream.core.constants import LOCAL_FILES_BUCKET

    job = library.jobs.claim(
        bucket=LOCAL_FILES_BUCKET, key="fp-sunday", version="fp-sunday", worker_id="w", stale_after=60
    ).job
    vid = job.video_id
    library.index("local").index(vid, chunks("sunday", vid))
    assert library.index("local").lexical.count("local", vid) > 0
    assert any(h.video_id == vid for h in library.search("local", "pumpkin soup", mode="lexical"))
    report = library.delete_video("local", vid)
    assert report.vectors > 0 and report.jobs == 1
    assert library.index("local").lexical.count("local", vid) == 0
    assert all(h.video_id != vid for h in library.search("local", "pumpkin soup", mode="lexical"))
    assert library.index("local").lexical.count("local", "garden") > 0  # the other videos stay

"""Fixtures of the service tests: a `Library` called directly (no HTTP) over a SQLite job store and FAISS
in the test's own directory, with the word embedder of tests/memory (no model loads), and videos put in
place the way the local worker leaves them (results and checkpoint under the data directory, vectors and
lexical rows under their owner, a completed job). The moto server, the local cloud and its settings come
from tests/support/cloud_fixtures.py, registered for the whole suite in tests/conftest.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from lifestream.core.constants import LOCAL_FILES_BUCKET
from lifestream.core.models import TranscriptSegment
from lifestream.core.settings import Settings, load_settings
from lifestream.jobs import JobRecord
from lifestream.memory.vectors.faiss_store import FaissVectorStore
from lifestream.service import Library
from lifestream.storage.results import LocalResults, output_files
from lifestream.understand.chunking import build_chunks
from lifestream.understand.diary import Diary, DiaryBlock, render_markdown
from lifestream.understand.summarize.models import ActionItem
from tests.memory.conftest import DIM, WordEmbedder

A, B = "alice-sub-1", "bob-sub-2"
# The service's "now": a day after the videos' first recording day, so "yesterday" is 2026-05-02.
NOW = dt.datetime(2026, 5, 3, 12, 0, tzinfo=dt.UTC)
WORKER = "service-tests"


def make_diary(
    video_id: str,
    lines: list[tuple[str, str]],
    *,
    date: str = "2026-05-02",
    title: str = "Conversation",
    action: tuple[str, str] | None = None,
) -> Diary:
    """One block of `lines` (speaker, words), recorded at 09:30 UTC on `date`, with an optional action
    item (owner, text)."""
    speakers = list(dict.fromkeys(s for s, _ in lines))
    transcript, t = [], 0.0
    for speaker, text in lines:
        transcript.append(TranscriptSegment(start=t, end=t + 4.0, text=text, speaker=speaker))
        t += 5.0
    recorded = dt.datetime.fromisoformat(f"{date}T09:30:00+00:00")
    block = DiaryBlock(
        index=0,
        start=0.0,
        end=t,
        title=title,
        activity=f"{speakers[0]} talks with {', '.join(speakers[1:]) or 'nobody'}.",
        location="Office",
        participants=speakers,
        visual_summary="a room",
        source_reliability="High",
        action_items=[ActionItem(text=action[1], owner=action[0], at=0.0)] if action else [],
        transcript=transcript,
    )
    return Diary(
        date=date,
        video_id=video_id,
        recorded_at=recorded,
        recorded_at_is_fallback=False,
        timezone="UTC",
        duration=t,
        transcriber="subtitles",
        summarizer="extractive",
        vision="none",
        blocks=[block],
    )


@dataclass
class Shelf:
    """A library and the parts it was given, and a way to put videos on it."""

    library: Library
    settings: Settings
    vectors: FaissVectorStore
    tmp: Path

    @property
    def results(self) -> LocalResults:
        return LocalResults(self.settings.data_dir)

    def claim(self, owner: str, name: str, *, version: str = "v1") -> JobRecord:
        """A local file's job, claimed (status processing), its file on disk."""
        source = self.tmp / "files" / owner / name
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_bytes(b"not really a video: the service never reads it")
        return self.library.jobs.claim(
            bucket=LOCAL_FILES_BUCKET,
            key=f"fingerprint-{owner}-{name}",
            version=version,
            worker_id=WORKER,
            stale_after=600,
            name=name,
            source=str(source),
            owner=owner,
        ).job

    def add(
        self,
        owner: str,
        name: str,
        lines: list[tuple[str, str]],
        *,
        version: str = "v1",
        **diary_options,
    ) -> JobRecord:
        """A processed video: its diary, keyframe and checkpoint on disk, its chunks indexed under
        `owner`, its job completed with the result keys the local worker records."""
        job = self.claim(owner, name, version=version)
        state = self.results.state(job.video_id)
        state.mkdir(parents=True)
        (state / "transcript.json").write_text("{}")
        return self.complete(owner, job, make_diary(job.video_id, lines, **diary_options), ["frame_0001.jpg"])

    def complete(self, owner: str, job: JobRecord, diary: Diary, frames: list[str]) -> JobRecord:
        """A claimed job finished with `diary`: its files and keyframes (`frames`, file names) on disk,
        its chunks indexed under `owner`, its job completed with the result keys the local worker records."""
        json_path, markdown_path, keyframes = output_files(self.results.folder(job.video_id))
        keyframes.mkdir(parents=True)
        json_path.write_text(diary.model_dump_json(indent=2), encoding="utf-8")
        markdown_path.write_text(render_markdown(diary), encoding="utf-8")
        paths = [keyframes / name for name in frames]
        for path in paths:
            path.write_bytes(b"\xff\xd8\xff\xd9")
        chunks = build_chunks(diary)
        self.library.index(owner).index(job.video_id, chunks)
        outputs = SimpleNamespace(json_path=json_path, markdown_path=markdown_path, keyframe_paths=paths)
        return self.library.jobs.complete(
            job.id,
            worker_id=WORKER,
            result_keys=self.results.publish(owner, job.video_id, outputs),
            duration=diary.duration,
            recorded_at=diary.recorded_at,
            chunk_count=len(chunks),
        )

    def vector_ids(self, video_id: str) -> list[str]:
        """Every vector of the video in the whole store (any owner's)."""
        return sorted(self.vectors.list_ids(f"{video_id}#"))

    def lexical_rows(self, owner: str, video_id: str) -> int:
        return self.library.index(owner).lexical.count(owner, video_id)


@pytest.fixture
def dimension() -> int:
    """The word embedder's width: at DIM (16) two texts that share no word often sit at a cosine that passes
    "found"'s 0.3, which tests about what is found and what is only related override."""
    return DIM


@pytest.fixture
def shelf(tmp_path, dimension) -> Shelf:
    settings = load_settings(
        data_dir=tmp_path / "data", timezone="UTC", summarizer="extractive", transcriber="subtitles"
    )
    embedder = WordEmbedder(dimension)
    vectors = FaissVectorStore(tmp_path / "faiss", dimension=dimension, embedder_name=embedder.name)
    library = Library(settings, store=vectors, embedder=embedder, clock=lambda: NOW)
    yield Shelf(library, settings, vectors, tmp_path)
    library.close()


@dataclass
class World:
    """Two owners' videos with words in common: A's launch standup (2026-05-02, labelled speakers) and
    garden walk (2026-04-20, Priya), and B's launch call (2026-05-02, labelled speakers)."""

    shelf: Shelf
    a_launch: JobRecord
    a_garden: JobRecord
    b_launch: JobRecord

    @property
    def library(self) -> Library:
        return self.shelf.library


@pytest.fixture
def world(shelf) -> World:
    a_launch = shelf.add(
        A,
        "standup.mp4",
        [("Speaker 1", "We launch the rocket on Friday."), ("Speaker 2", "I will book the launch pad.")],
        title="Launch standup",
        action=("Speaker 2", "Book the launch pad"),
    )
    a_garden = shelf.add(
        A,
        "garden.mp4",
        [
            ("Priya", "Buy compost and a watering can for the tomatoes."),
            ("Priya", "The old rocket is in the shed."),
        ],
        date="2026-04-20",
        title="Garden walk",
    )
    b_launch = shelf.add(
        B,
        "call.mp4",
        [
            ("Speaker 1", "The rocket launch moves to Monday."),
            ("Speaker 2", "Then buy compost for the farm."),
        ],
        title="Launch call",
    )
    return World(shelf, a_launch, a_garden, b_launch)

"""One user's speaker names cannot multiply the work of a search: names come from uploaded subtitles and
renames, unbounded. A query lifts at most MAX_SPEAKERS_PER_QUERY of them, with one `$in` query for all;
spotting them costs the query's length, not the number of names; a diary keeps MAX_SPEAKERS_PER_VIDEO."""

from __future__ import annotations

import pytest

from lifestream.core.models import TranscriptSegment
from lifestream.jobs import JobStore
from lifestream.memory.lexical import LexicalIndex
from lifestream.memory.search import MAX_SPEAKERS_PER_QUERY, named_speakers
from lifestream.memory.search_filters import SearchFilters
from lifestream.memory.vectors.faiss_store import FaissVectorStore
from lifestream.memory.vectors.owned import for_owner
from lifestream.memory.video_index import VideoIndex
from lifestream.understand.pipeline.speech_stages import MAX_SPEAKERS_PER_VIDEO, limit_speakers
from lifestream.understand.transcribe import Transcript
from tests.memory.conftest import DIM, WordEmbedder
from tests.memory.test_lexical import chunk

CREW = ["Anna", "Bob", "Chen", "Dara", "Eli", "Femi", "Gus", "Hana", "Ivo", "Jo"]


def test_named_speakers_are_the_first_few_the_query_says():
    known = {f"Guest {i}" for i in range(20_000)} | set(CREW) | {"Anna Maria", "O'Brien"}
    query = "what did Jo, Anna Maria, Bob, Chen, Dara and everyone else say"
    assert named_speakers(query, known) == ["Jo", "Anna Maria", "Bob"][:MAX_SPEAKERS_PER_QUERY]
    assert named_speakers("ANNA's plan", known) == ["Anna"]
    assert named_speakers("o'brien's notes and guest 19999", known) == ["O'Brien", "Guest 19999"]
    assert named_speakers("annabel and bobby", known) == []  # whole words only
    assert named_speakers("Jo Jo Jo", known, limit=5) == ["Jo"]


class CountingStore:
    """The owner's vector store, counting the queries a search sends it."""

    def __init__(self, store) -> None:
        self.store, self.filters = store, []

    def query(self, vector, *, top_k, filter=None):
        self.filters.append(filter)
        return self.store.query(vector, top_k=top_k, filter=filter)

    def __getattr__(self, name):
        return getattr(self.store, name)


@pytest.fixture
def index(tmp_path):
    jobs = JobStore(f"sqlite:///{tmp_path / 'jobs.db'}")
    jobs.migrate()
    embedder = WordEmbedder()
    raw = FaissVectorStore(tmp_path / "index", dimension=DIM, embedder_name=embedder.name)
    store = CountingStore(for_owner(raw, "alice"))
    index = VideoIndex(store, embedder, LexicalIndex(jobs.engine), owner="alice")
    said = [chunk("v1", i, f"{name} talked about the garden", speakers=[name]) for i, name in enumerate(CREW)]
    index.index("v1", said)
    yield index, store
    jobs.close()


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_a_query_naming_many_speakers_sends_one_query_for_them(index, mode):
    index, store = index
    outcome = index.search("what did " + ", ".join(CREW) + " say about the garden", mode=mode, top_k=5)
    assert outcome.boosted_speakers == CREW[:MAX_SPEAKERS_PER_QUERY]
    # The dense channel's own query, then one for the named speakers together: not one per name.
    named = [f for f in store.filters if f is not None]
    if mode == "lexical":
        assert store.filters == []
    else:
        assert len(store.filters) == 2 and named == [{"speakers": {"$in": CREW[:MAX_SPEAKERS_PER_QUERY]}}]
    assert {s for r in outcome.results for s in r.speakers} & set(CREW[:MAX_SPEAKERS_PER_QUERY])


def test_the_lexical_channel_filters_any_of_several_speakers(index):
    index, _ = index
    said = SearchFilters().with_any_speaker(["Bob", "Hana"])
    hits = index.lexical.search("alice", "garden", top_k=10, filters=said)
    assert {s for h in hits for s in h.speakers} == {"Bob", "Hana"}


def test_a_diary_keeps_the_speakers_who_talk_most():
    # An uploaded WebVTT may carry a voice tag per line: a thousand names for one video.
    segments = [
        TranscriptSegment(start=i, end=i + 0.5, text=f"line {i}", speaker=f"Voice {i}") for i in range(1000)
    ]
    segments += [
        TranscriptSegment(start=2000 + i, end=2010 + i, text="long", speaker="Host") for i in range(3)
    ]
    segments.append(TranscriptSegment(start=3000, end=3001, text="x", speaker="N" * 500))
    limited = limit_speakers(Transcript(source="subtitles", segments=segments))
    names = {s.speaker for s in limited.segments if s.speaker}
    assert len(names) == MAX_SPEAKERS_PER_VIDEO and "Host" in names
    assert len(limited.segments) == len(segments)  # every line stays, some without a name
    assert max(len(n) for n in names) <= 80
    small = Transcript(source="subtitles", segments=segments[:3])
    assert limit_speakers(small) == small

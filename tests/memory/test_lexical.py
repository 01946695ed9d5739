"""The lexical index on real SQLite (FTS5) and a real PostgreSQL server (tsvector + GIN): owned rows,
idempotent re-indexing, filters, hostile query text, and writing/deleting together with the vectors."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from lifestream.core.models import Chunk, ChunkType
from lifestream.jobs import JobStore
from lifestream.memory.search_filters import SearchFilters
from lifestream.memory.video_index import VideoIndex
from lifestream.memory.lexical import LexicalIndex, query_terms
from lifestream.memory.vectors.faiss_store import FaissVectorStore
from lifestream.memory.vectors.owned import for_owner
from tests.memory.conftest import DIM, WordEmbedder


@pytest.fixture(params=["sqlite", "postgresql"])
def lexical(request, tmp_path):
    url = (
        f"sqlite:///{tmp_path / 'jobs.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    jobs = JobStore(url)
    jobs.migrate()
    yield LexicalIndex(jobs.engine)
    jobs.close()


def chunk(
    video: str, i: int, words: str, *, date="2026-11-24", speakers=(), kind=ChunkType.TRANSCRIPT, start=None
):
    begin = 10.0 * i if start is None else start
    return Chunk(
        id=Chunk.make_id(video, kind, i),
        text=words,
        video_id=video,
        chunk_type=kind,
        start=begin,
        end=begin + 8.0,
        recorded_date=date,
        speakers=list(speakers),
    )


DAY = [
    chunk(
        "v1", 0, "The mechanic says the brake pads are worn and the car needs new tyres.", speakers=["Sam"]
    ),
    chunk("v1", 1, "The garage quoted 420 euros for pads and tyres together."),
    chunk("v1", 2, "Booking reference K7Q2 for the hotel near the river.", speakers=["Priya"]),
    chunk("v1", 3, "Action item: pick up the car on Thursday.", kind=ChunkType.ACTION_ITEM),
]


def test_a_placeholder_speaker_is_no_word_of_its_turns(lexical):
    turns = [
        chunk("v1", 0, "The rear one is too quiet.", speakers=["Speaker 2"]),
        chunk("v1", 1, "All five speakers cost 400 dollars.", speakers=["Speaker 1"]),
        chunk("v1", 2, "I'll bring a longer cable.", speakers=["Jonas"]),
    ]
    lexical.replace_video("alice", "v1", turns)
    assert [h.id for h in lexical.search("alice", "how many speakers did I buy", top_k=5)] == [turns[1].id]
    assert [h.id for h in lexical.search("alice", "what did Jonas say", top_k=5)] == [turns[2].id]
    # The label still filters: it stays among the chunk's speakers.
    only = lexical.search("alice", "quiet", top_k=5, filters=SearchFilters(speaker="Speaker 2"))
    assert [h.id for h in only] == [turns[0].id]


def test_words_rank_the_matching_chunks_first(lexical):
    assert lexical.replace_video("alice", "v1", DAY) == 4
    hits = lexical.search("alice", "what did the mechanic say about the brakes", top_k=3)
    assert hits[0].id == DAY[0].id and hits[0].score > 0
    assert (hits[0].start, hits[0].end, hits[0].speakers) == (0.0, 8.0, ["Sam"])
    assert hits[0].chunk_type == "transcript" and hits[0].recorded_date == "2026-11-24"
    # Numbers and codes are words too: what dense vectors handle badly.
    assert lexical.search("alice", "K7Q2", top_k=1)[0].id == DAY[2].id
    assert lexical.search("alice", "420 euros", top_k=1)[0].id == DAY[1].id
    # A speaker's name finds their turns although they never say it.
    assert lexical.search("alice", "what did Priya say", top_k=1)[0].id == DAY[2].id


def test_reindexing_replaces_the_video_and_never_duplicates(lexical):
    lexical.replace_video("alice", "v1", DAY)
    lexical.replace_video("alice", "v1", DAY)
    assert lexical.count("alice", "v1") == 4
    renamed = [DAY[0].model_copy(update={"text": "The mechanic fixed the clutch."})]
    assert lexical.replace_video("alice", "v1", renamed) == 1
    assert lexical.count("alice", "v1") == 1
    assert lexical.search("alice", "tyres", top_k=5) == []
    assert [h.id for h in lexical.search("alice", "clutch", top_k=5)] == [DAY[0].id]


def test_two_users_are_isolated(lexical):
    lexical.replace_video("alice", "v1", DAY)
    # Bob has a video with the same id and the same chunk ids (ids are per owner).
    lexical.replace_video("bob", "v1", [chunk("v1", 0, "Bob's car has new tyres already.")])
    assert {h.text for h in lexical.search("bob", "tyres", top_k=10)} == {"Bob's car has new tyres already."}
    assert all("Bob" not in h.text for h in lexical.search("alice", "tyres", top_k=10))
    assert lexical.speakers("bob") == set() and lexical.speakers("alice") == {"Sam", "Priya"}
    assert lexical.delete_video("bob", "v1") == 1
    assert lexical.count("bob") == 0 and lexical.count("alice") == 4


def test_filters(lexical):
    lexical.replace_video("alice", "v1", DAY)
    lexical.replace_video(
        "alice", "v2", [chunk("v2", 0, "New tyres for the bike.", date="2026-11-20", speakers=["Sam"])]
    )
    ids = lambda **kw: {
        h.id for h in lexical.search("alice", "tyres", top_k=10, filters=SearchFilters.parse(**kw))
    }
    assert ids(date_from="2026-11-21") == {DAY[0].id, DAY[1].id}
    assert ids(date_to="2026-11-20") == {"v2#transcript#0000"}
    assert ids(video_id="v2") == {"v2#transcript#0000"}
    assert ids(speaker="Sam") == {DAY[0].id, "v2#transcript#0000"}
    assert {h.id for h in lexical.search("alice", "car", top_k=10, filters=SearchFilters.parse(chunk_type="action_item"))} == {DAY[3].id}


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced tyres',
        "tyres AND OR NOT",
        "NEAR(car tyres)",
        "car* ^tyres -brake",
        "col:tyres",
        "tyres')); DROP TABLE x;--",
    ],
)
def test_query_syntax_in_user_text_is_only_words(lexical, query):
    lexical.replace_video("alice", "v1", DAY)
    hits = lexical.search("alice", query, top_k=5)
    assert any("tyres" in h.text for h in hits)


def test_a_query_of_stop_words_matches_nothing(lexical):
    lexical.replace_video("alice", "v1", DAY)
    assert query_terms("what did I do?") == []
    assert lexical.search("alice", "what did I do?", top_k=5) == []


def test_written_and_deleted_with_the_vectors(lexical, tmp_path):
    embedder = WordEmbedder()
    raw = FaissVectorStore(tmp_path / "index", dimension=DIM, embedder_name=embedder.name)
    alice, bob = for_owner(raw, "alice"), for_owner(raw, "bob")
    VideoIndex(alice, embedder, lexical, owner="alice").index("v1", DAY)
    VideoIndex(bob, embedder, lexical, owner="bob").index("v9", [chunk("v9", 0, "tyres for bob")])
    assert lexical.count("alice", "v1") == 4 and alice.count() == 4
    # Re-indexing with fewer chunks drops the stale rows in both channels.
    VideoIndex(alice, embedder, lexical, owner="alice").index("v1", DAY[:2])
    assert lexical.count("alice", "v1") == 2 and alice.count() == 2
    assert VideoIndex(alice, None, lexical, owner="alice").delete("v1") == 2
    assert lexical.count("alice") == 0 and alice.count() == 0
    assert lexical.count("bob") == 1 and bob.count() == 1
    # Safe to repeat (a retried delete).
    assert VideoIndex(alice, None, lexical, owner="alice").delete("v1") == 0


def test_the_full_text_index_is_what_answers(lexical):
    """The engine's own index, not a scan: FTS5's table on SQLite, the GIN index on PostgreSQL."""
    lexical.replace_video("alice", "v1", DAY)
    with lexical.engine.connect() as conn:
        if lexical.dialect == "sqlite":
            assert (
                conn.execute(
                    text("SELECT count(*) FROM lexical_fts WHERE lexical_fts MATCH 'tyres'")
                ).scalar()
                == 2
            )
        else:
            conn.execute(text("SET enable_seqscan = off"))
            plan = "\n".join(
                r[0]
                for r in conn.execute(
                    text(
                        "EXPLAIN SELECT pk FROM lexical_chunks c WHERE to_tsvector('english', c.text || ' ' || "
                        "c.speaker_text) @@ websearch_to_tsquery('english', 'tyres')"
                    )
                )
            )
            assert "ix_lexical_chunks_tsv" in plan


def test_speaker_names_are_cached_and_refreshed(lexical):
    now = [0.0]
    index = LexicalIndex(lexical.engine, clock=lambda: now[0])
    index.replace_video("alice", "v1", DAY)
    assert index.speakers("alice") == {"Sam", "Priya"}
    # Another process adds a speaker: seen once the cache expires ...
    other = LexicalIndex(lexical.engine)
    other.replace_video("alice", "v2", [chunk("v2", 0, "hello", speakers=["Lena"])])
    assert index.speakers("alice") == {"Sam", "Priya"}
    now[0] += 61
    assert index.speakers("alice") == {"Sam", "Priya", "Lena"}
    # ... and at once after this index writes the owner's rows.
    index.delete_video("alice", "v2")
    assert index.speakers("alice") == {"Sam", "Priya"}

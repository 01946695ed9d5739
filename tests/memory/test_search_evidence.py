"""A search found by a moment shows that moment (issue 19): the lexical hit that clears the "found" bar on
its own words is among the results even when fusion ranks twenty dense-only hits above it, so the answer
reads it."""

from __future__ import annotations

import datetime as dt

import pytest

from lifestream.core.models import Chunk, ChunkType, SearchResult
from lifestream.core.settings import load_settings
from lifestream.memory.embeddings.local_embedder import OnnxMiniLMEmbedder
from lifestream.memory.search import with_evidence
from lifestream.service import Library

NOW = dt.datetime(2026, 10, 20, 12, 0, tzinfo=dt.UTC)
# Sentences close in meaning to a question about a class and what to bring, sharing none of its rarer words.
NEAR = [
    "Next week we bake a lemon tart, so bring a tart tin to the kitchen.",
    "Please bring your own knife and a cutting board next time.",
    "The cooking school is on Maple Street, next to the bakery.",
    "Tonight the class is making shakshuka with eggs and tomatoes.",
    "Remember to bring a container to take the leftovers home.",
    "The teacher showed us how to chop onions quickly.",
    "We should bring more spices to the next lesson.",
    "Everyone brings one ingredient to share with the group.",
    "The kitchen has aprons for anyone who needs one.",
    "Bring a notebook for the recipes we write down.",
    "The course costs forty dollars for six evenings.",
    "Our teacher Rosa grew up cooking with her grandmother.",
    "Next time bring a bigger pan for the sauce.",
    "The lesson starts at six and ends around eight.",
    "We forgot the lemons, so the tart had to wait.",
    "Bring a friend next week, there are two free places.",
    "The school sells knives and pans at the front desk.",
    "Last week we made fresh pasta and a tomato sauce.",
    "The oven in the kitchen takes a while to heat up.",
    "Everyone washed up together after the lesson.",
    "Bring warm clothes, the kitchen is cold in the evening.",
    "The recipe for the sauce is on the school's website.",
]
_DID = ("baked bread", "made soup", "cooked rice", "fried fish", "grilled vegetables", "made a salad")
# One long chunk of one speaker, several topics: the answer is its last sentence.
LONG = (
    "Bruno, can you chop the onions? The sauce simmers for fifteen minutes, stir it now and then. "
    "Then we add the peppers and the eggs. I wish I had brought an apron."
)


def _chunk(i: int, text: str, start: float, end: float) -> Chunk:
    return Chunk(
        id=Chunk.make_id("class", ChunkType.TRANSCRIPT, i),
        text=text,
        video_id="class",
        chunk_type=ChunkType.TRANSCRIPT,
        start=start,
        end=end,
        recorded_date="2026-10-14",
    )


@pytest.fixture
def library(tmp_path, monkeypatch):
    monkeypatch.setenv("LIFESTREAM_DATA_DIR", str(tmp_path / "data"))
    lib = Library(load_settings(summarizer="extractive"), embedder=OnnxMiniLMEmbedder(), clock=lambda: NOW)
    # More near sentences than the dense channel's pool (24 for six hits), so the long chunk is in none.
    near = NEAR + [f"In the {when} class we {what}." for when in ("first", "second") for what in _DID]
    chunks = [_chunk(i, text, 10.0 * i, 10.0 * i + 5) for i, text in enumerate(near)]
    chunks.append(_chunk(len(near), LONG, 900.0, 920.0))
    lib.index("local").index("class", chunks)
    yield lib
    lib.close()


def test_the_moment_a_search_is_found_by_is_shown_and_answers(library):
    question = "What did I wish I had brought to the class?"
    fused = library.search_page("local", question, top_k=6)
    assert fused.found
    assert any("apron" in h.text for h in fused.hits), [h.text for h in fused.hits]
    answer = library.ask("local", question)
    assert "apron" in answer.text and answer.citations[0].start >= 900.0


def _hit(i: int, supporting: list[SearchResult] = ()) -> SearchResult:
    return SearchResult(
        id=f"h{i}", video_id="v", start=10.0 * i, end=10.0 * i + 5, score=1.0 / (1 + i), text=f"t{i}",
        chunk_type="transcript", supporting=list(supporting),
    )  # fmt: skip


def test_evidence_takes_the_place_of_the_weakest_never_the_best():
    folded = [_hit(i) for i in range(10)]
    assert [h.id for h in with_evidence(folded, 4, [folded[7]])] == ["h0", "h1", "h2", "h7"]
    assert [h.id for h in with_evidence(folded, 4, [folded[2]])] == ["h0", "h1", "h2", "h3"]
    assert [h.id for h in with_evidence(folded, 1, [folded[5]])] == ["h0"]
    # Evidence folded into a moment (as its supporting hit) brings that moment.
    inner = _hit(20)
    folded[8] = _hit(8, [inner])
    assert [h.id for h in with_evidence(folded, 3, [inner])] == ["h0", "h1", "h8"]

"""Search's Found / Related flag judges each moment on its own words. A transcript chunk is embedded with
the sentences beside it as context, so its dense score can come from a neighbour: with 12 s chunks,
"compost" ranked the dentist call said just after the compost sentence above the found threshold, and
search flagged it Found (tests/api/test_days_and_library.py failed on it)."""

from __future__ import annotations

from lifestream.core.models import SearchResult
from lifestream.memory.calibration import Thresholds
from lifestream.memory.embeddings.base import embed_query
from lifestream.memory.search import SearchOutcome

COMPOST = "Action item: We need to buy more compost and a new watering can from the hardware store."
DENTIST = "In the afternoon I called the dentist and booked an appointment for next Tuesday."


def _hit(id_: str, text: str, dense: float) -> SearchResult:
    return SearchResult(
        id=id_, video_id="v", start=0, end=5, score=dense, text=text, chunk_type="transcript",
        channel_scores={"dense": dense},
    )


def _outcome(embedder, hits: list[SearchResult]) -> SearchOutcome:
    return SearchOutcome(
        results=hits,
        found=True,
        mode="dense",
        query="compost",
        thresholds=Thresholds(min_dense=0.37),
        query_vector=embed_query(embedder, ["compost"])[0],
    )


def test_a_moment_whose_score_came_from_its_neighbours_is_only_related(embedder):
    # The dense channel's cosines as the index gave them (text plus context): both over 0.37.
    outcome = _outcome(embedder, [_hit("compost", COMPOST, 0.54), _hit("dentist", DENTIST, 0.47)])
    assert outcome.found_ids(embedder) == {"compost"}


def test_a_folded_moment_that_says_it_makes_its_hit_found(embedder):
    hit = _hit("summary", DENTIST, 0.40).model_copy(update={"supporting": [_hit("item", COMPOST, 0.2)]})
    assert _outcome(embedder, [hit]).found_ids(embedder) == {"summary"}


def test_nothing_is_found_when_the_search_found_nothing(embedder):
    outcome = _outcome(embedder, [_hit("compost", COMPOST, 0.54)])
    outcome.found = False
    assert outcome.found_ids(embedder) == set()

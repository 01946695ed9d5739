"""Reciprocal rank fusion and folding hits of the same moment (overlaps in one video, copied videos)."""

from __future__ import annotations

import pytest

from lifestream.core.models import SearchResult
from lifestream.memory.fusion import boost_speakers, fold_moments, reciprocal_rank_fusion


def hit(id_: str, score: float, start: float, end: float, *, video="v1", text=None, speakers=()):
    return SearchResult(
        id=id_,
        video_id=video,
        start=start,
        end=end,
        score=score,
        text=text or id_,
        chunk_type="summary" if end - start > 25 else "transcript",
        speakers=list(speakers),
    )


def test_rrf_rewards_agreement_and_keeps_each_channels_score():
    dense = [hit("a", 0.9, 0, 5), hit("b", 0.8, 10, 15), hit("c", 0.7, 20, 25)]
    lexical = [hit("c", 7.0, 20, 25), hit("d", 5.0, 30, 35)]
    fused = reciprocal_rank_fusion({"dense": dense, "lexical": lexical}, {"dense": 1.0, "lexical": 1.0}, k=60)
    assert [r.id for r in fused] == ["c", "a", "b", "d"]
    assert fused[0].score == pytest.approx(1 / 63 + 1 / 61)
    assert fused[0].channel_scores == {"dense": 0.7, "lexical": 7.0}
    assert fused[1].channel_scores == {"dense": 0.9}
    # A zero weight silences a channel; its hits stay, last.
    quiet = reciprocal_rank_fusion({"dense": dense, "lexical": lexical}, {"dense": 1.0, "lexical": 0.0}, k=60)
    assert [r.id for r in quiet] == ["a", "b", "c", "d"]


def test_overlapping_hits_of_one_video_fold_into_the_best_with_the_others_supporting():
    ranked = [
        hit("t1", 0.9, 10, 20),
        hit("t2", 0.8, 15, 24),
        hit("other", 0.7, 40, 50),
        hit("t3", 0.6, 5, 11),
    ]
    out = fold_moments(ranked)
    assert [r.id for r in out] == ["t1", "other"]
    assert [s.id for s in out[0].supporting] == ["t2", "t3"]
    assert out[1].supporting == []


def test_the_same_span_in_another_video_is_not_folded_unless_it_is_a_copy():
    ranked = [hit("a", 0.9, 10, 20, video="v1"), hit("b", 0.8, 10, 20, video="v2", text="different words")]
    assert [r.id for r in fold_moments(ranked)] == ["a", "b"]
    # A copied file: same words over the same span, another video id.
    copy = [
        hit("a", 0.9, 10, 20, video="v1", text="buy compost"),
        hit("b", 0.8, 10, 20, video="v1-copy", text="buy compost"),
    ]
    out = fold_moments(copy)
    assert [r.id for r in out] == ["a"] and [s.video_id for s in out[0].supporting] == ["v1-copy"]
    # ... and the copy's other moments fold into the original's too.
    more = [*copy, hit("c", 0.5, 12, 18, video="v1-copy", text="watering can")]
    assert [r.id for r in fold_moments(more)] == ["a"]


def test_a_summary_never_swallows_the_moments_it_spans():
    """The issue's demo: one sentence as summary, action item and transcript chunk — one hit, the precise
    span cited, at the best score of the three."""
    ranked = [
        hit("summary", 0.21, 0, 180),
        hit("action", 0.14, 60, 68),
        hit("transcript", 0.09, 58, 70),
        hit("later", 0.05, 120, 130),
    ]
    out = fold_moments(ranked)
    assert [r.id for r in out] == ["action", "later"]
    assert out[0].score == 0.21 and (out[0].start, out[0].end) == (60, 68)
    assert {s.id for s in out[0].supporting} == {"summary", "transcript"}
    # A summary with no precise hit inside it stays a hit of its own.
    assert [r.id for r in fold_moments([hit("summary", 0.3, 0, 180), hit("x", 0.2, 0, 5, video="v2")])] == [
        "summary",
        "x",
    ]


def test_speaker_boost_lifts_only_that_speakers_chunks():
    ranked = [hit("a", 0.03, 0, 5), hit("b", 0.02, 10, 15, speakers=["Priya"]), hit("c", 0.01, 20, 25)]
    lifted = boost_speakers(ranked, ["priya"], 1.0, k=60)
    assert [r.id for r in lifted] == ["b", "a", "c"]
    assert boost_speakers(ranked, [], 1.0) == ranked

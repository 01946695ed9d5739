"""Reciprocal rank fusion of the search channels, and folding hits that point at the same moment.

RRF (Cormack et al., 2009) adds weight / (k + rank) over the channels a chunk appears in: it needs no score
normalisation across channels whose scores are not comparable (cosine vs bm25). The weights and k are
tuned on bench/retrieval (`python -m bench.retrieval.run --sweep`), not guessed.

Folding: people want the moment, once. Hits whose time ranges overlap in one video fold into the best of
them; so do copies (the same words over the same span in another video: a copied file). A wide chunk (a
summary over the whole video) never swallows the moments inside it: it folds into the best precise hit it
overlaps, which then carries the group's best score, so the citation is the precise span.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lifestream.core.constants import MOMENT_SECONDS
from lifestream.core.models import SearchResult


@dataclass(frozen=True)
class FusionWeights:
    dense: float = 1.0
    lexical: float = 1.0
    # The weight of the "speaker" channel (a speaker named in the query: their best chunks); in a single-
    # channel search, how far their chunks are lifted (see search._unit).
    speaker: float = 0.5
    k: float = 60.0


def reciprocal_rank_fusion(
    channels: Mapping[str, Sequence[SearchResult]],
    weights: Mapping[str, float],
    *,
    k: float = 60.0,
) -> list[SearchResult]:
    """One ranked list from several: score = sum of weight / (k + rank) (rank from 1); each result keeps
    every channel's own score in `channel_scores`."""
    fused: dict[str, SearchResult] = {}
    totals: dict[str, float] = {}
    for channel, results in channels.items():
        weight = float(weights.get(channel, 0.0))
        for rank, result in enumerate(results, start=1):
            held = fused.get(result.id)
            if held is None:
                held = fused[result.id] = result.model_copy(
                    update={"channel_scores": dict(result.channel_scores)}
                )
                totals[result.id] = 0.0
            held.channel_scores[channel] = result.score
            totals[result.id] += weight / (k + rank)
    ranked = sorted(fused.values(), key=lambda r: totals[r.id], reverse=True)
    return [r.model_copy(update={"score": totals[r.id]}) for r in ranked]


def boost_speakers(results: Sequence[SearchResult], names: Sequence[str], weight: float, *, k: float = 60.0):
    """Lift the chunks where one of `names` speaks by a rank-1 contribution times `weight`, re-sorted."""
    if not names or weight <= 0:
        return list(results)
    wanted = {n.casefold() for n in names}
    bonus = weight / (k + 1)
    lifted = [
        r.model_copy(update={"score": r.score + bonus}) if wanted & {s.casefold() for s in r.speakers} else r
        for r in results
    ]
    return sorted(lifted, key=lambda r: r.score, reverse=True)


def _precise(r: SearchResult) -> bool:
    return r.end - r.start <= MOMENT_SECONDS


def _overlap(a: SearchResult, b: SearchResult) -> bool:
    return a.start < b.end and b.start < a.end or (a.start == b.start and a.end == b.end)


def moment_key(r: SearchResult) -> tuple[str, float, float]:
    """The same words over the same span (a copied video's chunk has the same key)."""
    return (" ".join(r.text.split()).casefold(), round(r.start, 1), round(r.end, 1))


def fold_moments(results: Sequence[SearchResult]) -> list[SearchResult]:
    """Fold hits of the same moment (see the module docstring); `results` best first, as are the kept.
    Each kept hit lists the folded ones, best first, in `supporting`."""
    kept: list[SearchResult] = []
    folded: dict[int, list[SearchResult]] = {}
    # Copies of a video: chunks with identical words over identical spans tie their videos together.
    by_content: dict[tuple[str, float, float], str] = {}
    alias: dict[str, str] = {}
    for r in results:
        first = by_content.setdefault(moment_key(r), r.video_id)
        if first != r.video_id:
            alias.setdefault(r.video_id, alias.get(first, first))

    def video(r: SearchResult) -> str:
        return alias.get(r.video_id, r.video_id)

    def home(r: SearchResult) -> int | None:
        for i, k in enumerate(kept):
            if video(k) == video(r) and (_overlap(k, r) or moment_key(k) == moment_key(r)):
                return i
        return None

    # Precise hits first, so that a wide one finds the moment it overlaps already kept.
    for r in [r for r in results if _precise(r)] + [r for r in results if not _precise(r)]:
        i = home(r)
        if i is None:
            kept.append(r)
            folded[len(kept) - 1] = []
        else:
            folded[i].append(r)
    out = []
    for i, k in enumerate(kept):
        group = folded[i]
        best = max([k.score, *(g.score for g in group)])
        out.append(k.model_copy(update={"score": best, "supporting": sorted(group, key=lambda g: -g.score)}))
    out.sort(key=lambda r: r.score, reverse=True)
    return out

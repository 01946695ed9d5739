"""The five search filters as one typed value, and the search modes, checked once where a request comes in.

Every channel reads the same `SearchFilters`: the vector stores as a metadata filter expression (Pinecone's
operators, which FAISS evaluates too), the lexical index as SQL conditions. Days are compared as numbers
(`recorded_day`, 20261124) because Pinecone's range operators take numbers only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict

from lifestream.core.errors import UnsupportedFilterError
from lifestream.core.models import ChunkType

# Which channels answer: meaning (vectors), words (full text), or both fused.
SearchMode = Literal["dense", "lexical", "hybrid"]
MODES: tuple[SearchMode, ...] = get_args(SearchMode)
DEFAULT_MODE: SearchMode = "hybrid"


def recorded_day(date: str | None) -> int | None:
    """'2026-11-24' -> 20261124."""
    if not date:
        return None
    return int(date.replace("-", ""))


class SearchFilters(BaseModel):
    """Recorded on or after `date_from` and on or before `date_to` (local dates), in one video, said by one
    speaker, of one chunk type; None means any. `speakers_any` (search's own, never a person's input): said
    by at least one of these speakers, one `$in` for all the names a query says."""

    model_config = ConfigDict(frozen=True)

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    video_id: str | None = None
    speaker: str | None = None
    chunk_type: ChunkType | None = None
    speakers_any: tuple[str, ...] = ()

    @classmethod
    def parse(
        cls,
        *,
        date_from: str | None = None,
        date_to: str | None = None,
        video_id: str | None = None,
        speaker: str | None = None,
        chunk_type: str | None = None,
    ) -> SearchFilters:
        """The filters from what a person typed; `UnsupportedFilterError` names what is wrong."""
        low, high = _date(date_from, "date_from"), _date(date_to, "date_to")
        if low is not None and high is not None and low > high:
            raise UnsupportedFilterError(
                f"date_from {date_from} is after date_to {date_to}", field="date_from"
            )
        kind = None
        if chunk_type:
            try:
                kind = ChunkType(chunk_type)
            except ValueError:
                allowed = ", ".join(t.value for t in ChunkType)
                raise UnsupportedFilterError(
                    f"chunk type must be one of {allowed}, got {chunk_type!r}",
                    field="chunk_type",
                ) from None
        return cls(date_from=low, date_to=high, video_id=video_id or None, speaker=speaker or None, chunk_type=kind)

    def with_dates(self, date_from: str | None, date_to: str | None) -> SearchFilters:
        return SearchFilters.parse(
            date_from=date_from,
            date_to=date_to,
            video_id=self.video_id,
            speaker=self.speaker,
            chunk_type=self.chunk_type.value if self.chunk_type else None,
        )

    def with_speaker(self, speaker: str) -> SearchFilters:
        return self.model_copy(update={"speaker": speaker})

    def with_any_speaker(self, speakers: list[str]) -> SearchFilters:
        return self.model_copy(update={"speakers_any": tuple(speakers)})

    @property
    def has_dates(self) -> bool:
        return self.date_from is not None or self.date_to is not None

    @property
    def day_from(self) -> int | None:
        return recorded_day(self.date_from.isoformat()) if self.date_from else None

    @property
    def day_to(self) -> int | None:
        return recorded_day(self.date_to.isoformat()) if self.date_to else None

    def vector_filter(self) -> dict[str, Any] | None:
        """The metadata filter expression of the vector stores, or None for no filter."""
        clauses: list[dict[str, Any]] = []
        day: dict[str, int] = {}
        if self.day_from is not None:
            day["$gte"] = self.day_from
        if self.day_to is not None:
            day["$lte"] = self.day_to
        if day:
            clauses.append({"recorded_day": day})
        if self.video_id:
            clauses.append({"video_id": {"$eq": self.video_id}})
        if self.speaker:
            clauses.append({"speakers": {"$in": [self.speaker]}})
        if self.speakers_any:
            clauses.append({"speakers": {"$in": list(self.speakers_any)}})
        if self.chunk_type:
            clauses.append({"chunk_type": {"$eq": self.chunk_type.value}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


NO_FILTERS = SearchFilters()


def _date(value: str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise UnsupportedFilterError(
            f"{name} must be a date like 2026-11-24, got {value!r}", field=name
        ) from None

"""Search and ask over one owner's index. Filters arrive as `SearchFilters`, checked at the edge by
`parse_filters`, so bad input is refused (naming the field) before any model runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from lifestream.core.errors import RequestError, UnsupportedFilterError
from lifestream.memory.search import check_mode
from lifestream.memory.search_filters import NO_FILTERS, SearchFilters
from lifestream.service.base import LibraryBase
from lifestream.service.models import AnswerView, CitationView, SearchHit, SearchPage

MAX_QUERY_CHARS = 2000


def parse_filters(**raw: str | None) -> SearchFilters:
    """The filters a request names (`SearchFilters.parse`'s keywords), or `RequestError` naming the field
    at fault."""
    with _refused_as_request():
        return SearchFilters.parse(**raw)


@contextmanager
def _refused_as_request() -> Iterator[None]:
    """A filter, mode or top_k the memory layer refuses, as a `RequestError` naming that field."""
    try:
        yield
    except UnsupportedFilterError as exc:
        raise RequestError(exc.field, str(exc)) from None


class Asking(LibraryBase):
    def search(self, owner: str, query: str, **options: Any) -> list[SearchHit]:
        """The hits of `search_page` (same options)."""
        return self.search_page(owner, query, **options).hits

    def search_page(
        self,
        owner: str,
        query: str,
        *,
        filters: SearchFilters = NO_FILTERS,
        top_k: int = 5,
        min_score: float | None = None,
        mode: str = "hybrid",
    ) -> SearchPage:
        """Hybrid (or dense / lexical) search with dates said in the query read as a filter in the
        user's time zone; the page says how the query was understood."""
        outcome = self._search(owner, query, "q", filters=filters, top_k=top_k, min_score=min_score, mode=mode)
        dates = outcome.dates
        found = outcome.found_ids(self.embedder)
        return SearchPage(
            # Each moment found or only related, by the thresholds that decide `found` (and ask) itself.
            hits=[_hit(r, r.id in found) for r in outcome.results],
            found=outcome.found,
            mode=outcome.mode,
            query=outcome.query,
            date_from=dates.date_from if dates and not dates.relaxed else None,
            date_to=dates.date_to if dates and not dates.relaxed else None,
            searching=dates.label if dates else None,
            speakers=outcome.boosted_speakers,
        )

    def _search(self, owner: str, query: str, field: str, **options: Any):
        _check_query(query, field)
        with _refused_as_request():
            return self.index(owner).search(query, timezone=self.settings.timezone, now=self.clock(), **options)

    def ask(self, owner: str, question: str, *, top_k: int = 6, mode: str = "hybrid") -> AnswerView:
        from lifestream.memory.answers import NOT_FOUND, answer_from, evidence
        from lifestream.service.day_answers import answer_about_day

        _check_query(question, "question")
        with _refused_as_request():
            check_mode(mode)
        # "Who did I talk to yesterday?": the day's diaries answer it (search ranks words, and such a
        # question shares none with what was said). `day` is the library's (`Videos.day`), owner-scoped.
        about_day = answer_about_day(
            question,
            lambda date: self.day(owner, date).videos,
            timezone=self.settings.timezone,
            now=self.clock(),
        )
        if about_day is not None:
            return about_day
        outcome = self._search(owner, question, "question", top_k=top_k, mode=mode)
        searching = outcome.dates.label if outcome.dates else None
        # The calibrated decision of search: below the index's thresholds nothing retrieved answers it.
        if not outcome.found:
            return AnswerView(text=NOT_FOUND, grounded=False, citations=[], searching=searching)
        results = outcome.results
        answer = answer_from(question, results, self.settings, embedder=self.embedder)
        quotes = {(r.video_id, r.start, r.end): r.text for r in evidence(results)}
        return AnswerView(
            text=answer.text,
            grounded=answer.grounded,
            searching=searching,
            citations=[
                CitationView(
                    video_id=c.video_id,
                    start=c.start,
                    end=c.end,
                    quote=c.quote or quotes.get((c.video_id, c.start, c.end), ""),
                    label=c.label,
                )
                for c in answer.citations
            ],
        )

    def has_memory(self, owner: str) -> bool:
        return self.index(owner).count() > 0


def _check_query(text: str, field: str) -> None:
    if not text or not text.strip():
        raise RequestError(field, "is empty")
    if len(text) > MAX_QUERY_CHARS or "\x00" in text:
        raise RequestError(field, f"must be at most {MAX_QUERY_CHARS} characters without NUL")


def _hit(result: Any, found: bool = False) -> SearchHit:
    return SearchHit.model_validate(
        {
            **result.model_dump(exclude={"supporting"}),
            "found": found,
            "supporting": [_hit(r, found) for r in result.supporting],
        }
    )

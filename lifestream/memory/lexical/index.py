"""Full-text search over the indexed chunks, in the job-store database both environments already run.

SQLite (local): the FTS5 table of migration 0004, ranked by bm25(). PostgreSQL (RDS): the GIN index over
to_tsvector('english', text || ' ' || speaker_text), ranked by ts_rank_cd. The speakers' names are
indexed with the words, so "what did Marco say" finds Marco's turns. Rows are owned: every read and write names its owner,
so one user's words never rank another's chunks. A video's rows are replaced in one transaction, so
re-indexing is idempotent and a reader never sees half a video.

Query words are OR-ed (after stop words are dropped): people ask in sentences, and an AND of every word of
"what did Priya say about the dentist" matches nothing. Ranking does the rest.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, text

from lifestream.core.errors import UnsupportedFilterError
from lifestream.core.models import Chunk, ChunkType, SearchResult
from lifestream.core.text import STOPWORDS, is_label
from lifestream.jobs.engine import translate_errors
from lifestream.jobs.schema import LexicalChunk
from lifestream.memory.search_filters import NO_FILTERS, SearchFilters, recorded_day

# The expression of the GIN index of migration 0004: a query must repeat it exactly to use the index.
_TSV = "to_tsvector('english', c.text || ' ' || c.speaker_text)"
_TERM = re.compile(r"[A-Za-z0-9]+")
MAX_TERMS = 32
# Speaker names per owner are read at most this often per process (every query looks for them; the scan
# grows with the library). A name added by another process is boosted at most this late.
SPEAKERS_TTL_SECONDS = 60.0
_cache: dict[str, LexicalIndex] = {}
_cache_lock = threading.Lock()


def query_terms(query: str) -> list[str]:
    """The words of `query` worth matching: lower case, no stop words, each once, at most MAX_TERMS."""
    terms: list[str] = []
    for term in _TERM.findall(query.lower()):
        if term in STOPWORDS or (len(term) < 2 and not term.isdigit()) or term in terms:
            continue
        terms.append(term)
    return terms[:MAX_TERMS]


class LexicalIndex:
    def __init__(self, engine: Engine, *, clock=time.monotonic) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._clock = clock
        self._speakers: dict[str, tuple[float, set[str]]] = {}

    @classmethod
    def from_settings(cls, settings) -> LexicalIndex:
        """The index in the configured job store (one per database per process: it shares its pool)."""
        key = f"{settings.resolved_database_url}|{settings.database_secret or ''}"
        with _cache_lock:
            found = _cache.get(key)
            if found is None:
                from lifestream.jobs import JobStore

                found = _cache[key] = cls(JobStore.from_settings(settings).engine)
            return found

    # --- writing ---------------------------------------------------------------------------------------
    def replace_video(self, owner: str, video_id: str, chunks: Sequence[Chunk]) -> int:
        """Make `chunks` the owner's rows for `video_id` (the old ones go in the same transaction)."""
        rows = [
            {
                "owner": owner,
                "video_id": video_id,
                "chunk_id": c.id,
                "chunk_type": ChunkType(c.chunk_type).value,
                "start": float(c.start),
                "end": float(c.end),
                "recorded_date": c.recorded_date,
                "recorded_day": recorded_day(c.recorded_date),
                "speakers": list(c.speakers),
                "text": c.text,
                # Names only: a placeholder ("Speaker 2") would match every question about speakers.
                "speaker_text": " ".join(s for s in c.speakers if not is_label(s)),
            }
            for c in chunks
            if c.text.strip()
        ]
        with translate_errors(self.engine), self.engine.begin() as conn:
            conn.execute(delete(LexicalChunk).where(_mine(owner), LexicalChunk.video_id == video_id))
            if rows:
                conn.execute(insert(LexicalChunk), rows)
        self._speakers.pop(owner, None)
        return len(rows)

    def delete_video(self, owner: str, video_id: str) -> int:
        with translate_errors(self.engine), self.engine.begin() as conn:
            result = conn.execute(delete(LexicalChunk).where(_mine(owner), LexicalChunk.video_id == video_id))
        self._speakers.pop(owner, None)
        return result.rowcount or 0

    # --- reading ---------------------------------------------------------------------------------------
    def count(self, owner: str, video_id: str | None = None) -> int:
        stmt = select(func.count()).select_from(LexicalChunk).where(_mine(owner))
        if video_id is not None:
            stmt = stmt.where(LexicalChunk.video_id == video_id)
        with translate_errors(self.engine), self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def speakers(self, owner: str) -> set[str]:
        """Every speaker name in the owner's chunks (for spotting a name in a query); cached for
        SPEAKERS_TTL_SECONDS, and dropped when this index writes the owner's rows."""
        held = self._speakers.get(owner)
        if held is not None and self._clock() - held[0] < SPEAKERS_TTL_SECONDS:
            return held[1]
        with translate_errors(self.engine), self.engine.connect() as conn:
            lists = conn.execute(select(LexicalChunk.speakers).where(_mine(owner)).distinct()).scalars()
            names = {name for names in lists for name in (names or []) if name}
        self._speakers[owner] = (self._clock(), names)
        return names

    def search(
        self,
        owner: str,
        query: str,
        *,
        top_k: int = 5,
        filters: SearchFilters = NO_FILTERS,
    ) -> list[SearchResult]:
        """The owner's chunks that share words with `query`, best first; the score is the engine's rank
        (bm25 negated on SQLite, ts_rank_cd on PostgreSQL: higher is better on both)."""
        if top_k < 1:
            raise UnsupportedFilterError(f"top_k must be at least 1, got {top_k}", field="top_k")
        terms = query_terms(query)
        if not terms:
            return []
        where, params = ["c.owner = :owner"], {"owner": owner, "k": top_k}
        if filters.day_from is not None:
            where.append("c.recorded_day >= :day_from")
            params["day_from"] = filters.day_from
        if filters.day_to is not None:
            where.append("c.recorded_day <= :day_to")
            params["day_to"] = filters.day_to
        if filters.video_id:
            where.append("c.video_id = :video_id")
            params["video_id"] = filters.video_id
        if filters.chunk_type:
            where.append("c.chunk_type = :chunk_type")
            params["chunk_type"] = filters.chunk_type.value
        speaker = filters.speaker
        columns = (
            'c.chunk_id, c.video_id, c.chunk_type, c.start, c."end", c.recorded_date, c.speakers, c.text'
        )
        names = {f"sp{i}": name for i, name in enumerate(filters.speakers_any)}
        params.update(names)
        if self.dialect == "sqlite":
            if speaker:
                where.append("EXISTS (SELECT 1 FROM json_each(c.speakers) WHERE json_each.value = :speaker)")
                params["speaker"] = speaker
            if names:
                listed = ", ".join(f":{n}" for n in names)
                where.append(
                    f"EXISTS (SELECT 1 FROM json_each(c.speakers) WHERE json_each.value IN ({listed}))"
                )
            # Each term quoted: FTS5 query syntax never sees the user's punctuation.
            params["match"] = " OR ".join(f'"{t}"' for t in terms)
            sql = (
                f"SELECT {columns}, -bm25(lexical_fts) AS score FROM lexical_fts "
                "JOIN lexical_chunks c ON c.pk = lexical_fts.rowid "
                f"WHERE lexical_fts MATCH :match AND {' AND '.join(where)} ORDER BY score DESC LIMIT :k"
            )
        else:
            if speaker:
                where.append("c.speakers @> CAST(:speaker AS jsonb)")
                params["speaker"] = json.dumps([speaker])
            if names:
                listed = ", ".join(f":{n}" for n in names)
                where.append(
                    f"EXISTS (SELECT 1 FROM jsonb_array_elements_text(c.speakers) AS s(name) "
                    f"WHERE s.name IN ({listed}))"
                )
            # websearch_to_tsquery never raises on user text; " or " between the terms makes them OR-ed.
            params["q"] = " or ".join(terms)
            sql = (
                f"SELECT {columns}, ts_rank_cd({_TSV}, q, 1) AS score "
                "FROM lexical_chunks c, websearch_to_tsquery('english', :q) q "
                f"WHERE {_TSV} @@ q AND {' AND '.join(where)} "
                "ORDER BY score DESC, c.pk LIMIT :k"
            )
        with translate_errors(self.engine), self.engine.connect() as conn:
            rows = conn.execute(text(sql), params).mappings().all()
        return [_result(row) for row in rows]


def _mine(owner: str):
    return LexicalChunk.owner == owner


def _result(row: Any) -> SearchResult:
    speakers = row["speakers"]
    if isinstance(speakers, str):
        speakers = json.loads(speakers)
    return SearchResult(
        id=row["chunk_id"],
        video_id=row["video_id"],
        start=float(row["start"]),
        end=float(row["end"]),
        score=float(row["score"]),
        text=row["text"],
        chunk_type=row["chunk_type"],
        recorded_date=row["recorded_date"],
        speakers=list(speakers or []),
    )

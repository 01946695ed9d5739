"""Stage 10: answers to questions about your videos, every claim cited as [video, HH:MM:SS–HH:MM:SS].

Retrieval goes through `lifestream.memory.search.search` (hybrid by default), whose calibrated `found`
flag is the "not found" decision. With OpenAI the chat model answers from the
numbered sources only, as structured output whose every sentence names its sources; sentences without a
valid source are dropped, so nothing uncited reaches the user. Offline the answer is extractive: the
retrieved sentences that share the most words with the question, each with its citation. When nothing
relevant is retrieved the answer says so instead of guessing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from lifestream.core.models import SearchResult
from lifestream.core.settings import Settings
from lifestream.core.text import words
from lifestream.core.timefmt import span_label

if TYPE_CHECKING:
    from lifestream.memory.embeddings import Embedder
    from lifestream.memory.lexical import LexicalIndex
    from lifestream.memory.vectors import VectorStore

# Cosine below which a chunk was unrelated before calibration (memory/calibration.json decides now; kept
# for callers that pass it as min_score).
MIN_RELEVANCE = 0.25
NOT_FOUND = "Not in your videos: nothing I retrieved answers that question."
MAX_OFFLINE_SENTENCES = 3
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")


class Citation(BaseModel):
    video_id: str
    start: float
    end: float
    label: str


class Answer(BaseModel):
    text: str
    citations: list[Citation] = Field(default_factory=list)
    grounded: bool


class AnswerSentence(BaseModel):
    text: str
    sources: list[int] = Field(description="Numbers of the sources that support this sentence")


class AnswerDraft(BaseModel):
    found: bool = Field(description="False when the sources do not answer the question")
    sentences: list[AnswerSentence]


SYSTEM_PROMPT = (
    "Answer questions about the user's own videos using ONLY the numbered sources given. Every sentence must "
    "list the numbers of the sources that support it. If the sources do not answer the question, set found "
    "to false and return no sentences. Do not add facts that are not in the sources."
)


def cite(result: SearchResult) -> Citation:
    return Citation(
        video_id=result.video_id,
        start=result.start,
        end=result.end,
        label=span_label(result.video_id, result.start, result.end),
    )


def _unique(citations: list[Citation]) -> list[Citation]:
    seen, out = set(), []
    for c in citations:
        if c.label not in seen:
            seen.add(c.label)
            out.append(c)
    return out


def extractive_answer(question: str, results: list[SearchResult]) -> Answer:
    asked = set(words(question))
    scored: list[tuple[int, float, int, str, SearchResult]] = []
    for rank, result in enumerate(results):
        text = result.text.removeprefix("Action item: ")
        for sentence in _SENTENCE_SPLIT.split(text):
            sentence = sentence.strip()
            if not sentence:
                continue
            overlap = len(asked & set(words(sentence)))
            scored.append((overlap, result.score, -rank, sentence, result))
    # Word overlap with the question first, then retrieval score and order.
    scored.sort(key=lambda item: item[:3], reverse=True)
    if scored and scored[0][0] > 0:
        scored = [item for item in scored if item[0] > 0]
    picked: list[tuple[str, SearchResult]] = []
    seen: set[str] = set()
    for *_, sentence, result in scored:
        if sentence.lower() in seen:
            continue
        seen.add(sentence.lower())
        picked.append((sentence, result))
        if len(picked) == MAX_OFFLINE_SENTENCES:
            break
    lines = [f"- {sentence} {cite(result).label}" for sentence, result in picked]
    return Answer(
        text="From your videos:\n" + "\n".join(lines),
        citations=_unique([cite(r) for _, r in picked]),
        grounded=True,
    )


def openai_answer(question: str, results: list[SearchResult], settings: Settings, client=None) -> Answer:
    from lifestream.core.llm import call_openai, openai_client

    client = client or openai_client(settings)
    sources = "\n".join(
        f"[{i}] {span_label(r.video_id, r.start, r.end)} ({r.chunk_type}, recorded {r.recorded_date or 'unknown'}): "
        f"{r.text}"
        for i, r in enumerate(results, start=1)
    )
    completion = call_openai(
        "answer",
        lambda: client.chat.completions.parse(
            model=settings.openai_chat_model,
            messages=[
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": f"Sources:\n{sources}\n\nQuestion: {question}"},
            ],
            response_format=AnswerDraft,
            temperature=0,
        ),
    )
    draft = completion.choices[0].message.parsed
    if draft is None or not draft.found:
        return Answer(text=NOT_FOUND, citations=[], grounded=False)
    lines, citations = [], []
    for sentence in draft.sentences:
        refs = [results[n - 1] for n in dict.fromkeys(sentence.sources) if 1 <= n <= len(results)]
        if not refs or not sentence.text.strip():
            continue  # an uncited claim is not shown
        cs = [cite(r) for r in refs]
        citations += cs
        lines.append(f"{sentence.text.strip()} {' '.join(c.label for c in cs)}")
    if not lines:
        return Answer(text=NOT_FOUND, citations=[], grounded=False)
    return Answer(text="\n".join(lines), citations=_unique(citations), grounded=True)


def ask(
    question: str,
    *,
    settings: Settings,
    store: VectorStore,
    embedder: Embedder,
    top_k: int = 6,
    min_score: float | None = None,
    openai_client=None,
    lexical: LexicalIndex | None = None,
    mode: str = "hybrid",
) -> Answer:
    """Answer from the hits of `lifestream.memory.search.search` (fused, folded, ranked); its calibrated
    `found` decides "not in your videos". The lexical index defaults to the configured job store's."""
    from lifestream.memory.search import search

    question = question.strip()
    if not question:
        from lifestream.core.errors import LifeStreamError

        raise LifeStreamError("ask needs a question")
    if lexical is None and mode != "dense":
        from lifestream.memory.lexical import LexicalIndex

        lexical = LexicalIndex.from_settings(settings)
    outcome = search(
        question,
        store=store,
        embedder=embedder,
        lexical=lexical,
        mode=mode,
        top_k=top_k,
        min_score=min_score,
        timezone=settings.timezone,
    )
    results = outcome.results
    if not outcome.found or not results:
        return Answer(text=NOT_FOUND, citations=[], grounded=False)
    use_openai = settings.summarizer != "extractive" and settings.has_openai
    if use_openai:
        return openai_answer(question, results, settings, client=openai_client)
    return extractive_answer(question, results)

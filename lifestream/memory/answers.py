"""Answers to questions about your videos, every claim cited as [video, HH:MM:SS–HH:MM:SS].

Design note: a model (OpenAI, or the local one) writes from numbered excerpts as structured output whose
every sentence names its excerpt numbers, and we attach the citations from those numbers, since small
models do not cite reliably: a sentence without a valid excerpt is dropped, so nothing uncited reaches
the user. Without a model the answer is extractive. A citation is the moment itself (at most
`MOMENT_SECONDS` around the sentence it supports). Whether anything answers at all is search's
calibrated `found`, decided before any answerer runs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from lifestream.core.constants import MOMENT_SECONDS
from lifestream.core.models import SearchResult
from lifestream.core.settings import Settings
from lifestream.core.text import SENTENCE_END, is_label, stem, words
from lifestream.core.timefmt import span_label
from lifestream.memory import answer_kinds
from lifestream.memory.embeddings.base import as_lists, cosine, embed_query

if TYPE_CHECKING:
    from lifestream.core.local_llm import LocalLLM
    from lifestream.memory.video_index import VideoIndex

log = logging.getLogger(__name__)

NOT_FOUND = "Not in your videos: nothing I retrieved answers that question."
MAX_OFFLINE_SENTENCES = 3
MAX_EXCERPT_CHARS = (
    700  # per excerpt shown to the local model: six of them fit its context with room to answer
)


class Citation(BaseModel):
    video_id: str
    start: float
    end: float
    label: str
    quote: str = ""  # the excerpt's words at that moment


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


def _best_sentence(text: str, claim: str) -> tuple[int, str]:
    """Where in `text` the sentence that best matches `claim` starts, and that sentence."""
    wanted = set(words(claim))
    best = (-1.0, 0, text)
    offset = 0
    for sentence in SENTENCE_END.split(text):
        at = text.find(sentence, offset)
        offset = at + len(sentence)
        got = set(words(sentence))
        score = len(wanted & got) / (len(wanted | got) or 1)
        if sentence.strip() and score > best[0]:
            best = (score, at, sentence)
    return best[1], best[2]


def moment(result: SearchResult, claim: str | None = None) -> tuple[float, float, str]:
    """(start, end, quote): the excerpt's own span, or for a long excerpt the ≤ 25 s around the sentence
    that supports `claim` (its place in the text mapped onto the span; chunks carry no word times)."""
    span = result.end - result.start
    text = result.text
    if span <= MOMENT_SECONDS or not text:
        return result.start, result.end, text.strip()
    at, sentence = _best_sentence(text, claim or text)
    begin = result.start + span * (at / len(text))
    length = min(MOMENT_SECONDS, max(span * (len(sentence) / len(text)), 1.0))
    begin = max(result.start, min(begin, result.end - length))
    return begin, begin + length, sentence.strip()


def cite(result: SearchResult, claim: str | None = None) -> Citation:
    start, end, quote = moment(result, claim)
    return Citation(
        video_id=result.video_id,
        start=start,
        end=end,
        label=span_label(result.video_id, start, end),
        quote=quote,
    )


def _unique(citations: list[Citation]) -> list[Citation]:
    seen, out = set(), []
    for c in citations:
        if c.label not in seen:
            seen.add(c.label)
            out.append(c)
    return out


# "Speaker 2: …" / "Maya: …": the voice a transcript chunk is said in (chunking.py writes it so).
_VOICE = re.compile(r"^(?P<who>[^:\n]{1,60}):\s+")
_OWNER = re.compile(r"\s*\(owner: [^)]*\)\s*$")
# Words every question has: they say what kind of answer is wanted, not what it is about.
_QUESTION_WORDS = frozenset("who whom whose what which when where why how many much often long".split())
# A sentence is quoted beside the best one only when it scores at least this share of it.
KEEP_SHARE = 0.8
# Added to a sentence's score when it holds the kind of answer asked for (a day for "when", a number for
# "how many", a place for "where", a name for "who"): about a third of the question's words.
KIND_BONUS = 0.3


def _said(sentence: str, who: str | None) -> set[str]:
    """The words a sentence brings to the question: its own, but not the name it is addressed to ("Hi Uncle
    Omar, …" tells nothing about Omar), and the name of the voice that said it ("I'm calling from Lisbon",
    said by Omar, is about Omar)."""
    own = set(words(sentence)) - answer_kinds.said_to(sentence)
    return {stem(w) for w in own | set(words(who or ""))}


def _within(a: Sequence[str], b: Sequence[str]) -> bool:
    """One word sequence holds the other."""
    short, long = sorted((" ".join(a), " ".join(b)), key=len)
    return bool(short) and f" {short} " in f" {long} "


def _overlap(a: Citation, b: Citation) -> bool:
    return a.video_id == b.video_id and a.start < b.end and b.start < a.end


def _candidates(results: list[SearchResult]) -> list[tuple[str, str | None, int, SearchResult]]:
    """(sentence, the named voice that said it or None, rank, result) for each sentence of the moments."""
    out = []
    for rank, result in enumerate(results):
        text = result.text.removeprefix("Action item: ")
        who = None
        voice = _VOICE.match(text) if result.chunk_type == "transcript" else None
        if voice:
            text = text[voice.end() :]
            who = None if is_label(voice.group("who")) else voice.group("who").strip()
        # A sign or slide is read as one piece: its full stops end abbreviations ("ELEV. 1531 FT"), not
        # sentences.
        pieces = [text] if result.chunk_type == "screen_text" else SENTENCE_END.split(_OWNER.sub("", text))
        for sentence in pieces:
            if sentence.strip():
                out.append((sentence.strip(), who, rank, result))
    return out


def extractive_answer(question: str, results: list[SearchResult], *, embedder=None) -> Answer:
    """The sentences of the retrieved moments that best answer `question`: each scored against it, lexical
    (the share of the question's content words it holds) plus dense (the cosine of the embedder's vectors,
    when one is given), with a small prior for the moment's rank. Each is quoted once (the same words at an
    overlapping moment are one quote), under the name of its voice when the voice is named."""
    candidates = _candidates(results)
    if not candidates:
        return Answer(text=NOT_FOUND, citations=[], grounded=False)
    asked = {stem(w) for w in words(question) if w not in _QUESTION_WORDS} or {stem(w) for w in words(question)}
    lexical = [
        len(asked & (_said(c[0], c[1]) | answer_kinds.measured(question, c[0]))) / (len(asked) or 1)
        for c in candidates
    ]
    dense = [0.0] * len(candidates)
    if embedder is not None:
        # Plain Python: a few dozen sentences, and the API's asset has no numpy.
        query = as_lists(embed_query(embedder, [question]))[0]
        vectors = as_lists(embedder.embed([c[0] for c in candidates]))
        dense = [cosine(vector, query) for vector in vectors]
    topical = [lex + den for lex, den in zip(lexical, dense, strict=True)]
    # Asked who asked something, the question itself answers, not its reply.
    replies = {} if answer_kinds.about_asking(question) else answer_kinds.replies(candidates)
    for asked_at, reply in replies.items():
        topical[reply] += answer_kinds.REPLY_SHARE * topical[asked_at]
    base = [
        answer_kinds.as_evidence(t, c[0], question=question) for t, c in zip(topical, candidates, strict=True)
    ]
    wanted = answer_kinds.kind(question)
    holding = [answer_kinds.holds(wanted, c[0], speaker=c[1], question=question) for c in candidates]
    base = [b + KIND_BONUS * h for b, h in zip(base, holding, strict=True)]
    if answer_kinds.asks_about_screen(question):
        base = answer_kinds.screen_first([(c[3], b) for c, b in zip(candidates, base, strict=True)])
    elif wanted is not None:
        # A sign or slide names the occasion ("BACKYARD BIRDS a talk for beginners"), so it shares the words
        # of a question about it; asked who, when, where, how many or why, it answers only holding that.
        base = [
            b * answer_kinds.SCREEN_SHARE if c[3].chunk_type == "screen_text" and not h else b
            for b, c, h in zip(base, candidates, holding, strict=True)
        ]
    scored = sorted(
        (
            (b + 0.05 / (1 + c[2]), -(c[3].end - c[3].start), i)
            for i, (c, b) in enumerate(zip(candidates, base, strict=True))
        ),
        reverse=True,
    )
    # The same words in several chunks (a summary, an action item, the transcript): one quote, citing the
    # narrowest of them, the moment itself.
    narrowest: dict[tuple[str, ...], SearchResult] = {}
    for sentence, _, _, result in candidates:
        key = tuple(words(sentence))
        if key not in narrowest or result.end - result.start < narrowest[key].end - narrowest[key].start:
            narrowest[key] = result
    best = scored[0][0]
    picked: list[tuple[str, str | None, Citation, str]] = []  # sentence, voice, citation, chunk type
    seen: set[tuple[str, ...]] = set()
    for score, _, i in scored:
        sentence, who, _, _ = candidates[i]
        if score < KEEP_SHARE * best or len(picked) == MAX_OFFLINE_SENTENCES:
            break
        key = tuple(words(sentence))
        if key in seen:
            continue
        seen.add(key)
        speaker = who or next((c[1] for c in candidates if c[1] and tuple(words(c[0])) == key), None)
        quote = (sentence, speaker, cite(narrowest[key], sentence), narrowest[key].chunk_type)
        # The same words again at that moment, inside a longer sentence (a summary's, a chunk's): one quote,
        # the transcript's if either is (it cites where the words were said, under their voice; a summary's
        # sentence is placed only by its share of the block's text).
        same = [k for k, p in enumerate(picked) if _within(key, words(p[0])) and _overlap(quote[2], p[2])]
        if not same:
            picked.append(quote)
        elif quote[3] == "transcript" and picked[same[0]][3] != "transcript":
            picked[same[0]] = quote
    lines = [f"- {who + ': ' if who else ''}{sentence} {c.label}" for sentence, who, c, _ in picked]
    return Answer(
        text="From your videos:\n" + "\n".join(lines),
        citations=_unique([c for _, _, c, _ in picked]),
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
    return attach_citations(draft, results) or Answer(text=NOT_FOUND, citations=[], grounded=False)


def attach_citations(
    draft: AnswerDraft, results: list[SearchResult], *, check_words: bool = False
) -> Answer | None:
    """The answer with citations taken from the excerpt numbers each sentence names; None if no sentence
    keeps a valid excerpt. `check_words` (the local model) also drops a sentence that shares no content word
    with the excerpts it names: a small model sometimes cites a number for a sentence it made up."""
    lines, citations = [], []
    for sentence in draft.sentences:
        text = sentence.text.strip()
        refs = [results[n - 1] for n in dict.fromkeys(sentence.sources) if 1 <= n <= len(results)]
        if check_words:
            said = set(words(text))
            refs = [r for r in refs if said & set(words(r.text))]
            if refs and _unsupported(text, refs):
                continue  # a name or number its own excerpts do not hold (joined from another moment)
        if not refs or not text:
            continue  # an uncited claim is not shown
        cs = [cite(r, text) for r in refs]
        citations += cs
        lines.append(f"{text} {' '.join(c.label for c in cs)}")
    if not lines:
        return None
    return Answer(text="\n".join(lines), citations=_unique(citations), grounded=True)


_NUMBER = re.compile(r"\d+(?:[.:,]\d+)*")


def _unsupported(claim: str, refs: list[SearchResult]) -> list[str]:
    """The names (capitalised words past a sentence's first) and numbers of `claim` that the excerpts it
    cites do not contain: each claim is checked against its own excerpts, not everything retrieved."""
    claim = re.sub(r"\[\d+(?:\s*,\s*\d+)*\]", " ", claim)  # the model's own "[1]" markers
    cited = " ".join(r.text for r in refs).casefold()
    held = set(re.findall(r"[\w']+", cited))
    missing = [n for n in _NUMBER.findall(claim) if n not in cited]
    for sentence in SENTENCE_END.split(claim):
        for token in sentence.split()[1:]:
            word = token.strip(".,!?:;\"'()[]")
            if word[:1].isupper() and word.casefold() not in held:
                missing.append(word)
    return missing


LOCAL_SYSTEM = (
    "You answer a question about the user's own videos from numbered excerpts of them. Answer in one to three "
    "short sentences using only the excerpts. For each sentence give the numbers of the excerpts it comes "
    "from. If the excerpts do not answer the question, set found to false and give no sentences."
)
LOCAL_EXAMPLE = (
    (
        "Excerpts:\n[1] I moved to Lisbon last spring, and I work at the harbour now.\n[2] The weather was awful."
        "\n\nQuestion: Where does the speaker work?"
    ),
    {"found": True, "sentences": [{"text": "The speaker works at the harbour in Lisbon.", "sources": [1]}]},
)


def local_answer(question: str, results: list[SearchResult], llm: LocalLLM, *, embedder=None) -> Answer:
    """The local model's answer; if it finds nothing in what retrieval found, the extractive one."""
    import json

    from lifestream.core.local_llm import LocalLLMError

    excerpts = "\n".join(
        f"[{i}] {r.text[:MAX_EXCERPT_CHARS].strip()}" for i, r in enumerate(results, start=1)
    )
    messages = [
        {"role": "system", "content": LOCAL_SYSTEM},
        {"role": "user", "content": LOCAL_EXAMPLE[0]},
        {"role": "assistant", "content": json.dumps(LOCAL_EXAMPLE[1])},
        {"role": "user", "content": f"Excerpts:\n{excerpts}\n\nQuestion: {question}"},
    ]
    try:
        draft = llm.chat(messages, AnswerDraft).value  # bounded by the schema (core/bounded_schema.py)
    except LocalLLMError as exc:
        log.warning("local LLM answer failed, answering extractively: %s", exc)
        draft = None
    answer = attach_citations(draft, results, check_words=True) if draft is not None and draft.found else None
    return answer or extractive_answer(question, results, embedder=embedder)


def evidence(results: list[SearchResult]) -> list[SearchResult]:
    """The hits with what folded into each (search shows a moment once; the answerer reads all of it),
    best first; the same words at the same moment are read once."""
    from lifestream.memory.fusion import moment_key

    out: list[SearchResult] = []
    seen: set[tuple[str, float, float]] = set()
    for hit in results:
        for r in (hit, *hit.supporting):
            key = moment_key(r)
            if key not in seen:
                seen.add(key)
                out.append(r.model_copy(update={"supporting": []}))
    return out


def answer_from(
    question: str,
    results: list[SearchResult],
    settings: Settings,
    *,
    openai_client=None,
    llm: LocalLLM | None = None,
    embedder=None,
) -> Answer:
    """One rule for which answerer runs (the CLI, the API and `ask` all come here). `embedder` (the index's)
    lets the extractive answer pick its sentences by meaning as well as by words."""
    if not results:
        return Answer(text=NOT_FOUND, citations=[], grounded=False)
    results = evidence(results)
    mode = settings.summarizer
    if mode != "extractive" and mode != "local" and settings.has_openai:
        return openai_answer(question, results, settings, client=openai_client)
    # "auto" answers extractively even when the model is installed: on bench/quality the 0.5B model cited
    # the wrong moment more often (answers right 0.80 vs 1.00) and took seconds; "local" asks for it.
    if mode == "local" or llm is not None:
        from lifestream.core.local_llm import LocalLLMUnavailable, get_local_llm

        if llm is None:
            try:
                llm = get_local_llm(settings.llm_model, settings.llm_threads)
            except LocalLLMUnavailable as exc:
                log.warning("local language model unavailable, answering extractively: %s", exc)
        if llm is not None:
            return local_answer(question, results, llm, embedder=embedder)
    return extractive_answer(question, results, embedder=embedder)


def ask(
    question: str,
    *,
    settings: Settings,
    index: VideoIndex,
    top_k: int = 6,
    min_score: float | None = None,
    openai_client=None,
    mode: str = "hybrid",
    llm: LocalLLM | None = None,
) -> Answer:
    """Answer from the hits of the index's search (fused, folded, ranked); its calibrated `found` decides
    "not in your videos"."""
    question = question.strip()
    if not question:
        from lifestream.core.errors import LifeStreamError

        raise LifeStreamError("ask needs a question")
    outcome = index.search(question, mode=mode, top_k=top_k, min_score=min_score, timezone=settings.timezone)
    results = outcome.results
    if not outcome.found or not results:
        return Answer(text=NOT_FOUND, citations=[], grounded=False)
    return answer_from(
        question, results, settings, openai_client=openai_client, llm=llm, embedder=index.embedder
    )

"""A day read from its diaries: each block as a `Moment` (its local clock time, title, the people the
diary names, the voices it does not, places, tasks and its citation), and the day's digest, one line per
video. Day answers (`day_answers`) and `/api/days/{date}` both read a day this way.

A name appears only where the diary has evidence for it: a participant that is a diarization label
("Speaker 2") is a voice, counted as "someone not named", never given a name. A place the extractive
summarizer found in speech ("Mentioned: Lisbon") is said to be mentioned, and one only read on a sign
("Seen: Wattle Court") to be seen, neither to be where you were (`lifestream.core.places` reads them).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lifestream.core.constants import NO_SPEECH_TITLE
from lifestream.core.places import Located, places_of
from lifestream.core.text import is_label, words
from lifestream.core.text import stem as text_stem
from lifestream.core.timefmt import span_label
from lifestream.service.models import CitationView, DigestLine, VideoDiary

_NO_SPEECH = re.compile(rf"^{re.escape(NO_SPEECH_TITLE)}\b", re.IGNORECASE)
MAX_TITLES = 3
MAX_TASKS = 3
MAX_QUOTE = 240


def has_speech(block: dict[str, Any]) -> bool:
    """A diary block with words heard in it (the extractive summarizer titles a silent one "No speech")."""
    return bool(block.get("transcript")) and not _NO_SPEECH.match(str(block.get("title") or "").strip())


def stem(word: str) -> str:
    """`core.text.stem` of a word without its possessive ("Lena's" is Lena)."""
    return text_stem(word.removesuffix("'s").strip("'-"))


@dataclass(frozen=True)
class Moment:
    """One block of one diary, as a day answer reads it."""

    video_id: str
    start: float
    end: float
    at: str | None  # local clock time of the block's start, HH:MM
    date: str | None  # the diary's (local) date, YYYY-MM-DD
    title: str
    activity: str
    people: tuple[str, ...]  # names the diary gives (participants that are not labels)
    voices: frozenset[str]  # labels of voices heard but not named
    places: Located  # where the block was, places said in it, places read on screen in it
    tasks: tuple[str, ...]  # "text (owner)", the owner only when named
    speech: bool
    terms: frozenset[str]  # stemmed words of everything the block holds, for matching a question's topic

    @property
    def label(self) -> str:
        return span_label(self.video_id, self.start, self.end)

    def citation(self, quote: str | None = None) -> CitationView:
        text = quote if quote is not None else ". ".join(p for p in (self.title, self.activity) if p)
        return CitationView(
            video_id=self.video_id,
            start=self.start,
            end=self.end,
            quote=_short(text),
            label=self.label,
        )


def _short(text: str, limit: int = MAX_QUOTE) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _clock(recorded_at: Any, offset: float) -> str | None:
    if not isinstance(recorded_at, str):
        return None
    try:
        start = dt.datetime.fromisoformat(recorded_at)
    except ValueError:
        return None
    return (start + dt.timedelta(seconds=offset)).strftime("%H:%M")


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str) and v.strip()] if isinstance(value, list) else []


def _task(item: Any) -> str | None:
    if not isinstance(item, dict) or not str(item.get("text") or "").strip():
        return None
    owner = item.get("owner")
    named = isinstance(owner, str) and not is_label(owner)
    text = item["text"].strip().rstrip(".;")  # tasks are joined with "; "
    return f"{text} ({owner.strip()})" if named else text


def moments_of(entry: VideoDiary) -> list[Moment]:
    """The blocks of one video's diary, in order (none for a video without a diary)."""
    diary = entry.diary or {}
    video_id = entry.video.video_id
    out = []
    for raw in diary.get("blocks") or []:
        if not isinstance(raw, dict):
            continue
        transcript = [s for s in raw.get("transcript") or [] if isinstance(s, dict)]
        heard = _strings(raw.get("participants")) or list(
            dict.fromkeys(s["speaker"] for s in transcript if isinstance(s.get("speaker"), str))
        )
        people = tuple(dict.fromkeys(p.strip() for p in heard if not is_label(p)))
        voices = frozenset(p.strip() for p in heard if is_label(p) and p.strip())
        places = places_of(raw.get("location"))
        tasks = tuple(t for t in (_task(i) for i in raw.get("action_items") or []) if t)
        title = str(raw.get("title") or "").strip()
        activity = str(raw.get("activity") or "").strip()
        seen = [s.get("text", "") for s in raw.get("screen_text") or [] if isinstance(s, dict)]
        text = " ".join(
            [title, activity, *_strings(raw.get("key_points")), *people, *places.all, *tasks, *seen]
            + [str(s.get("text") or "") for s in transcript]
        )
        start = float(raw.get("start") or 0.0)
        out.append(
            Moment(
                video_id=video_id,
                start=start,
                end=float(raw.get("end") or start),
                at=_clock(diary.get("recorded_at"), start),
                date=diary.get("date") if isinstance(diary.get("date"), str) else None,
                title=title,
                activity=activity,
                people=people,
                voices=voices,
                places=places,
                tasks=tasks,
                speech=has_speech(raw),
                terms=frozenset(stem(w) for w in words(text)),
            )
        )
    return out


def join_words(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def people_phrase(names: Iterable[str], unnamed: int) -> str:
    """"Lena, Omar and someone not named"; "2 people not named"; "" for nobody heard."""
    names = list(dict.fromkeys(names))
    if unnamed == 1:
        names.append("someone not named" if not names else "one person not named")
    elif unnamed > 1:
        names.append(f"{unnamed} people not named")
    return join_words(names)


def place_phrase(moments: Sequence[Moment]) -> str:
    stated = list(dict.fromkeys(p for m in moments for p in m.places.stated))
    said = list(dict.fromkeys(p for m in moments for p in m.places.said if p not in stated))
    seen = list(dict.fromkeys(p for m in moments for p in m.places.seen if p not in stated + said))
    parts = []
    if stated:
        parts.append(f"at {join_words(stated)}")
    if said:
        parts.append(f"mentioned {join_words(said)}")
    if seen:
        parts.append(f"seen on a sign: {join_words(seen)}")
    return "; ".join(parts)


def digest_line(entry: VideoDiary) -> DigestLine | None:
    moments = moments_of(entry)
    if not moments:
        return None
    spoken = [m for m in moments if m.speech] or moments[:1]
    titled: list[Moment] = []
    for m in spoken:
        if m.title and m.title.casefold() not in {t.title.casefold() for t in titled}:
            titled.append(m)
        if len(titled) == MAX_TITLES:
            break
    titled = titled or moments[:1]
    what = "; ".join(m.title or "untitled" for m in titled)
    if not any(m.speech for m in moments):
        what = f"{what} (no speech)"
    parts = [what]
    unnamed = len(frozenset().union(*(m.voices for m in moments)))
    who = people_phrase([p for m in moments for p in m.people], unnamed)
    if who:
        parts.append(f"with {who}")
    where = place_phrase(moments)
    if where:
        parts.append(where)
    tasks = list(dict.fromkeys(t for m in moments for t in m.tasks))
    if tasks:
        more = f" and {len(tasks) - MAX_TASKS} more" if len(tasks) > MAX_TASKS else ""
        parts.append(f"to do: {'; '.join(tasks[:MAX_TASKS])}{more}")
    at = moments[0].at
    text = (f"{at} " if at else "") + " — ".join(parts[:1] + [", ".join(parts[1:])] if parts[1:] else parts)
    return DigestLine(
        video_id=entry.video.video_id, at=at, text=text, citations=[m.citation() for m in titled]
    )


def day_digest(videos: Sequence[VideoDiary]) -> list[DigestLine]:
    """The day in a few lines: one per video with a diary, in the order given (recording time)."""
    return [line for line in (digest_line(v) for v in videos) if line is not None]

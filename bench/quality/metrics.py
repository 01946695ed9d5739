"""Scores of one diary (summary.json's shape) and its answers against the truth of a split.

Five splits (issue 19): `dev` (bench/quality/truth.yaml, the material the code was tuned on), `seen`
(bench/quality/truth_test.yaml, the first held-out split "v1", whose failures were read and tuned on: now
development material too), `dev2` and `dev3` (bench/quality/truth_dev2.yaml, truth_dev3.yaml, development
material written to find new failure classes) and `test` (bench/quality/truth_test_v2.yaml, v2, run only to
report). Plain functions over plain data, shared by bench/quality/run.py and
tests/understand/test_quality_regression.py. Counts are returned (not ratios) so that several recordings add
up to one micro-averaged figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lifestream.core.places import place_key, places_of
from lifestream.core.text import words

TRUTH = Path(__file__).with_name("truth.yaml")
TRUTH_FILES = {
    "dev": TRUTH,
    "seen": Path(__file__).with_name("truth_test.yaml"),  # v1: was the test split until it was tuned on
    "dev2": Path(__file__).with_name("truth_dev2.yaml"),  # development material, new (testset_dev2.py)
    "dev3": Path(__file__).with_name("truth_dev3.yaml"),  # development material, new (testset_dev3.py)
    "test": Path(__file__).with_name("truth_test_v2.yaml"),
}
# A name on a voice is right when that voice's speech (in the block) is at least this share the named person's.
NAME_PURITY = 0.8
MAX_TITLE_WORDS = 8
MAX_CITATION_SECONDS = 25.0
BOUNDARY_TOLERANCE = 3.0
_LABEL = re.compile(r"^(?:speaker|spk|voice|unknown)[\s_\-]*\d*$|^\d+ unnamed speakers?$", re.IGNORECASE)
NOT_FOUND_PREFIX = "Not in your videos"


def same_name(said: str, name: str) -> bool:
    """The same person's name, allowing a recogniser's spelling ("Hanna" for Hana, "Elana" for Elena): a
    name on the right voice is an attribution question, not a spelling one."""
    from difflib import SequenceMatcher

    a, b = said.strip().casefold(), name.strip().casefold()
    return a == b or (
        min(len(a), len(b)) >= 3 and a[0] == b[0] and SequenceMatcher(None, a, b).ratio() >= 0.75
    )


def says(text: str, expected: str) -> bool:
    """`text` holds `expected` (a phrase, as is; a capitalised single word, a name, allowing its spelling)."""
    if expected.lower() in text.lower():
        return True
    if " " in expected or not expected[:1].isupper():
        return False
    return any(same_name(w, expected) for w in re.findall(r"[A-Za-z][A-Za-z'\-]+", text))


def truth(split: str = "dev") -> dict[str, dict[str, Any]]:
    return yaml.safe_load(TRUTH_FILES[split].read_text())["recordings"]


def nothing_questions(split: str = "dev") -> list[str]:
    """Questions that no recording of the split answers."""
    return list(yaml.safe_load(TRUTH_FILES[split].read_text()).get("nothing", []))


def with_spans(qa: dict[str, Any], cues: list[dict[str, Any]], duration: float) -> dict[str, Any]:
    """A scripted split's question with its `spans` (seconds) resolved from the parts it names (`at`) or, for a
    question about the day, the whole recording."""
    if qa.get("day"):
        return {**qa, "spans": [[0.0, duration]]}
    spans = [[c["start"], c["end"]] for c in cues if c["key"] in qa.get("at", [])]
    assert spans, f"no part {qa.get('at')} for {qa['question']!r}"
    return {**qa, "spans": spans}


def _stem(word: str) -> str:
    return re.sub(r"(?:ing|ed|es|s)$", "", word) if len(word) > 4 else word


def _content(text: str) -> set[str]:
    return {_stem(w) for w in words(text)}


def same_task(said: str, found: str, *, share: float = 0.6) -> bool:
    """`found` states the task `said` when it holds most of its content words."""
    want = _content(said)
    return bool(want) and len(want & _content(found)) / len(want) >= share


# The rows that count (shown whole), not share.
COUNTS = ("invented owners", "wrong owners", "wrong owners on no true task")


@dataclass
class Score:
    """Counts over one or more recordings."""

    tasks_found: int = 0  # action items the diary lists
    tasks_right: int = 0  # of those, ones that are a true task
    tasks_true: int = 0  # true tasks
    tasks_recalled: int = 0  # true tasks the diary lists
    owners_invented: int = 0  # owners who are neither a named participant nor a named assignee
    recordings: int = 0
    participants_right: int = 0
    places_right: int = 0
    places_found: int = 0
    places_found_right: int = 0
    places_true: int = 0
    titles: int = 0
    titles_good: int = 0
    cuts_true: int = 0
    cuts_found: int = 0
    questions: int = 0
    answers_right: int = 0
    answers_short_cited: int = 0
    cites: int = 0  # citations given in answers to answerable questions
    cites_right: int = 0  # of those, at the moment that holds the answer
    nothing_asked: int = 0  # questions no recording answers
    abstained: int = 0  # replies that said "not in your videos"
    abstained_right: int = 0  # of those, to a question nothing answers
    owners_wrong: int = 0  # action items whose owner is not the task's true owner
    owners_on_no_task: int = 0  # of those, items that match no true task (a remark, or a task misheard)
    names_attached: int = 0  # (block, voice) pairs shown under a name
    names_right: int = 0  # of those, the voice is (>= NAME_PURITY) the named person
    names_true: int = 0  # named people who speak (truth participants), with a reference
    names_recalled: int = 0  # of those, named right on some voice
    notes: list[str] = field(default_factory=list)

    def add(self, other: Score) -> Score:
        for name, value in vars(other).items():
            if name == "notes":
                self.notes += value
            else:
                setattr(self, name, getattr(self, name) + value)
        return self

    @staticmethod
    def ratio(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    def figures(self) -> dict[str, float | None]:
        r = self.ratio
        return {
            "action-item precision": r(self.tasks_right, self.tasks_found) if self.tasks_found else 1.0,
            "action-item recall": r(self.tasks_recalled, self.tasks_true),
            "invented owners": float(self.owners_invented),
            "participants correct": r(self.participants_right, self.recordings),
            "places correct": r(self.places_right, self.recordings),
            "place precision": r(self.places_found_right, self.places_found) if self.places_found else 1.0,
            "place recall": r(self.places_found_right, self.places_true),
            "titles short, not a prefix": r(self.titles_good, self.titles),
            "call/reading cut found": r(self.cuts_found, self.cuts_true),
            "answers correct": r(self.answers_right, self.questions),
            "answers cited <= 25 s": r(self.answers_short_cited, self.questions),
            "citation precision": r(self.cites_right, self.cites),
            "abstention precision": r(self.abstained_right, self.abstained),
            "abstention recall": r(self.abstained_right, self.nothing_asked),
            "wrong owners": float(self.owners_wrong),
            "wrong owners on no true task": float(self.owners_on_no_task),
            "name precision": r(self.names_right, self.names_attached),
            "name recall": r(self.names_recalled, self.names_true),
        }


def _names(blocks: list[dict[str, Any]]) -> set[str]:
    return {p for b in blocks for p in b.get("participants", []) if not _LABEL.match(p)}


def _places(blocks: list[dict[str, Any]]) -> set[str]:
    """The places the diary gives: stated, said or seen on a sign (the truth counts a sign that names one)."""
    out = {place_key(p.strip()) for b in blocks for p in places_of(b.get("location")).all}
    return {p for p in out if p}


def _title_good(block: dict[str, Any]) -> bool:
    title = block.get("title", "").rstrip("…").strip()
    spoken = " ".join(s["text"] for s in block.get("transcript", []))
    head = [w.lower() for w in re.findall(r"[A-Za-z'\-]+", title)]
    said = [w.lower() for w in re.findall(r"[A-Za-z'\-]+", spoken)]
    prefix = len(head) >= 3 and said[: len(head)] == head
    return 0 < len(head) <= MAX_TITLE_WORDS and not prefix and title.lower() != "untitled"


def score_diary(name: str, diary: dict[str, Any], want: dict[str, Any]) -> Score:
    s = Score(recordings=1)
    blocks = diary["blocks"]
    found = [a for b in blocks for a in b.get("action_items", [])]
    true = want.get("action_items", [])
    s.tasks_found, s.tasks_true = len(found), len(true)
    s.tasks_right = sum(any(same_task(t["text"], a["text"]) for t in true) for a in found)
    s.tasks_recalled = sum(any(same_task(t["text"], a["text"]) for a in found) for t in true)
    people = set(want.get("participants", []))
    # An owner is invented when they are neither a named participant nor a person a task is given to.
    owners = people | {t["owner"] for t in true if t.get("owner")}
    s.owners_invented = sum(
        1 for a in found if a.get("owner") and not any(same_name(a["owner"], p) for p in owners)
    )
    names = _names(blocks)
    s.participants_right = int(
        len(names) == len(people) and all(any(same_name(n, p) for n in names) for p in people)
    )
    if not s.participants_right:
        s.notes.append(f"{name}: participants {sorted(names)} (truth {sorted(people)})")
    places = _places(blocks)
    true_places = {p.lower() for p in want.get("places", [])}
    s.places_right = int(places == true_places)
    s.places_found, s.places_true = len(places), len(true_places)
    s.places_found_right = len(places & true_places)
    if places != true_places:
        s.notes.append(f"{name}: places {sorted(places)} (truth {sorted(true_places)})")
    spoken = [b for b in blocks if b.get("transcript")]
    s.titles = len(spoken)
    s.titles_good = sum(_title_good(b) for b in spoken)
    s.notes += [f"{name}: title {b.get('title')!r}" for b in spoken if not _title_good(b)]
    starts = [b["start"] for b in blocks[1:]]
    s.cuts_true = len(want.get("blocks_at", []))
    s.cuts_found = sum(
        any(abs(c - t) <= BOUNDARY_TOLERANCE for c in starts) for t in want.get("blocks_at", [])
    )
    for task in found:
        matched = [t for t in true if same_task(t["text"], task["text"])]
        if not matched:
            s.notes.append(f"{name}: not a task: {task['text']!r} (owner {task.get('owner')})")
        owner = task.get("owner")
        # Only a truth that states owners (the test split) can say an owner is wrong; "no owner" never is.
        if (
            owner
            and any("owner" in t for t in true)
            and not any(t.get("owner") and same_name(owner, t["owner"]) for t in matched)
        ):
            s.owners_wrong += 1
            s.owners_on_no_task += not matched
            s.notes.append(f"{name}: wrong owner {owner!r} on {task['text']!r}")
    return s


def read_rttm(path: Path) -> list[tuple[float, float, str]]:
    out = []
    for line in path.read_text().splitlines():
        f = line.split()
        if f and f[0] == "SPEAKER":
            out.append((float(f[3]), float(f[3]) + float(f[4]), f[7]))
    return out


def voice_names(block: dict[str, Any]) -> dict[str, str]:
    """Voice label -> what the diary shows for it ("Who said what" lists the block's labels in order)."""
    labels = sorted({s["speaker"] for s in block.get("transcript", []) if s.get("speaker")})
    shown = [p["speaker"] for p in block.get("per_speaker", [])]
    return dict(zip(labels, shown, strict=False)) if len(labels) == len(shown) else {}


def score_names(
    name: str, diary: dict[str, Any], reference: list[tuple[float, float, str]], people: list[str]
) -> Score:
    """Name precision: of the voices shown under a name, those whose speech is the named person's (by the
    reference turns); recall: the named people who got their name on their own voice somewhere."""
    s = Score(names_true=len(people))
    recalled: set[str] = set()
    for block in diary["blocks"]:
        for label, shown in voice_names(block).items():
            if _LABEL.match(shown):
                continue
            share: dict[str, float] = {}
            for seg in block["transcript"]:
                if seg.get("speaker") != label:
                    continue
                for a, b, who in reference:
                    overlap = min(seg["end"], b) - max(seg["start"], a)
                    if overlap > 0:
                        share[who] = share.get(who, 0.0) + overlap
            total = sum(share.values())
            s.names_attached += 1
            person = next((who for who in share if same_name(shown, who)), None)
            if total and person and share[person] / total >= NAME_PURITY:
                s.names_right += 1
                recalled.add(person)
            else:
                mix = ", ".join(f"{w} {v / total:.0%}" for w, v in sorted(share.items(), key=lambda x: -x[1]))
                s.notes.append(f"{name}: {shown!r} shown on {label} ({block['start']:.0f} s), whose speech is {mix or 'none'}")
    s.names_recalled = len(recalled & set(people))
    return s


def score_nothing(question: str, text: str) -> Score:
    """A question nothing answers: right when the reply says so."""
    s = Score(nothing_asked=1)
    if text.startswith(NOT_FOUND_PREFIX):
        s.abstained = s.abstained_right = 1
    else:
        s.notes.append(f"(nothing): {question!r} -> {' '.join(text.split())[:110]!r}")
    return s


def score_answer(
    name: str, video_id: str, qa: dict[str, Any], text: str, citations: list[dict[str, Any]]
) -> Score:
    """Right: it answers (with one of the expected words, or all of `expect_all`) and cites the moment that
    holds the answer (`span`, or one of `spans`)."""
    s = Score(questions=1)
    spans = qa.get("spans") or [qa["span"]]
    abstained = text.startswith(NOT_FOUND_PREFIX)
    s.abstained = int(abstained)
    if qa.get("expect_all"):
        said = not abstained and all(says(text, w) for w in qa["expect_all"])
    else:
        said = not abstained and any(says(text, w) for w in qa["expect"])
    ours = [c for c in citations if c["video_id"] == video_id]
    at_moment = any(c["start"] < hi and c["end"] > lo for c in ours for lo, hi in spans)
    s.cites = len(citations)
    s.cites_right = sum(any(c["start"] < hi and c["end"] > lo for lo, hi in spans) for c in ours)
    s.answers_right = int(said and at_moment)
    s.answers_short_cited = int(
        bool(ours) and all(c["end"] - c["start"] <= MAX_CITATION_SECONDS for c in ours)
    )
    if not s.answers_right:
        s.notes.append(f"{name}: {qa['question']!r} -> {' '.join(text.split())[:110]!r}")
    return s

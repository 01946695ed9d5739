"""The `seen` split of the retrieval eval (issue 19, section 5; it was the first held-out test split, "v1"):
the recordings of bench/quality/testset.py as scripted days, with the questions of bench/quality/truth_test.yaml.
Its failures were read and a rule was fixed after one of them (b41f1df), so it is development material now;
the test split is v2 (corpus_test_v2.py), built from bench/quality/testset_v2.py by `scripted_split` below.

Built like the development split (corpus.py: speaker turns <= 12.5 s, an action-item chunk per task, one
summary per video) plus an on-screen-text chunk per sign or slide. Speakers are listed by name where the
recording gives their name; unnamed voices (the diarist, a reader, the dealer) by none. The summaries and the
action items' keys below were written by hand from the script, like the truth.
`python -m bench.retrieval.run --sweep` fits on `dev` (corpus.py) and reports every split.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import yaml

from bench.retrieval.corpus import Q, Split

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "quality"))
import testset  # noqa: E402

TRUTH = Path(testset.__file__).with_name("truth_test.yaml")
TEST_NOW = dt.datetime(2026, 6, 15, 17, 0, tzinfo=dt.UTC)  # a Monday, two days after the last recording
TEST_TZ = "Europe/London"

SUMMARIES = {
    "planning_meeting": "A planning meeting with Hana, Tom, Ravi and Maya: the budget figures, new chairs "
    "and the launch date.",
    "call_with_leo": "Leo records a call with his aunts Diane and Sheila and plans the family reunion.",
    "family_call": "A video call with Uncle Omar in Lisbon; Mia tells about the school trip to York.",
    "soil_lecture": "Elena Alvarez's lecture on composting: the carbon to nitrogen ratio and homework.",
    "reading_circle": "The reading circle with Felix: two readers read lines from a novel, then cards.",
    "market_day": "A Saturday at the riverside market with Nora, lunch from a food truck and the train "
    "to York.",
}
ACTIONS = {  # recording -> {line key: the action item as a diary states it}
    "planning_meeting": {
        "budget": "Send the budget figures to Ravi by Thursday (owner: Tom)",
        "chairs": "Order twelve new chairs for the meeting room (owner: Ravi)",
        "posters": "Print the new posters before the launch",
    },
    "call_with_leo": {
        "callback": "Call Sheila back on Sunday about the reunion (owner: Leo)",
        "albums": "Bring the old photo albums to the reunion (owner: Sheila)",
    },
    "family_call": {
        "patel": "Thank Mrs Patel for the photos (owner: Mia)",
        "pictures": "Send the pictures from Lisbon tonight (owner: Omar)",
    },
    "soil_lecture": {"homework": "Read chapter five before the next lecture"},
    "reading_circle": {"snacks": "Bring the snacks next week (owner: Felix)"},
    "market_day": {
        "library": "Return the library books on Monday",
        "nora": "Water my plants while I'm away (owner: Nora)",
    },
}


def _speaker(who: str) -> str:
    # corpus.chunks lists every speaker but "Me": the unnamed voices carry no name.
    return who if who[:1].isupper() else "Me"


def _days(script, summaries: dict[str, str], actions: dict[str, dict[str, str]]):
    days = {}
    for rec in script.RECORDINGS:
        lines = [(key, _speaker(who), text) for key, who, text in testset.spoken_lines(rec)]
        days[rec.name] = (rec.recorded_at[:10], summaries[rec.name], lines, actions.get(rec.name, {}))
    return days


def _refs(rec: testset.Recording, keys: list[str]) -> str:
    """A part's key also names the further lines of a real part (call, call.2, …)."""
    lines = [k for k, _, _ in testset.spoken_lines(rec)]
    return "|".join(f"{rec.name}:{k}" for k in lines if k in keys or k.split(".")[0] in keys)


def questions(script=testset, truth_file: Path = TRUTH) -> list[Q]:
    truth = yaml.safe_load(truth_file.read_text())
    out: list[Q] = []
    for name, want in truth["recordings"].items():
        rec = script.recording(name)
        for qa in want["qa"]:
            ref = f"{name}:*" if qa.get("day") else _refs(rec, qa["at"])
            out.append((qa["question"], ref, qa["kind"]))
    out += [(q, None, "notfound") for q in truth["nothing"]]
    return out


def scripted_split(
    name: str, script, truth_file: Path, summaries: dict[str, str], actions: dict[str, dict[str, str]],
    now: dt.datetime, tz: str,
) -> Split:  # fmt: skip
    """A retrieval split from a recording script of bench/quality (testset.py, testset_v2.py) and its truth."""
    return Split(
        name,
        _days(script, summaries, actions),
        {},
        questions(script, truth_file),
        now,
        tz,
        {rec.name: testset.screens(rec) for rec in script.RECORDINGS},
    )


SEEN = scripted_split("seen", testset, TRUTH, SUMMARIES, ACTIONS, TEST_NOW, TEST_TZ)

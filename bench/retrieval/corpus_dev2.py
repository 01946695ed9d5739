"""The `dev2` split of the retrieval eval: the recordings of bench/quality/testset_dev2.py as scripted days, with
the questions of bench/quality/truth_dev2.yaml. Development material (written to find issue 19's failure
classes), built like the `seen` split (corpus_test.scripted_split), except that each day is the recording's
date in the diarist's zone (call_with_mum was recorded on Thursday evening in New York, Friday in UTC).
The summaries and the action items' keys below were written by hand from the script, like the truth.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.retrieval.corpus_test import scripted_split

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "quality"))
import testset_dev2  # noqa: E402

TRUTH = Path(testset_dev2.__file__).with_name("truth_dev2.yaml")
TZ = testset_dev2.ASKED_TZ

SUMMARIES = {
    "weekly_sync": "The weekly sync with Nadia, Victor and Grace: release notes, the test server's move to "
    "Frankfurt and Tariq's demo.",
    "speaker_setup": "Jonas helps me set up the new speakers in the living room; the receiver's speaker test.",
    "cooking_class": "A cooking class with Rosa at Maple Street Kitchen: shakshuka, and lemon tart next week.",
    "call_with_mum": "An evening call with Mum and my brother Martin: the dentist and Dad's seventieth birthday.",
    "bird_talk": "Fiona Walsh's talk on backyard birds: cardinals, chickadees and Sunday's bird walk.",
    "mountain_hike": "A hike up Mount Beacon with Julia, a deer near the reservoir and a photo at the top.",
}
ACTIONS = {  # recording -> {line key: the action item as a diary states it}
    "weekly_sync": {
        "notes": "Update the release notes by Wednesday (owner: Grace)",
        "move": "Move the test server to the data centre in Frankfurt next week (owner: Victor)",
    },
    "speaker_setup": {
        "cable": "Bring a longer cable on Sunday (owner: Jonas)",
        "remote": "Return the broken remote to the store by Friday",
    },
    "cooking_class": {
        "tart": "Bring a tart tin next week",
        "lemons": "Bring extra lemons for everyone (owner: Laura)",
    },
    "call_with_mum": {
        "dentist": "Go back to the dentist in March for a cleaning",
        "table": "Book a table at the Italian place on Elm Street (owner: Martin)",
        "cake": "Pick up the cake on the way (owner: Martin)",
    },
    "bird_talk": {
        "sign_up": "Sign up at the front desk for the bird walk",
        "binoculars": "Bring old binoculars for the kids (owner: Carlos)",
    },
    "mountain_hike": {
        "boots": "Buy new hiking boots before winter",
        "photos": "Send the photos tomorrow (owner: Julia)",
    },
}


def local_date(recorded_at: str, tz: str = TZ) -> str:
    """The day a recording was made, in the diarist's zone (its file's time is UTC)."""
    return dt.datetime.fromisoformat(recorded_at).astimezone(ZoneInfo(tz)).date().isoformat()


def zoned_split(name: str, script, truth: Path, summaries: dict, actions: dict):
    """`scripted_split` of a script module asked at its ASKED_NOW, each day the recording's date in the
    diarist's zone (`script.ASKED_TZ`) rather than its file's UTC date."""
    tz = script.ASKED_TZ
    split = scripted_split(name, script, truth, summaries, actions, script.ASKED_NOW, tz)
    dates = {rec.name: local_date(rec.recorded_at, tz) for rec in script.RECORDINGS}
    return dataclasses.replace(split, days={n: (dates[n], *rest) for n, (_, *rest) in split.days.items()})


DEV2 = zoned_split("dev2", testset_dev2, TRUTH, SUMMARIES, ACTIONS)

"""The TEST split of the retrieval eval, v2 (issue 19, section 5): the recordings of bench/quality/testset_v2.py
as scripted days, with the questions of bench/quality/truth_test_v2.yaml. Built like the `seen` split (v1,
corpus_test.py): speaker turns <= 12.5 s, an action-item chunk per task, an on-screen-text chunk per sign or
slide, one summary per video. The summaries and action items below were written by hand from the script,
like the truth, before the split was run. Run it only to report: never tune on it.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from bench.retrieval.corpus_test import scripted_split

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "quality"))
import testset_v2  # noqa: E402

TRUTH = Path(testset_v2.__file__).with_name("truth_test_v2.yaml")
TEST_NOW = dt.datetime(2026, 9, 21, 17, 0, tzinfo=dt.UTC)  # a Monday, two days after the last recording
TEST_TZ = "Europe/Dublin"

SUMMARIES = {
    "weekly_huddle": "The Monday huddle with Ingrid, Bruno, Kenji and Aisha: the delivery vans, the customer "
    "survey and the weekend rota.",
    "robot_club": "The robot club with mentor Gwen: Pablo, Jules and Noor try voice commands and lines for "
    "the robot.",
    "sisters_call": "A video call with Rosa, Carmen and Yusuf about Mum's seventieth birthday party.",
    "gallery_tour": "A guided tour of the Bronze Age rooms with Harriet; questions from Bilal and Oksana.",
    "errands_day": "A Friday of errands: the chemist, a bakery by the canal, the bike shop and the post "
    "office.",
    "quiz_night": "Quiz night with quizmaster Declan; Marek's team, the Night Owls, leads after three rounds.",
}
ACTIONS = {  # recording -> {line key: the action item as a diary states it}
    "weekly_huddle": {
        "garage": "Take both vans to the garage on Foundry Road this week (owner: Bruno)",
        "rota": "Update the weekend rota before Friday (owner: Kenji)",
        "board": "Present the full survey results to the board in October (owner: Aisha)",
    },
    "robot_club": {
        "batteries": "Bring spare batteries next Tuesday (owner: Noor)",
        "lock": "Lock the hall after tidying up (owner: Gwen)",
    },
    "sisters_call": {
        "cake": "Order the cake from the bakery near Mum's flat (owner: Carmen)",
        "playlist": "Put together a playlist of Mum's old favourite songs",
    },
    "gallery_tour": {
        "kids": "Come back with the kids during the half-term holiday",
        "leaflets": "Hand out the leaflets to the group (owner: Oksana)",
    },
    "errands_day": {"passport": "Renew the passport before the trip in December"},
    "quiz_night": {"photos": "Send the photos from the quiz night (owner: Declan)"},
}

TEST = scripted_split("test", testset_v2, TRUTH, SUMMARIES, ACTIONS, TEST_NOW, TEST_TZ)

"""The `dev3` split of the retrieval eval: the recordings of bench/quality/testset_dev3.py as scripted days,
with the questions of bench/quality/truth_dev3.yaml. Development material, built like `dev2` (corpus_dev2.py):
each day is the recording's date in the diarist's zone (Sydney; shop_huddle and coastal_walk are a day earlier
in UTC). The summaries and the action items' keys below were written by hand from the script, like the truth.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bench.retrieval.corpus_dev2 import zoned_split

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "quality"))
import testset_dev3  # noqa: E402

TRUTH = Path(testset_dev3.__file__).with_name("truth_dev3.yaml")

SUMMARIES = {
    "shop_huddle": "The morning huddle at the bike shop's Newtown branch with Ingrid, Kofi, Declan and Zara: "
    "the tandem's puncture, the inner tubes, the helmets and the Cityglide e-bike sale.",
    "call_with_gran": "An evening call with Gran and my cousin Olu: the driving test, Gran's hip, and the trip "
    "to Katoomba on the 28th.",
    "owners_meeting": "The owners' meeting at Wattle Court chaired by Siobhan, with Rahul and Noor: the lift "
    "repair quote, the water shutdown notice and the gutters.",
    "soundcheck": "Soundcheck with Femi and Gus at the Bottlebrush Hotel before our gig: the room speakers, "
    "Mirela late, the setlist and the entry price.",
    "coastal_walk": "A Saturday morning coastal walk from Coogee to Bronte, a croissant in Clovelly and "
    "dolphins off the cliffs.",
}
ACTIONS = {  # recording -> {line key: the action item as a diary states it}
    "shop_huddle": {
        "puncture": "Fix the puncture on the blue tandem by Friday (owner: Kofi)",
        "tubes": "Ring the supplier this afternoon about the missing inner tubes (owner: Declan)",
        "sweep": "Sweep the workshop floor before opening at nine",
    },
    "call_with_gran": {
        "tickets": "Book the scenic railway online tonight (owner: Olu)",
        "chairs": "Bring the folding chairs for the picnic",
        "prescription": "Collect Gran's prescription from the chemist by Thursday (owner: Olu)",
        "scones": "Write out the pumpkin scone recipe",
    },
    "owners_meeting": {
        "second": "Get a second quote from another lift company by the end of the month (owner: Rahul)",
        "notice": "Put up a notice about next Tuesday's water shutdown (owner: Noor)",
        "gutters": "Clear the gutters before the storm season",
    },
    "soundcheck": {
        "cable": "Swap the rear speaker cable before the doors open at eight (owner: Femi)",
        "merch": "Set up the merch table by the stairs",
        "pizza": "Grab pizzas for everyone at half past six (owner: Gus)",
    },
    "coastal_walk": {
        "physio": "Book a physio appointment before the first of December",
    },
}


DEV3 = zoned_split("dev3", testset_dev3, TRUTH, SUMMARIES, ACTIONS)

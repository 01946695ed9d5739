"""The `dev3` split of bench/quality (new DEVELOPMENT material): what is said and shown.

Written fresh, from what people say and do, with names, places and topics that no other development split
(`dev`, `seen`, `dev2`) uses; development material from the start (read its failures, tune on it). It reuses
v1's building blocks (testset.Said, Real, Recording; bench/quality/testset_build.py builds it into
.cache/quality/dev3/) and its truth is bench/quality/truth_dev3.yaml, written by hand from this script.

Five recordings on five days of one November week, asked about on the Monday after (ASKED_NOW, in ASKED_TZ:
the diarist lives in Sydney, eleven hours ahead of UTC in November). Two recordings fall on the day before in
UTC (their files' creation_time): `shop_huddle` is Tuesday 10 November at 08:15 in Sydney, Monday the 9th in
UTC, and `coastal_walk` is Saturday 14 November at 09:30 in Sydney, Friday the 13th in UTC. Their days are the
Sydney ones.

What it holds on purpose:
- 3-4 voices in four recordings, with pairs of close pitch (Kofi / Declan, Siobhan / Noor, the diarist / Olu,
  Femi / Gus) and turns under 2 s ("Will do.", "Here you go.", "Nice one.", "Yes, tonight.", "Sure, Gran.",
  "Of course.", the speaker test's calls);
- real speech: three calls of the alsa-utils speaker-test voice that dev2 does not use (Side_Left,
  Side_Right, Rear_Center), here a pub's sound desk checking its room speakers, never named;
- people who name themselves in several forms ("X here", "I'm X from …", "X speaking", "my name's X", "it's X
  from …", "I'm X"), people only addressed by name who answer (Kofi, Zara, Rahul, Gus), a person addressed who
  does not answer (Ruth), voices never named (the diarist, Gran, the speaker test) and people only talked
  about (Hamish, Ruth, Mirela, Petra);
- tasks taken on ("I'll …"), tasks given by name and answered, tasks nobody owns (said to the room, to the
  unnamed diarist, or by an unnamed voice), and things that are not tasks: "let's get going", "let's begin",
  work already done, a wish, requests carried out on the spot ("Here you go.", "here it comes", "I'll put you
  on speaker");
- places said, places only on a sign (NEWTOWN BRANCH, WATTLE COURT), slides whose titles are no place, a
  product (the Cityglide e-bike), a song title and a bakery's menu board on screen;
- numbers in words and in digits (on screen), times of day and prices;
- one quiet day with a single voice (`coastal_walk`, a walking vlog).
"""

from __future__ import annotations

import datetime as dt

from testset import SLIDE, Real, Recording, Said, screens, spoken_lines  # noqa: F401 - the v1 building blocks

ASKED_NOW = dt.datetime(2026, 11, 16, 7, 0, tzinfo=dt.UTC)  # Monday 16 November, 18:00 in Sydney
ASKED_TZ = "Australia/Sydney"

VOICES: dict[str, tuple[str, int, int]] = {
    "Ingrid": ("en-gb+f4", 57, 150),
    "Kofi": ("en-us+m5", 40, 150),
    "Declan": ("en-gb-x-gbclan+m2", 42, 150),  # close to Kofi
    "Zara": ("en-us+f1", 63, 155),
    "me": ("en-us+m3", 47, 150),  # the diarist, never named
    "gran": ("en-gb+belinda", 42, 140),  # addressed as "Gran": no name
    "Olu": ("en-029+m5", 45, 150),  # close to the diarist
    "Siobhan": ("en-gb-x-gbcwmd+f4", 58, 150),
    "Noor": ("en-us+steph", 60, 150),  # close to Siobhan
    "Rahul": ("en-gb+m2", 36, 145),
    "Femi": ("en-us+travis", 41, 150),
    "Gus": ("en-us+john", 43, 155),  # close to Femi
}

RECORDINGS: tuple[Recording, ...] = (
    Recording(
        "shop_huddle",
        "2026-11-09T21:15:00Z",  # Tuesday 10 November, 08:15 in Sydney (Monday in UTC)
        "stuff.jpg",
        (
            Said(
                "open",
                "Ingrid",
                "Morning team, Ingrid here, let's get going before the doors open.",
                ("NEWTOWN BRANCH", "Staff entrance"),
            ),
            Said(
                "declan",
                "Declan",
                "Hi all, I'm Declan from the Parramatta store, I'm covering this week.",
                ("NEWTOWN BRANCH", "Staff entrance"),
            ),
            Said("puncture", "Ingrid", "Kofi, could you fix the puncture on the blue tandem by Friday?"),
            Said("will_do", "Kofi", "Will do.", pause=0.4),
            Said(
                "helmets",
                "Zara",
                "The forty helmets came in yesterday, and I've already put them on the shelves.",
            ),
            Said(
                "tubes",
                "Declan",
                "I'll ring the supplier this afternoon about the inner tubes that never arrived.",
            ),
            Said("float", "Ingrid", "Zara, can you grab the cash float from the safe?"),
            Said("here", "Zara", "Here you go.", pause=0.4),
            Said("hamish", "Ingrid", "Hamish is on leave until the twentieth, so his repairs will wait."),
            Said(
                "ebike",
                "Ingrid",
                "The Cityglide e-bike is on sale this week for two thousand four hundred dollars.",
                (SLIDE + "THIS WEEK: CITYGLIDE E-BIKE", "$2,400 (was $2,900)"),
            ),
            Said("nice", "Kofi", "Nice one.", pause=0.4),
            Said("sweep", "Ingrid", "Someone has to sweep the workshop floor before we open at nine."),
            Said("coffee", "Kofi", "I wish we had a coffee machine in here."),
        ),
    ),
    Recording(
        "call_with_gran",
        "2026-11-11T08:30:00Z",  # Wednesday 11 November, 19:30 in Sydney
        "home.jpg",
        (
            Said("olu", "Olu", "Hello, Olu speaking.", pause=0.5),
            Said("gran_q", "me", "Hey Olu, it's me, is Gran still up?"),
            Said("speaker", "Olu", "Yeah, hang on, I'll put you on speaker."),
            Said("how", "gran", "Hello darling! How did the driving test go?"),
            Said("test", "me", "I passed, on the second go."),
            Said("hip", "gran", "Well done! My new hip is fine, I walked to the post office today."),
            Said("ruth", "me", "Is Ruth there too? Ruth?", pause=1.5),
            Said("asleep", "gran", "She's asleep, she did a night shift at the hospital."),
            Said("trip", "Olu", "We're taking Gran to Katoomba on the twenty-eighth for the scenic railway."),
            Said("tickets", "Olu", "I'll book the railway online tonight, it's thirty-two dollars each."),
            Said("chairs", "gran", "Could you bring your folding chairs for the picnic, love?"),
            Said("of_course", "me", "Of course.", pause=0.4),
            Said(
                "prescription",
                "gran",
                "Olu, could you collect my prescription from the chemist by Thursday?",
            ),
            Said("sure_gran", "Olu", "Sure, Gran.", pause=0.4),
            Said("scones", "gran", "I'll write out my pumpkin scone recipe for you."),
        ),
    ),
    Recording(
        "owners_meeting",
        "2026-11-12T07:30:00Z",  # Thursday 12 November, 18:30 in Sydney
        "leuvenB.jpg",
        (
            Said(
                "open",
                "Siobhan",
                "Right, it's half past six, let's begin.",
                ("WATTLE COURT", "Residents only"),
            ),
            Said(
                "siobhan",
                "Siobhan",
                "For the new owners, my name's Siobhan and I chair the committee.",
                (SLIDE + "OWNERS' MEETING", "Agenda: lift, gate, gutters"),
            ),
            Said(
                "lift",
                "Siobhan",
                "The lift repair quote came in at eighteen thousand five hundred dollars.",
                (SLIDE + "LIFT REPAIR QUOTE", "$18,500 incl. GST"),
            ),
            Said("ask_rahul", "Siobhan", "Rahul, what did the technician tell you?"),
            Said(
                "motor",
                "Rahul",
                "He said the motor is twenty years old and should be replaced, not patched.",
            ),
            Said(
                "second",
                "Rahul",
                "I'll get a second quote from another lift company by the end of the month.",
            ),
            Said("noor", "Noor", "Sorry I'm late, it's Noor from flat nine, the back gate was jammed again."),
            Said(
                "notice",
                "Siobhan",
                "Noor, could you put up a notice about the water shutdown next Tuesday?",
            ),
            Said("tonight", "Noor", "Yes, tonight.", pause=0.4),
            Said("painted", "Rahul", "We already repainted the parking lines in October."),
            Said("gutters", "Siobhan", "The gutters need clearing before the storm season."),
            Said("garden", "me", "I wish we had a rooftop garden."),
        ),
    ),
    Recording(
        "soundcheck",
        "2026-11-13T06:30:00Z",  # Friday 13 November, 17:30 in Sydney
        "starry_night.jpg",
        (
            Said(
                "femi",
                "Femi",
                "Hi, I'm Femi, I'm doing sound tonight, welcome to the Bottlebrush Hotel.",
                ("THE BOTTLEBRUSH HOTEL", "Live music Fridays"),
            ),
            Said("check", "Femi", "First the room speakers, the desk will call out each one."),
            Real("sl", "alsa:Side_Left", (("test_voice", "Side, left."),), pause=0.5),
            Real("sr", "alsa:Side_Right", (("test_voice", "Side, right."),), pause=0.5),
            Real("rc", "alsa:Rear_Center", (("test_voice", "Rear, center."),)),
            Said(
                "cable",
                "Femi",
                "The back one sounds muddy, I'll swap that cable before the doors open at eight.",
            ),
            Said("snare_q", "Femi", "Gus, can you hit the snare a few times?"),
            Said("snare", "Gus", "Sure, here it comes.", pause=0.4),
            Said(
                "mirela",
                "Gus",
                "Mirela is stuck in traffic on the Anzac Bridge, she should be here by seven.",
            ),
            Said(
                "setlist",
                "me",
                "We're playing twelve songs tonight and finishing with Paper Lanterns.",
                (SLIDE + "SETLIST", "12. Paper Lanterns"),
            ),
            Said("entry", "Femi", "Entry is fifteen dollars, and the band gets two drink tickets each."),
            Said("merch", "Gus", "Someone needs to set up the merch table by the stairs."),
            Said("pizza", "Gus", "I'll grab pizzas for everyone at half past six."),
        ),
    ),
    Recording(
        "coastal_walk",
        "2026-11-13T22:30:00Z",  # Saturday 14 November, 09:30 in Sydney (Friday in UTC)
        "butterfly.jpg",
        (
            Said(
                "start",
                "me",
                "Saturday morning, and I'm walking the coastal path from Coogee to Bronte.",
                ("COASTAL WALK", "Bronte 3.2 km"),
            ),
            Said("heat", "me", "It's only half past nine and it's already twenty-four degrees."),
            Said(
                "petra",
                "me",
                "My neighbour Petra swears by a little bakery in Clovelly, so that's my first stop.",
            ),
            Said(
                "croissant",
                "me",
                "The almond croissant was five dollars eighty, and worth every cent.",
                ("ALMOND CROISSANT 5.80", "FLAT WHITE 4.50"),
            ),
            Said("dolphins", "me", "Just saw a pod of dolphins off the cliffs, six or seven of them."),
            Said("towel", "me", "I wish I'd brought a towel, the ocean pool looks perfect."),
            Said("physio", "me", "Note to self, book a physio appointment before the first of December."),
            Said("steps", "me", "Eleven thousand steps already, time for a coffee."),
        ),
    ),
)


def recording(name: str) -> Recording:
    return next(r for r in RECORDINGS if r.name == name)

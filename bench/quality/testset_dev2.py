"""The `dev2` split of bench/quality (issue 19's failure classes, new DEVELOPMENT material): what is said and shown.

Written fresh, from what people say and do, to find failure classes that the `dev` and `seen` material does not
show; development material from the start (read its failures, tune on it). It reuses v1's building blocks
(testset.Said, Real, Recording; bench/quality/testset_build.py builds it into .cache/quality/dev2/) and its
truth is bench/quality/truth_dev2.yaml, written by hand from this script.

Six recordings on six days of one October week, asked about on the Monday after (ASKED_NOW, in ASKED_TZ: the
diarist lives in New York). `call_with_mum` was recorded on Thursday evening in New York, which is already
Friday in UTC (its file's creation_time): its day is the Thursday.

What it holds on purpose:
- 3-4 voices in four recordings, with pairs of close pitch (Nadia / Grace, Victor / the intern, Rosa / Laura,
  the diarist / Martin) and turns under 2 s ("Got it.", "Sure.", "On it.", "Perfect.", the speaker test's
  calls);
- real speech from a package no other split uses: the speaker-test voice of Debian's `alsa-utils`
  (/usr/share/sounds/alsa/*.wav: "Front, left." …, one real woman's voice), never named;
- people who name themselves in several ways ("my name is", "X speaking", "I'm X", "this is X", "X here"),
  people who are only addressed by name and answer (Grace, Jonas, Bruno, Carlos, Julia), voices never named (the
  diarist, the intern, Mum, the speaker test, a passer-by) and people only spoken about (Tariq, Dad);
- tasks the speaker takes on, tasks given by name, tasks nobody owns, and things that are not tasks: "let's
  start", a proposal, work already done, a regret, requests carried out on the spot;
- places said in several ways, a sign that names a place that nobody says, and slides and dish names that are
  no place.
"""

from __future__ import annotations

import datetime as dt

from testset import SLIDE, Real, Recording, Said, screens, spoken_lines  # noqa: F401 - the v1 building blocks

ASKED_NOW = dt.datetime(2026, 10, 19, 21, 0, tzinfo=dt.UTC)  # Monday 19 October, 17:00 in New York
ASKED_TZ = "America/New_York"

VOICES: dict[str, tuple[str, int, int]] = {
    "Nadia": ("en-us+f5", 56, 155),
    "Grace": ("en-us+linda", 58, 155),  # close to Nadia
    "Victor": ("en-us+m8", 40, 150),
    "intern": ("en-us+david", 42, 150),  # close to Victor; never named
    "me": ("en-us+m2", 48, 150),  # the diarist, never named
    "Jonas": ("en-us+robert", 38, 150),
    "Rosa": ("en-gb-x-rp+f5", 60, 150),
    "Laura": ("en-us+f2", 62, 150),  # close to Rosa
    "Bruno": ("en-029+m3", 36, 145),
    "mum": ("en-gb+grandma", 45, 140),  # addressed as "Mum": no name
    "Martin": ("en-us+m1", 46, 150),  # close to the diarist
    "Fiona": ("en-gb+f3", 55, 145),
    "Carlos": ("en-gb+m4", 44, 150),
    "Julia": ("en-us+aunty", 55, 145),
    "passerby": ("en-gb+edward", 35, 150),  # never named
}

RECORDINGS: tuple[Recording, ...] = (
    Recording(
        "weekly_sync",
        "2026-10-12T13:15:00Z",  # Monday, 09:15 in New York
        "board.jpg",
        (
            Said("start", "Nadia", "Good morning, let's start the meeting.", (SLIDE + "WEEKLY SYNC", "Sprint 14")),
            Said(
                "nadia",
                "Nadia",
                "For our new intern: my name is Nadia and I lead the mobile team.",
                (SLIDE + "WEEKLY SYNC", "Sprint 14"),
            ),
            Said("victor", "Victor", "Victor speaking, I look after the servers."),
            Said("hello", "intern", "Thanks, happy to be here."),
            Said("notes", "Nadia", "Grace, can you update the release notes by Wednesday?"),
            Said("got_it", "Grace", "Got it.", pause=0.4),
            Said("fixed", "Grace", "I already fixed the login bug on Friday."),
            Said("move", "Victor", "I'll move the test server to our data centre in Frankfurt next week."),
            Said("backup", "Victor", "I should have backed up the database before the update."),
            Said("pairing", "Nadia", "Maybe we could try pair programming on Thursdays."),
            Said("sure", "intern", "Sure.", pause=0.4),
            Said("tariq", "Nadia", "Tariq is off sick today, so his demo moves to Friday."),
            Said("thanks", "Nadia", "Okay, thanks everyone."),
        ),
    ),
    Recording(
        "speaker_setup",
        "2026-10-13T23:30:00Z",  # Tuesday, 19:30 in New York
        "home.jpg",
        (
            Said(
                "jonas",
                "me",
                "My friend Jonas came over to help me set up the new speakers in the living room.",
                ("SPEAKER SETUP", "Test tone: on"),
            ),
            Said("ready", "me", "Jonas, is the receiver ready?"),
            Said("test", "Jonas", "Yes, it will now say which speaker is playing.", ("SPEAKER SETUP", "Test tone: on")),
            Real("fl", "alsa:Front_Left", (("test_voice", "Front, left."),), pause=0.5),
            Real("fr", "alsa:Front_Right", (("test_voice", "Front, right."),), pause=0.5),
            Real("fc", "alsa:Front_Center", (("test_voice", "Front, center."),)),
            Said("front_ok", "me", "The three front ones work."),
            Real("rl", "alsa:Rear_Left", (("test_voice", "Rear, left."),), pause=0.5),
            Real("rr", "alsa:Rear_Right", (("test_voice", "Rear, right."),)),
            Said("cable", "Jonas", "The rear right one is too quiet, I'll bring a longer cable on Sunday."),
            Said("cost", "me", "All five speakers cost four hundred dollars."),
            Said("remote", "me", "I need to return the broken remote to the store by Friday."),
            Said("thanks", "me", "Thanks, Jonas."),
        ),
    ),
    Recording(
        "cooking_class",
        "2026-10-14T22:00:00Z",  # Wednesday, 18:00 in New York
        "orange.jpg",
        (
            Said(
                "welcome",
                "Rosa",
                "Hi everyone, I'm Rosa, welcome to Maple Street Kitchen.",
                ("MAPLE STREET KITCHEN", "Cooking school"),
            ),
            Said("dish", "Rosa", "Tonight we are making shakshuka.", (SLIDE + "TONIGHT: SHAKSHUKA", "eggs in tomato sauce")),
            Said("eggs", "Rosa", "You need six eggs, two red peppers and a can of tomatoes."),
            Said("late", "Laura", "Hi, this is Laura, sorry I'm late, the bus from Cambridge was slow."),
            Said("onions", "Rosa", "Bruno, can you chop the onions?"),
            Said("on_it", "Bruno", "On it.", pause=0.4),
            Said("simmer", "Rosa", "The sauce simmers for fifteen minutes."),
            Said("apron", "me", "I wish I had brought an apron."),
            Said(
                "tart",
                "Rosa",
                "Next week is lemon tart, so please bring a tart tin.",
                (SLIDE + "NEXT WEEK: LEMON TART", "bring a tart tin"),
            ),
            Said("lemons", "Laura", "I'll bring extra lemons for everyone."),
            Said("good", "me", "Sounds good.", pause=0.4),
        ),
    ),
    Recording(
        "call_with_mum",
        "2026-10-16T00:20:00Z",  # Thursday 15 October, 20:20 in New York (Friday in UTC)
        "home.jpg",
        (
            Said("hi", "me", "Hi Mum, can you hear me?"),
            Said("brother", "mum", "Yes, love, and your brother is here too."),
            Said("martin", "Martin", "Hey, Martin here, I just got back from Portland."),
            Said("dentist_q", "mum", "How was the dentist today?"),
            Said("dentist", "me", "Fine, no cavities, but I have to go back in March for a cleaning."),
            Said("dad", "mum", "Your father turns seventy on the second of November."),
            Said("table", "Martin", "I'll book a table at the Italian place on Elm Street."),
            Said("perfect", "me", "Perfect.", pause=0.4),
            Said("sorry", "mum", "I'm sorry I missed your call on Sunday."),
            Said("cake", "me", "Martin, could you pick up the cake on the way?"),
            Said("sure", "Martin", "Sure thing.", pause=0.4),
            Said("night", "mum", "Good night, both of you."),
        ),
    ),
    Recording(
        "bird_talk",
        "2026-10-16T23:00:00Z",  # Friday, 19:00 in New York
        "aero3.jpg",
        (
            Said(
                "fiona",
                "Fiona",
                "Good evening, my name is Fiona Walsh and I volunteer with the bird club.",
                (SLIDE + "BACKYARD BIRDS", "a talk for beginners"),
            ),
            Said(
                "cardinal",
                "Fiona",
                "The cardinal is the easiest bird to spot in winter, because the male is bright red.",
                (SLIDE + "NORTHERN CARDINAL", "Cardinalis cardinalis"),
            ),
            Said("chickadee", "Fiona", "A chickadee weighs about eleven grams."),
            Said("carlos_q", "Fiona", "Yes, Carlos, go ahead."),
            Said("spring", "Carlos", "Should we stop feeding them in spring?"),
            Said("all_year", "Fiona", "No, feeding them all year is fine."),
            Said(
                "walk",
                "Fiona",
                "Our next bird walk is in Hollow Creek Park at seven on Sunday morning.",
                (SLIDE + "BIRD WALK", "Sunday 7 am"),
            ),
            Said("sign_up", "Fiona", "Please sign up at the front desk before you leave."),
            Said("binoculars", "Carlos", "I'll bring my old binoculars for the kids."),
        ),
    ),
    Recording(
        "mountain_hike",
        "2026-10-17T14:00:00Z",  # Saturday, 10:00 in New York
        "aloeL.jpg",
        (
            Said(
                "summit",
                "me",
                "We made it to the top of Mount Beacon, it took us two hours.",
                ("MOUNT BEACON SUMMIT", "ELEV. 1531 FT"),
            ),
            Said("knees", "me", "Julia, how are your knees?"),
            Said("sore", "Julia", "A bit sore, but fine."),
            Said("deer", "me", "We saw a deer near the Beacon Reservoir on the way up."),
            Said("sunscreen", "Julia", "I forgot my sunscreen, I should have packed it last night."),
            Said("photo", "me", "Excuse me, could you take a picture of us?", ("BEACON FIRE TOWER", "0.5 MI")),
            Said("smile", "passerby", "Sure, smile!", ("BEACON FIRE TOWER", "0.5 MI"), pause=0.4),
            Said("boots", "me", "Remind me to buy new hiking boots before winter."),
            Said("photos", "Julia", "I'll send you the photos tomorrow."),
            Said("trail", "me", "Let's take the other trail down."),
        ),
    ),
)


def recording(name: str) -> Recording:
    return next(r for r in RECORDINGS if r.name == name)

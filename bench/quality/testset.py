"""The `seen` split (v1) of bench/quality and bench/retrieval (issue 19, section 5): what is said and shown.

Written as the held-out test split before any rule or threshold of issue 19 was changed. Its failures were
then read one by one and a rule was fixed after seeing one of them (b41f1df), so it is development material
now, named `seen` by the benches; the test split is v2 (testset_v2.py), which reuses the building blocks below.

Each recording is a dated video: parts said one after another (espeak-ng voices, or real speech cut from
public packages), each over a real photo or frame from Debian's `opencv-doc`, some with a sign or a slide
drawn on it. bench/quality/testset_build.py turns this script into media, deterministically, at bench time
(no media is committed), together with each part's exact times and a reference RTTM (who spoke when, known
by construction). The truth (bench/quality/truth_test.yaml) was written by hand from this script; the real
parts' words are the packages' own transcripts (CMU ARCTIC prompts, pocketsphinx's `cards.transcription`)
or, for the telephone call, the words of the development split's human transcript (the call is the one
source shared with the development split, cut and placed differently).

Voices (espeak-ng variant, pitch, words a minute). Two pairs are of close pitch on purpose: Tom and Ravi
(male, pitch 40 / 43), Lena and Mia (female, 58 / 61); Diane and Sheila on the real call are two women of
close pitch. Turns under 2 s ("Sure.", "I won't.", the card calls) are in every multi-speaker recording.
"""

from __future__ import annotations

from dataclasses import dataclass

VOICES: dict[str, tuple[str, int, int]] = {
    "Hana": ("en-us+f3", 50, 155),
    "Tom": ("en-us+m1", 40, 150),
    "Ravi": ("en-us+m2", 43, 150),
    "Maya": ("en-gb+f2", 62, 150),
    "Leo": ("en-us+m7", 48, 150),
    "Lena": ("en-us+f2", 58, 155),
    "Mia": ("en-us+f4", 61, 155),
    "Omar": ("en-gb+m3", 35, 145),
    "dad": ("en-us+m6", 30, 145),  # never named: his voice must stay unnamed
    "Elena": ("en-gb-x-rp+f1", 52, 145),
    "Sam": ("en-us+m4", 55, 160),
    "me": ("en-us", 50, 150),  # the diarist, never named
    "Felix": ("en-gb-scotland+m5", 45, 150),
}


@dataclass(frozen=True)
class Said:
    """A line said by a voice of VOICES (`speaker` is the truth: a name, or a lowercase unnamed id)."""

    key: str
    speaker: str
    text: str
    screen: tuple[str, ...] = ()  # lines of a sign or slide shown while it is said
    pause: float = 0.6


@dataclass(frozen=True)
class Real:
    """Real speech from a package: `source` names it for the builder; `lines` are (speaker, words) as
    truth for the retrieval corpus; the reference RTTM comes from the source (or its speech extent)."""

    key: str
    source: str
    lines: tuple[tuple[str, str], ...]
    screen: tuple[str, ...] = ()
    pause: float = 0.8


@dataclass(frozen=True)
class Recording:
    name: str
    recorded_at: str  # ISO, UTC (the file's creation_time)
    background: str  # an opencv-doc picture (examples/data/NAME) or clip frame
    parts: tuple[Said | Real, ...]


SLIDE = "slide:"  # a screen whose first line starts so is drawn as a full slide, else as a sign

RECORDINGS: tuple[Recording, ...] = (
    Recording(
        "planning_meeting",
        "2026-06-08T09:00:00Z",
        "building.jpg",
        (
            Said("open", "Hana", "Okay, let's start the planning meeting.", (SLIDE + "Q3 ROADMAP REVIEW",)),
            Said("hana", "Hana", "This is Hana, I run the design team.", (SLIDE + "Q3 ROADMAP REVIEW",)),
            Said("tom", "Tom", "Tom here, from finance."),
            Said("ravi", "Ravi", "Hi everyone, I'm Ravi and I look after the warehouse."),
            Said("budget", "Hana", "Tom, can you send the budget figures to Ravi by Thursday?"),
            Said("sure", "Tom", "Sure.", pause=0.4),
            Said("chairs", "Ravi", "I'll order twelve new chairs for the meeting room."),
            Said("ask_maya", "Hana", "Maya, what do you think about the launch date?"),
            Said("launch", "Maya", "I think we should move the launch to the fourteenth of July."),
            Said("works", "Tom", "That works for me.", pause=0.4),
            Said("posters", "Maya", "We need to print the new posters before the launch."),
            Said("thanks", "Hana", "Great, thanks everyone."),
        ),
    ),
    Recording(
        "call_with_leo",
        "2026-06-09T18:00:00Z",
        "home.jpg",
        (
            Said("leo_intro", "Leo", "Leo here, I'm recording the call with my aunts for the family archive."),
            Real(
                "call",
                "pyannote_call",
                (
                    ("Diane", "This is Diane in New Jersey."),
                    ("Sheila", "And I'm Sheila, in Texas, originally from Chicago."),
                    ("Diane", "Oh, I'm originally from Chicago also, I'm in New Jersey now though."),
                    ("Sheila", "Well, there is not much difference, they all call me a Yankee down here."),
                ),
            ),
            Said("after", "Leo", "That was Diane and Sheila, they both grew up in Chicago."),
            Said("callback", "Leo", "I need to call Sheila back on Sunday about the reunion."),
            Said("albums", "Leo", "Sheila will bring the old photo albums to the reunion."),
        ),
    ),
    Recording(
        "family_call",
        "2026-06-10T18:30:00Z",
        "home.jpg",
        (
            Said("hello", "Lena", "Hi Uncle Omar, it's Lena, can you hear us?"),
            Said("clear", "Omar", "Yes, loud and clear, I'm calling from Lisbon."),
            Said("mia", "Mia", "Mia speaking, I'm here too."),
            Said("trip_q", "Omar", "How was the school trip to York?"),
            Said("trip", "Mia", "It was great, we visited the railway museum and saw three steam engines."),
            Said("patel", "Lena", "Mia, don't forget to thank Mrs Patel for the photos."),
            Said("wont", "Mia", "I won't.", pause=0.4),
            Said("dinner", "dad", "Dinner is ready in ten minutes."),
            Said("pictures", "Omar", "I'll send you the pictures from Lisbon tonight."),
            Said("bye", "Lena", "Bye Omar, talk soon."),
        ),
    ),
    Recording(
        "soil_lecture",
        "2026-06-11T13:00:00Z",
        "aero1.jpg",
        (
            Said(
                "welcome",
                "Elena",
                "Good afternoon, my name is Elena Alvarez and this is lecture four, on composting.",
                (SLIDE + "SOIL SCIENCE 101", "Lecture 4: Composting"),
            ),
            Said(
                "ratio",
                "Elena",
                "A healthy compost pile needs about thirty parts carbon to one part nitrogen.",
                (SLIDE + "Carbon : Nitrogen", "30 : 1"),
            ),
            Said("turned", "Elena", "Air must reach the middle of the pile, so it is turned every two weeks."),
            Said("question", "Elena", "Yes, Sam, you had a question?"),
            Said("sam", "Sam", "Can we compost orange peel too?"),
            Said("answer", "Elena", "Yes, but only in small amounts, because it is acidic."),
            Said(
                "homework",
                "Elena",
                "You need to read chapter five before the next lecture.",
                (SLIDE + "Homework", "Read chapter 5"),
            ),
        ),
    ),
    Recording(
        "reading_circle",
        "2026-06-12T17:00:00Z",
        "leuvenA.jpg",
        (
            Said("felix", "Felix", "Felix here, welcome to the reading circle."),
            Said("first", "Felix", "Our first reader has a line from an old adventure novel."),
            Real("a0009", "arctic_a0009", (("reader_b", "He turned sharply, and faced Gregson across the table."),)),
            Said("second", "Felix", "Thank you. And now a line from the same book."),
            Real("a0007", "arctic_a0007", (("reader_a", "And you always want to see it in the superlative degree."),)),
            Said("cards", "Felix", "Afterwards we played cards, and our dealer called the hands."),
            Real("c001", "cards_001", (("dealer", "Ten of clubs."),), pause=0.5),
            Real("c003", "cards_003", (("dealer", "Seven of clubs."),), pause=0.5),
            Real("c005", "cards_005", (("dealer", "Eight of spades, four of clubs, seven of hearts."),)),
            Said("snacks", "Felix", "Next week I'll bring the snacks."),
        ),
    ),
    Recording(
        "market_day",
        "2026-06-13T09:30:00Z",
        "fruits.jpg",
        (
            Said(
                "market",
                "me",
                "I'm at the riverside market with my sister Nora.",
                ("RIVERSIDE FARMERS MARKET", "SATURDAYS 8-1"),
            ),
            Said("honey", "me", "We bought two jars of honey and a loaf of rye bread."),
            Said("cash", "me", "The cheese stall only takes cash, so I paid nine euros in coins."),
            Said("lunch", "me", "Lunch was pad thai from the food truck.", ("PAD THAI 9.50",)),
            Said("train", "me", "At eleven we took the train to York.", ("Platform 6", "Trains to York")),
            Said("library", "me", "I need to return the library books on Monday."),
            Said("nora", "me", "Nora will water my plants while I'm away."),
        ),
    ),
)


def recording(name: str) -> Recording:
    return next(r for r in RECORDINGS if r.name == name)


def spoken_lines(rec: Recording) -> list[tuple[str, str, str]]:
    """(key, speaker, words) in order; a real part with several lines gives keys KEY, KEY.2, …"""
    out = []
    for part in rec.parts:
        if isinstance(part, Said):
            out.append((part.key, part.speaker, part.text))
        else:
            for i, (speaker, text) in enumerate(part.lines):
                out.append((part.key if i == 0 else f"{part.key}.{i + 1}", speaker, text))
    return out


def screens(rec: Recording) -> list[tuple[str, str]]:
    """(part key, the text shown) for each part that shows a sign or a slide."""
    return [
        (p.key, " ".join(line.removeprefix(SLIDE) for line in p.screen)) for p in rec.parts if p.screen
    ]

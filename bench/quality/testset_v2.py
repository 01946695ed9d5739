"""The TEST split of bench/quality and bench/retrieval, version 2 (issue 19, section 5): what is said and shown.

Why a second test split: the first one (testset.py, "v1") was run, its failures were read one by one, and a
rule was fixed after seeing one of them (commit b41f1df). v1 is now development material (the `seen` split).
This script was written on 2026-12-07 from what people do (a team huddle, a robot club, a family call, a
museum tour, a day of errands, a pub quiz), before any further tuning, without reading the code's naming,
task or place rules, and committed before it was ever run against the code. Run it only to report: nothing
here may be tuned on. When it has been read for failures and tuned on, it too becomes `seen`: write a v3.

It reuses v1's building blocks (Said, Real, Recording, SLIDE, spoken_lines, screens) and builder
(testset_build.py, `build(name, "test")`): each recording is a dated video of parts said one after another
(espeak-ng voices, or real speech cut from a package), over a real opencv-doc photo, some with a sign or a
slide drawn on it; the builder writes each part's times and a reference RTTM known by construction. Nothing
is shared with v1 or the development split: new people, names, places, days (14-19 September 2026), topics.

Real speech (robot_club): pocketsphinx 5.1.1's own test recordings, none of them used by v1 or dev:
`goforward.raw` ("go forward ten meters": the words of its grammar goforward.gram) and `something.raw` (no
transcript ships; the words as heard), taken as one speaker (same package, Resemblyzer cosine 0.75 between
them against 0.41-0.62 to the others); `forever/input_2_16k.wav` ("feels like these days go on forever": its
alignment test's text); `vad/leak-test.wav` (no transcript ships; the words as heard). Three real voices who
never say their names: the mentor addresses each by name and they answer (speak next). CMU ARCTIC's two
packaged prompts and the pyannote call are not used: v1 and dev have them.

Voices (espeak-ng variant, pitch, words a minute). Three pairs are of close pitch on purpose: Bruno and Kenji
(44 / 47), Rosa and Carmen (56 / 59, sisters), Declan and Marek (38 / 41). Turns under 2 s ("Will do.",
"Sure thing.", "Of course.", "Happy to.", "Absolutely.") are in the multi-speaker recordings.
"""

from __future__ import annotations

from testset import SLIDE, Real, Recording, Said, screens, spoken_lines

__all__ = ["RECORDINGS", "VOICES", "recording", "screens", "spoken_lines", "Said", "Real", "Recording"]

VOICES: dict[str, tuple[str, int, int]] = {
    "Ingrid": ("en-gb+Andrea", 55, 155),
    "Bruno": ("en-us+Caleb", 44, 150),
    "Kenji": ("en-us+Paul", 47, 150),
    "Aisha": ("en-us+Belinda", 63, 150),
    "Gwen": ("en-gb-x-gbclan+Steph", 53, 150),
    "Rosa": ("en-us+Linda", 56, 155),
    "Carmen": ("en-us+Annie", 59, 155),
    "Yusuf": ("en-029+Mike", 40, 145),
    "Harriet": ("en-gb-x-gbcwmd+Andrea", 50, 145),
    "Bilal": ("en-us+Zac", 52, 155),
    "Oksana": ("en-gb+Belinda", 66, 150),
    "Declan": ("en-gb-scotland+Rob", 38, 150),
    "Marek": ("en-gb-x-gbcwmd+Edward", 41, 150),
    "Zofia": ("en-us+Andrea", 61, 155),
    "me": ("en-us+Adam", 48, 150),  # the diarist, never named
}

PS = "ps:"  # a real part from the pocketsphinx 5.1.1 sdist: ps:<path inside its test/ folder>

RECORDINGS: tuple[Recording, ...] = (
    Recording(
        "weekly_huddle",
        "2026-09-14T08:30:00Z",
        "board.jpg",
        (
            Said(
                "open",
                "Ingrid",
                "Good morning, my name is Ingrid and I'll keep this short.",
                (SLIDE + "WEEKLY HUDDLE", "Agenda: vans, survey, rota"),
            ),
            Said("bruno", "Bruno", "Bruno here, I look after the delivery vans."),
            Said("kenji", "Kenji", "Hello, I'm Kenji, I started on the support desk in August."),
            Said("ask_aisha", "Ingrid", "Aisha, how did the customer survey go?"),
            Said("survey", "Aisha", "Really well, eighty-four percent of customers said they were happy with the service."),
            Said("vans", "Bruno", "Two of our vans failed their inspection on Saturday."),
            Said("garage", "Ingrid", "Bruno, can you take both vans to the garage on Foundry Road this week?"),
            Said("will_do", "Bruno", "Will do.", pause=0.4),
            Said("rota", "Ingrid", "Kenji, please update the weekend rota before Friday."),
            Said("sure", "Kenji", "Sure thing.", pause=0.4),
            Said("board", "Aisha", "I'll present the full survey results to the board in October."),
            Said("fourday", "Kenji", "Maybe one day we could try a four-day week."),
            Said("close", "Ingrid", "Thanks, everyone, same time next Monday."),
        ),
    ),
    Recording(
        "robot_club",
        "2026-09-15T16:00:00Z",
        "blox.jpg",
        (
            Said(
                "open",
                "Gwen",
                "Welcome back to the robot club at the Elm Street library, I'm Gwen, your mentor this term.",
                ("ROBOT CLUB", "TUESDAYS 5 PM"),
            ),
            Said("ask_pablo", "Gwen", "Pablo, give our robot its first voice command."),
            Real("cmd1", PS + "data/goforward.raw", (("Pablo", "Go forward ten meters."),)),
            Said("moved", "Gwen", "It rolled all the way to the door, well done."),
            Said("harder", "Gwen", "Pablo, now try a harder one."),
            Real("cmd2", PS + "data/something.raw", (("Pablo", "Go somewhere and do something."),)),
            Said("confused", "Gwen", "Ha, that one confused it completely."),
            Said("ask_jules", "Gwen", "Jules, please read the test sentence for the microphone."),
            Real(
                "steel",
                PS + "data/vad/leak-test.wav",
                (("Jules", "The device was built of soft and thin steel, inside well-wrapped glass and light firm."),),
            ),
            Said("ask_noor", "Gwen", "And Noor, your line for the robot's song."),
            Real("forever", PS + "data/forever/input_2_16k.wav", (("Noor", "Feels like these days go on forever."),)),
            Said("batteries", "Gwen", "Noor, can you bring spare batteries next Tuesday?"),
            Said("contest", "Gwen", "The regional competition is on the third of October in Dunmore."),
            Said("lock", "Gwen", "I'll lock the hall after we tidy up."),
        ),
    ),
    Recording(
        "sisters_call",
        "2026-09-16T18:30:00Z",
        "leuvenB.jpg",
        (
            Said("rosa", "Rosa", "Hi, it's Rosa, can you see me?"),
            Said("me_hi", "me", "Yes, the picture is fine, hello from the kitchen."),
            Said("carmen", "Carmen", "And I'm Carmen, I just landed in Valencia."),
            Said("ask_yusuf", "Rosa", "Yusuf, come and say hi to my sister."),
            Said("yusuf", "Yusuf", "Hi Carmen, how was the flight?"),
            Said("flight", "Carmen", "Long, almost four hours, but the view over the mountains was amazing."),
            Said("party", "Rosa", "So, Mum's seventieth birthday party is on Saturday the twenty-sixth."),
            Said("cake", "Rosa", "Carmen, could you order the cake from the bakery near Mum's flat?"),
            Said("of_course", "Carmen", "Of course.", pause=0.4),
            Said("playlist", "me", "I'll put together a playlist of her old favourite songs."),
            Said("castle", "Yusuf", "We should hire a bouncy castle for the kids."),
            Said("guests", "Rosa", "We have invited thirty-five guests so far."),
            Said("taxi", "Carmen", "I have to run, my taxi is here."),
        ),
    ),
    Recording(
        "gallery_tour",
        "2026-09-17T10:00:00Z",
        "starry_night.jpg",
        (
            Said(
                "intro",
                "Harriet",
                "Hello and welcome, I'm Harriet and I'll be your guide through the Bronze Age rooms today.",
                ("GALLERY 7", "THE BRONZE AGE"),
            ),
            Said(
                "hoard",
                "Harriet",
                "This hoard of forty-two bronze axes was found by a farmer near Castlebrook in nineteen fifty-one.",
                (SLIDE + "The Castlebrook Hoard", "42 axes, found 1951"),
            ),
            Said("bilal", "Bilal", "Hi, Bilal here, how did they make the moulds?"),
            Said("moulds", "Harriet", "Good question, Bilal, the moulds were carved from soft stone."),
            Said(
                "flash",
                "Harriet",
                "Flash damages the old pigments, so photos are not allowed in this room.",
                ("NO FLASH PHOTOGRAPHY",),
            ),
            Said("oksana", "Oksana", "My name is Oksana, is the gift shop still open?"),
            Said("shop", "Harriet", "Yes, it closes at half past four."),
            Said("kids", "me", "I need to come back with the kids during the half-term holiday."),
            Said("leaflets", "Harriet", "Oksana, would you hand out these leaflets to the group?"),
            Said("happy", "Oksana", "Happy to.", pause=0.4),
        ),
    ),
    Recording(
        "errands_day",
        "2026-09-18T09:00:00Z",
        "orange.jpg",
        (
            Said(
                "chemist",
                "me",
                "First stop was the chemist on Kestrel Street for my allergy tablets.",
                ("KESTREL PHARMACY", "OPEN 8-6"),
            ),
            Said("price", "me", "A month of tablets cost eleven pounds forty."),
            Said(
                "bun",
                "me",
                "Then I grabbed a cinnamon bun at the little bakery by the canal.",
                ("CINNAMON BUN 2.80",),
            ),
            Said("tyres", "me", "The bike shop says my new tyres will be ready on Tuesday afternoon."),
            Said("passport", "me", "I must renew my passport before the trip in December."),
            Said("umbrella", "me", "I really should have brought an umbrella today."),
            Said("cards", "me", "Posted three birthday cards at the post office on the corner."),
        ),
    ),
    Recording(
        "quiz_night",
        "2026-09-19T19:00:00Z",
        "butterfly.jpg",
        (
            Said(
                "host",
                "Declan",
                "Evening all, I'm Declan, your quizmaster at the Anchor tonight.",
                (SLIDE + "QUIZ NIGHT", "Round 3: Geography"),
            ),
            Said("marek", "Marek", "Marek here, captain of the Night Owls."),
            Said("q1", "Declan", "Question one, what is the capital of Canada?"),
            Said("ask_zofia", "Declan", "Zofia, what does your team say?"),
            Said("ottawa", "Zofia", "Ottawa, definitely."),
            Said("points", "Declan", "After three rounds the Night Owls lead with twenty-seven points."),
            Said("idea", "me", "Our team name was my idea, by the way."),
            Said("fee", "Zofia", "The entry fee was four pounds each."),
            Said("charity", "Declan", "All the money goes to the lifeboat charity."),
            Said("photos", "Marek", "Declan, can you send us the photos from tonight?"),
            Said("absolutely", "Declan", "Absolutely.", pause=0.4),
        ),
    ),
)


def recording(name: str) -> Recording:
    return next(r for r in RECORDINGS if r.name == name)

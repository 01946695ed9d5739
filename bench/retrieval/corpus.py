"""Scripted days (the eval's videos) and the questions asked of them, each with its truth span: the
DEVELOPMENT split, which fusion weights and "found" thresholds are tuned on. The `seen` split (corpus_test.py,
v1, development material since it was tuned on) and the held-out TEST split (corpus_test_v2.py, from
bench/quality/testset_v2.py) are built the same way; the test split is only reported (issue 19).

Each day is a list of (key, speaker, line) as the speech of one recording; times follow from the words
(≈2.6 words a second plus a pause, like sample_media's espeak-ng voice). `chunks()` cuts them the way the
pipeline does: one transcript chunk per speaker turn (≤ 25 s), an action-item chunk per action, one summary
chunk over the whole video. `garden-copy` is a copy of `garden` under another id (a copied file).

Questions: (text, truth) where truth is "day:key" (or several, "|"-separated), or None for "not in your
videos". Kinds: paraphrase, name, number, distractor (dentist vs vet, flight vs train...), date (said
relative to EVAL_NOW in EVAL_TZ), notfound.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lifestream.core.constants import MOMENT_SECONDS
from lifestream.core.models import Chunk, ChunkType

EVAL_NOW = dt.datetime(2026, 11, 25, 18, 0, tzinfo=dt.UTC)  # a Wednesday
EVAL_TZ = "Europe/Berlin"
WORDS_PER_SECOND = 2.6
PAUSE = 0.7

# day id -> (recorded date, summary, [(key, speaker, line)], {key: action item})
DAYS: dict[str, tuple[str, str, list[tuple[str, str, str]], dict[str, str]]] = {
    "workday": (
        "2026-11-16",
        "A Monday at the office: stand-up with Priya, the Q4 budget, and booking a flight to Lisbon.",
        [
            (
                "standup",
                "Priya",
                "Morning everyone, let's do the stand-up quickly because the client call is at ten.",
            ),
            (
                "tickets",
                "Me",
                "I closed the three login tickets yesterday and I am starting on the export feature.",
            ),
            (
                "budget",
                "Priya",
                "The Q4 budget is forty-two thousand euros, and we have spent thirty-one so far.",
            ),
            ("hire", "Priya", "We are hiring one more designer in January, interviews start next week."),
            (
                "lunch",
                "Me",
                "Lunch was a falafel wrap from the stall across the street, honestly the best in town.",
            ),
            (
                "flight",
                "Me",
                "I booked the flight to Lisbon for the conference, it leaves Thursday at six forty in the morning.",
            ),
            ("seat", "Me", "Seat fourteen A, window, and I paid extra for one checked bag."),
            ("hotel", "Me", "The hotel is near the river, the booking reference is K7Q2."),
            ("laptop", "Marco", "Your new laptop arrives Friday, it has thirty-two gigabytes of memory."),
            ("password", "Marco", "Please rotate your VPN password before the end of the month."),
            ("bike", "Me", "Rode my bike home in the rain, I need new mudguards."),
        ],
        {
            "password": "Rotate the VPN password before the end of the month.",
            "bike": "Buy new bike mudguards.",
        },
    ),
    "dentist": (
        "2026-11-18",
        "A Wednesday of errands: the dentist, the pharmacy, a call with Mum and a parcel.",
        [
            (
                "dentist",
                "Me",
                "At the dentist this morning, Doctor Weber found a small cavity in a lower molar.",
            ),
            ("filling", "Dr Weber", "We will put in a filling on the second of December at half past eight."),
            ("floss", "Dr Weber", "Floss every evening and switch to a softer toothbrush."),
            ("pharmacy", "Me", "At the pharmacy I picked up the ibuprofen and a bottle of vitamin D drops."),
            ("price", "Me", "The vitamin D cost eleven euros fifty, more than I expected."),
            ("mum", "Mum", "Hello love, your father's knee operation went well, he is home already."),
            (
                "christmas",
                "Mum",
                "For Christmas we are coming on the twenty-third and staying until the twenty-seventh.",
            ),
            ("cake", "Mum", "I will bake the walnut cake, you bring the red wine."),
            ("parcel", "Me", "The parcel with the winter boots finally came, size forty-three fits."),
            ("recycling", "Me", "Tomorrow is recycling day, put out the paper and the glass."),
        ],
        {"recycling": "Put out the paper and glass recycling.", "cake": "Bring red wine for Christmas."},
    ),
    "hike": (
        "2026-11-21",
        "A Saturday hike with Tom to the lake, and Biscuit at the vet.",
        [
            (
                "trail",
                "Tom",
                "We parked at the north trailhead and the loop to the lake is eleven kilometres.",
            ),
            ("lake", "Me", "The lake is completely still today, you can see the mountains in the water."),
            ("heron", "Tom", "Look, a grey heron on the far shore, standing on one leg."),
            ("sandwich", "Me", "We ate cheese sandwiches on the bench by the boathouse."),
            ("blister", "Me", "I have a blister on my left heel, these boots are still too stiff."),
            ("vet", "Me", "In the afternoon I took Biscuit to the vet because he was limping."),
            ("paw", "Dr Lang", "Biscuit has a thorn in his front paw, I removed it and cleaned the wound."),
            ("vaccine", "Dr Lang", "His rabies vaccination is due in March, we will send a reminder."),
            ("bill", "Me", "The vet bill was sixty-five euros including the antibiotic cream."),
            ("movie", "Tom", "Tonight we are watching the documentary about octopuses."),
        ],
        {"paw": "Put antibiotic cream on Biscuit's paw twice a day."},
    ),
    "sunday": (
        "2026-11-22",
        "A Sunday at home: cooking soup, train tickets to Munich and a book.",
        [
            ("soup", "Me", "Making pumpkin soup with ginger and coconut milk, enough for four days."),
            (
                "recipe",
                "Me",
                "The trick is roasting the pumpkin first at two hundred degrees for forty minutes.",
            ),
            (
                "train",
                "Me",
                "I bought the train tickets to Munich for the fourth of December, the ICE at nine twelve.",
            ),
            ("price_train", "Me", "Return tickets were eighty-nine euros with the railcard."),
            ("book", "Me", "Reading The Overstory, I am on chapter nine, the part about the chestnut tree."),
            ("sister", "Lena", "Lena here, can you lend me your tent for the festival in June?"),
            ("tent", "Me", "Sure, the tent is in the basement, the blue bag next to the bicycles."),
            ("plant", "Me", "The fig tree on the balcony needs to come inside before the frost."),
            ("laundry", "Me", "Laundry done, but the blue sweater shrank in the dryer."),
        ],
        {"plant": "Bring the fig tree inside before the frost."},
    ),
    "deadline": (
        "2026-11-24",
        "A Tuesday with the project deadline meeting with Priya, the gym, and the car at the garage.",
        [
            ("deadline", "Priya", "The deadline for the Atlas project moves to the fifteenth of January."),
            (
                "demo",
                "Priya",
                "We show the demo to the board on the ninth, so the export feature must work by then.",
            ),
            ("risk", "Me", "My worry is the data migration, it took six hours in the last test run."),
            ("owner", "Priya", "Sam will own the migration from now on, and you help with the test plan."),
            ("gym", "Me", "At the gym I did three sets of squats at seventy kilos, a new record."),
            ("trainer", "Jonas", "Next week we add deadlifts, and remember to stretch your hamstrings."),
            ("mechanic", "Me", "The mechanic says the brake pads are worn and the car needs new tyres."),
            ("quote", "Me", "The garage quoted four hundred and twenty euros for pads and tyres together."),
            ("pickup", "Me", "I can pick the car up on Thursday after four."),
            (
                "dinner",
                "Me",
                "Dinner with Anna at the Thai place, we shared green curry and mango sticky rice.",
            ),
        ],
        {
            "owner": "Write the migration test plan with Sam.",
            "pickup": "Pick up the car on Thursday after four.",
        },
    ),
    "garden": (
        "2026-11-19",
        "A Thursday in the garden with Anna: planting, shopping list and photos for grandma.",
        [
            ("plant", "Me", "Good morning. Today I am planting tulip bulbs in the back garden with Anna."),
            ("buy", "Me", "We need to buy more compost and a new watering can from the hardware store."),
            ("call", "Me", "In the afternoon I called the plumber about the dripping kitchen tap."),
            ("plumber", "Anna", "The plumber can only come next Monday between eight and noon."),
            ("photos", "Me", "Remember to send the holiday photos to grandma before the weekend."),
            ("birds", "Anna", "There are two robins at the feeder again, they love the sunflower seeds."),
            ("shed", "Me", "The shed roof leaks in the corner, we should patch it with roofing felt."),
        ],
        {"buy": "Buy compost and a watering can.", "photos": "Send the holiday photos to grandma."},
    ),
    "birthday": (
        "2026-03-14",
        "A Saturday in March: Oma's eightieth birthday party.",
        [
            ("party", "Me", "We are at Oma's eightieth birthday, the whole family came to the village hall."),
            (
                "speech",
                "Uncle Karl",
                "Uncle Karl gave a speech about the summer Oma drove a tractor to Italy.",
            ),
            ("gift", "Me", "Our gift was a photo album with pictures from seventy years."),
            ("band", "Me", "The brass band played her favourite waltz and she danced with Grandpa."),
        ],
        {},
    ),
}
COPIES = {"garden-copy": "garden"}  # a second, identical recording of the same file under another id

Q = tuple[str, str | None, str]  # question, truth ("day:key|day:key"), kind
QUESTIONS: list[Q] = [
    # --- workday
    ("when is the client call", "workday:standup", "paraphrase"),
    ("how many login tickets did I close", "workday:tickets", "number"),
    ("what is the Q4 budget", "workday:budget", "number"),
    ("how much of the budget have we spent", "workday:budget", "paraphrase"),
    ("are we hiring a designer", "workday:hire", "paraphrase"),
    ("when do the designer interviews start", "workday:hire", "paraphrase"),
    ("what did I have for lunch at the office", "workday:lunch", "paraphrase"),
    ("what time does my flight to Lisbon leave", "workday:flight", "distractor"),
    ("which seat did I get on the plane", "workday:seat", "paraphrase"),
    ("did I pay for a checked bag", "workday:seat", "paraphrase"),
    ("what is the hotel booking reference", "workday:hotel", "number"),
    ("K7Q2", "workday:hotel", "number"),
    ("how much memory does the new laptop have", "workday:laptop", "number"),
    ("what did Marco say about the laptop", "workday:laptop", "name"),
    ("what did Marco ask me to do", "workday:password", "name"),
    ("I need to change my VPN password", "workday:password", "paraphrase"),
    ("what did Priya say about the budget", "workday:budget", "name"),
    ("what do I need for my bike", "workday:bike", "paraphrase"),
    ("cycling home in bad weather", "workday:bike", "paraphrase"),
    # --- dentist
    ("what did the dentist find", "dentist:dentist", "distractor"),
    ("when is my filling appointment", "dentist:filling", "paraphrase"),
    ("what is Doctor Weber's name for the tooth problem", "dentist:dentist", "name"),
    ("what did Dr Weber tell me to do every evening", "dentist:floss", "name"),
    ("what kind of toothbrush should I use", "dentist:floss", "paraphrase"),
    ("what did I buy at the pharmacy", "dentist:pharmacy", "paraphrase"),
    ("how much was the vitamin D", "dentist:price", "number"),
    ("how is dad after his knee surgery", "dentist:mum", "paraphrase"),
    ("when are my parents coming for Christmas", "dentist:christmas", "paraphrase"),
    ("how long is Mum staying at Christmas", "dentist:christmas", "name"),
    ("what cake is Mum baking", "dentist:cake", "name"),
    ("what should I bring for Christmas", "dentist:cake", "paraphrase"),
    ("did the winter boots arrive", "dentist:parcel", "paraphrase"),
    ("what shoe size are the new boots", "dentist:parcel", "number"),
    ("which bins go out on recycling day", "dentist:recycling", "paraphrase"),
    # --- hike
    ("how long is the loop to the lake", "hike:trail", "number"),
    ("where did we park for the hike", "hike:trail", "paraphrase"),
    ("what did the lake look like", "hike:lake", "paraphrase"),
    ("what bird did Tom see", "hike:heron", "name"),
    ("what did we eat on the hike", "hike:sandwich", "paraphrase"),
    ("why does my foot hurt", "hike:blister", "paraphrase"),
    ("why did I take Biscuit to the vet", "hike:vet", "distractor"),
    ("what was wrong with the dog's paw", "hike:paw", "paraphrase"),
    ("when is Biscuit's rabies shot due", "hike:vaccine", "name"),
    ("how much did the vet cost", "hike:bill", "distractor"),
    ("what did Dr Lang remove", "hike:paw", "name"),
    ("what are we watching tonight with Tom", "hike:movie", "name"),
    ("documentary about octopuses", "hike:movie", "paraphrase"),
    ("how often does the cream go on the paw", "hike:paw", "paraphrase"),
    # --- sunday
    ("what soup did I make", "sunday:soup", "paraphrase"),
    ("how long do I roast the pumpkin", "sunday:recipe", "number"),
    ("at what temperature do I roast the pumpkin", "sunday:recipe", "number"),
    ("when is my train to Munich", "sunday:train", "distractor"),
    ("how much were the train tickets", "sunday:price_train", "distractor"),
    ("which train do I take on the fourth of December", "sunday:train", "number"),
    ("what book am I reading", "sunday:book", "paraphrase"),
    ("which chapter of The Overstory am I on", "sunday:book", "number"),
    ("what did Lena want to borrow", "sunday:sister", "name"),
    ("where is the tent", "sunday:tent", "paraphrase"),
    ("the fig tree has to come in", "sunday:plant", "paraphrase"),
    ("what happened to the blue sweater", "sunday:laundry", "paraphrase"),
    ("which festival is Lena going to", "sunday:sister", "name"),
    # --- deadline
    ("when is the Atlas deadline now", "deadline:deadline", "number"),
    ("what did Priya say about the deadline", "deadline:deadline", "name"),
    ("when do we show the demo to the board", "deadline:demo", "paraphrase"),
    ("what am I worried about in the project", "deadline:risk", "paraphrase"),
    ("how long did the data migration take", "deadline:risk", "number"),
    ("who owns the migration", "deadline:owner", "name"),
    ("what is Sam responsible for", "deadline:owner", "name"),
    ("how much weight did I squat", "deadline:gym", "number"),
    ("what did Jonas say about next week", "deadline:trainer", "name"),
    ("what does the car need", "deadline:mechanic", "paraphrase"),
    ("how much will the brake pads and tyres cost", "deadline:quote", "number"),
    ("when can I collect the car from the garage", "deadline:pickup", "paraphrase"),
    ("where did I have dinner with Anna", "deadline:dinner", "name"),
    ("what did we eat at the Thai restaurant", "deadline:dinner", "paraphrase"),
    # --- garden
    ("what do I need to buy", "garden:buy", "paraphrase"),
    ("what did I plant in the garden", "garden:plant", "paraphrase"),
    ("who helped me plant the bulbs", "garden:plant", "name"),
    ("who did I call about the kitchen tap", "garden:call", "paraphrase"),
    ("when can the plumber come", "garden:plumber", "paraphrase"),
    ("what should I send to grandma", "garden:photos", "paraphrase"),
    ("which birds were at the feeder", "garden:birds", "paraphrase"),
    ("what did Anna say about the robins", "garden:birds", "name"),
    ("how do we fix the shed roof", "garden:shed", "paraphrase"),
    ("watering can", "garden:buy", "paraphrase"),
    # --- birthday
    ("how old did Oma turn", "birthday:party", "number"),
    ("what story did Uncle Karl tell", "birthday:speech", "name"),
    ("what present did we give Oma", "birthday:gift", "paraphrase"),
    ("what did the band play", "birthday:band", "paraphrase"),
    # --- dates (relative to Wednesday 2026-11-25, Europe/Berlin)
    ("what did Priya say yesterday", "deadline:deadline|deadline:demo|deadline:owner", "date"),
    ("what did the mechanic say yesterday", "deadline:mechanic", "date"),
    ("what did I do at the gym yesterday", "deadline:gym", "date"),
    ("what did Priya say last week", "workday:budget|workday:hire|workday:standup", "date"),
    ("what did I buy at the pharmacy last Wednesday", "dentist:pharmacy", "date"),
    ("where did we walk last weekend", "hike:trail|hike:lake", "date"),
    ("what did I cook last weekend", "sunday:soup|sunday:recipe", "date"),
    ("what did I book on 16 November", "workday:flight|workday:hotel", "date"),
    ("what happened at the party in March", "birthday:party", "date"),
    ("what gift did we give in March", "birthday:gift", "date"),
    ("what did the vet say last Saturday", "hike:paw|hike:vaccine", "date"),
    ("what did Anna say last Thursday", "garden:plumber|garden:birds", "date"),
    ("what did we eat for dinner yesterday", "deadline:dinner", "date"),
    ("which tickets did I buy last Sunday", "sunday:train", "date"),
    # --- near-distractors (a similar moment exists on another day)
    ("what did the doctor say about my tooth", "dentist:dentist|dentist:filling", "distractor"),
    ("what did the doctor say about the dog", "hike:paw", "distractor"),
    ("how much was the garage quote", "deadline:quote", "distractor"),
    ("when does the plane leave", "workday:flight", "distractor"),
    ("which window seat", "workday:seat", "distractor"),
    ("the ICE train time", "sunday:train", "distractor"),
    ("vitamin D price", "dentist:price", "distractor"),
    ("how much did Biscuit's treatment cost", "hike:bill", "distractor"),
    ("where is the hotel in Lisbon", "workday:hotel", "distractor"),
    ("what is wrong with the car brakes", "deadline:mechanic", "distractor"),
    # --- not in any video
    ("what did the electrician say about the fuse box", None, "notfound"),
    ("when is my passport renewal appointment", None, "notfound"),
    ("how much did the new sofa cost", None, "notfound"),
    ("what did I learn at the piano lesson", None, "notfound"),
    ("which restaurant did we book for New Year's Eve", None, "notfound"),
    ("what was the score of the football match", None, "notfound"),
    ("when is the next tax deadline", None, "notfound"),
    ("what did the optician say about my glasses", None, "notfound"),
    ("how did the job interview in Berlin go", None, "notfound"),
    ("what did Rachel say about the wedding", None, "notfound"),
    ("what is the wifi password at the cottage", None, "notfound"),
    ("when does the swimming pool open", None, "notfound"),
    ("what did I order from the sushi place", None, "notfound"),
    ("how much is the electricity bill", None, "notfound"),
    ("what did the cat eat", None, "notfound"),
    ("did I go skiing in the Alps", None, "notfound"),
    ("what did the landlord say about the rent increase", None, "notfound"),
    ("what is the name of the new neighbour", None, "notfound"),
    ("how many push-ups did I do at yoga", None, "notfound"),
    ("what did the hairdresser recommend", None, "notfound"),
]


@dataclass(frozen=True)
class Line:
    day: str
    key: str
    speaker: str
    text: str
    start: float
    end: float


Days = dict[str, tuple[str, str, list[tuple[str, str, str]], dict[str, str]]]


@dataclass(frozen=True)
class Split:
    """A set of videos and the questions asked of them (DEV below; SEEN in corpus_test.py; TEST in corpus_test_v2.py)."""

    name: str
    days: Days
    copies: dict[str, str]
    questions: list[Q]
    now: dt.datetime
    tz: str
    screens: dict[str, list[tuple[str, str]]]  # day -> (line key, text shown on screen while it is said)


def timed_lines(day: str, days: Days | None = None) -> list[Line]:
    _, _, lines, _ = (days or DAYS)[day]
    clock, out = 0.3, []
    for key, speaker, text in lines:
        seconds = len(text.split()) / WORDS_PER_SECOND
        out.append(Line(day, key, speaker, text, round(clock, 2), round(clock + seconds, 2)))
        clock += seconds + PAUSE
    return out


def truth_spans(truth: str, days: Days | None = None) -> list[tuple[str, float, float]]:
    """The spans of "day:key" references; "day:*" is every line of the day (a question about the day)."""
    spans = []
    for ref in truth.split("|"):
        day, key = ref.split(":")
        lines = [x for x in timed_lines(day, days) if key == "*" or x.key == key]
        assert lines, ref
        spans += [(day, line.start, line.end) for line in lines]
    return spans


def chunks(
    day: str, video_id: str | None = None, days: Days | None = None, screens: list[tuple[str, str]] = ()
) -> list[Chunk]:
    """The day's chunks under `video_id` (default: the day): turns, action items, text seen on screen,
    one summary."""
    video_id = video_id or day
    date, summary, _, actions = (days or DAYS)[day]
    lines = timed_lines(day, days)
    out: list[Chunk] = []
    turn: list[Line] = []

    def flush() -> None:
        if turn:
            out.append(
                Chunk(
                    id=Chunk.make_id(video_id, ChunkType.TRANSCRIPT, len(out)),
                    text=" ".join(x.text for x in turn),
                    video_id=video_id,
                    chunk_type=ChunkType.TRANSCRIPT,
                    start=turn[0].start,
                    end=turn[-1].end,
                    recorded_date=date,
                    speakers=sorted({x.speaker for x in turn if x.speaker != "Me"}),
                )
            )
            turn.clear()

    for line in lines:
        if turn and (line.speaker != turn[0].speaker or line.end - turn[0].start > MOMENT_SECONDS / 2):
            flush()
        turn.append(line)
    flush()
    by_key = {x.key: x for x in lines}
    for i, (key, action) in enumerate(actions.items()):
        line = by_key[key]
        out.append(
            Chunk(
                id=Chunk.make_id(video_id, ChunkType.ACTION_ITEM, i),
                text=f"Action item: {action}",
                video_id=video_id,
                chunk_type=ChunkType.ACTION_ITEM,
                start=line.start,
                end=line.end,
                recorded_date=date,
            )
        )
    for i, (key, text) in enumerate(screens):
        line = by_key[key]
        out.append(
            Chunk(
                id=Chunk.make_id(video_id, ChunkType.SCREEN_TEXT, i),
                text=f'On screen: "{text}"',
                video_id=video_id,
                chunk_type=ChunkType.SCREEN_TEXT,
                start=line.start,
                end=line.end,
                recorded_date=date,
            )
        )
    out.append(
        Chunk(
            id=Chunk.make_id(video_id, ChunkType.SUMMARY, 0),
            text=summary,
            video_id=video_id,
            chunk_type=ChunkType.SUMMARY,
            start=0.0,
            end=lines[-1].end,
            recorded_date=date,
        )
    )
    return out


DEV = Split("dev", DAYS, COPIES, QUESTIONS, EVAL_NOW, EVAL_TZ, {})


def corpus(split: Split = DEV) -> dict[str, list[Chunk]]:
    videos = {day: chunks(day, days=split.days, screens=split.screens.get(day, ())) for day in split.days}
    for copy, original in split.copies.items():
        videos[copy] = chunks(original, copy, days=split.days, screens=split.screens.get(original, ()))
    return videos

"""Grounding of what the local model says (no model needed): invented names, places, owners and tasks are
dropped; the summarizer keeps only what the transcript or the screen says. The model is faked at
xllamacpp's boundary (`handle_chat_completions`), the JSON it returns chosen to be wrong on purpose."""

from __future__ import annotations

import json

from lifestream.core.local_llm import LocalLLM
from lifestream.core.models import TranscriptSegment
from lifestream.understand.summarize import summarize_block_extractive
from lifestream.understand.summarize.grounding import (
    Evidence,
    grounded_name,
    grounded_place,
    grounded_sentences,
)
from lifestream.understand.summarize.local_llm import HeadingDraft, ground_heading, summarize_block_local

CALL = [
    ("Speaker 1", "Hello?"),
    ("Speaker 2", "Hello?"),
    ("Speaker 1", "Oh, hello. I didn't know you were there."),
    ("Speaker 1", "I'll be honest, it was a long day."),
    ("Speaker 1", "This is Diane in New Jersey."),
    ("Speaker 2", "And I'm Sheila in Texas, originally from Chicago."),
    ("Speaker 1", "I'll send you the photos tomorrow."),
    ("Speaker 2", "We need to call the plumber."),
    ("Speaker 2", "I called my sister yesterday."),
]


def segments(lines=CALL):
    return [
        TranscriptSegment(start=2.0 * i, end=2.0 * i + 1.8, text=text, speaker=speaker)
        for i, (speaker, text) in enumerate(lines)
    ]


EVIDENCE = Evidence([text for _, text in CALL] + ["Seen: sign 'HARDWARE STORE'"])


def test_names_must_be_said_and_look_like_names():
    assert grounded_name("Diane", EVIDENCE) == "Diane"
    assert grounded_name("sheila.", EVIDENCE) is None  # not capitalised: not given as a name
    assert grounded_name("Hello?", EVIDENCE) is None  # a greeting, though it is said
    assert grounded_name("Marco", EVIDENCE) is None  # invented
    assert grounded_name("Diane Smith", EVIDENCE) is None  # a surname never said


def test_places_must_be_said_or_seen():
    assert grounded_place("New Jersey", EVIDENCE) == "New Jersey"
    assert grounded_place("new jersey,", EVIDENCE) == "new jersey"
    assert grounded_place("Hardware store", EVIDENCE) == "Hardware store"  # on screen
    assert grounded_place("Boston", EVIDENCE) is None
    assert grounded_place("Unknown", EVIDENCE) is None


def test_text_on_screen_is_a_place_only_when_it_names_one():
    # Issue 19: a slide's title became "Location:", and so did a dish's name read on screen.
    seen = Evidence(["Okay, let's start.", 'On screen: "Q3 ROADMAP REVIEW"', 'On screen: "PAD THAI 9.50"',
                     'On screen: "Platform 6 Trains to York"', 'On screen: "RIVERSIDE FARMERS MARKET"'])  # fmt: skip
    assert grounded_place("Q3 Roadmap Review", seen) is None
    assert grounded_place("Pad Thai", seen) is None
    assert grounded_place("York", seen) == "York"
    assert grounded_place("Riverside farmers market", seen) == "Riverside farmers market"


def test_activity_sentences_with_untraceable_names_or_times_are_dropped():
    text = "Diane and Sheila meet on a call. They met Robert at 5 pm. Sheila lives in Texas."
    assert grounded_sentences(text, EVIDENCE) == "Diane and Sheila meet on a call. Sheila lives in Texas."


class ByTask:
    """A fake xllamacpp server answering each task (by its schema name) with the given JSON."""

    def __init__(self, **answers):
        self.answers = answers
        self.asked: list[str] = []

    def handle_chat_completions(self, request):
        name = request["response_format"]["json_schema"]["name"]
        self.asked.append(name)
        self.prompts = getattr(self, "prompts", {})
        self.prompts[name] = request["messages"][-1]["content"]  # the block's own listing
        answer = self.answers[name]
        content = answer if isinstance(answer, str) else json.dumps(answer)
        return {"choices": [{"message": {"content": content}}], "usage": {}}


INVENTIVE = ByTask(
    NamesDraft={
        "speakers": [
            {"label": "Speaker 1", "name": "Hello?"},  # the 0.5B answer
            {"label": "Speaker 2", "name": "Sheila"},
            {"label": "Speaker 9", "name": "Diane"},  # no such label in the block
        ]
    },
    HeadingDraft={"title": "This is Diane in New Jersey", "activity": "A call.", "location": "Boston"},
)


def test_the_summary_keeps_only_grounded_names_places_owners_and_tasks():
    llm = LocalLLM(INVENTIVE, model_path="fake.gguf", threads=1)

    summary = summarize_block_local(llm, segments(), visual_summary="2 scenes", scene_count=2)

    # One task per prompt; not the names: both voices introduced themselves, so the rule placed every
    # name and the model's answer could change nothing. Tasks are the rule's (no prompt: see the module).
    assert INVENTIVE.asked == ["HeadingDraft"]
    # "Hello?" is dropped; Speaker 1 is Diane because she said "This is Diane" (the rule's reading).
    assert summary.participants == ["Diane", "Sheila"]
    assert "Boston" not in summary.location
    assert summary.title != "This is Diane in New Jersey"  # a sentence's start copied is not a title
    assert [(a.text, a.owner) for a in summary.action_items] == [
        ("I'll send you the photos tomorrow.", "Diane"),  # first person, a named speaker
        ("We need to call the plumber.", None),  # "we": no owner
    ]
    assert summary.action_items[1].at == 14.0


def test_a_task_the_model_botches_falls_back_to_extractive_for_that_field_only():
    server = ByTask(HeadingDraft='{"title": "A call betw')  # cut off by max_tokens
    llm = LocalLLM(server, model_path="fake.gguf", threads=1)

    summary = summarize_block_local(llm, segments(), visual_summary="", scene_count=1)
    extractive = summarize_block_extractive(segments(), visual_summary="", scene_count=1)

    assert summary.title == extractive.title and summary.activity == extractive.activity
    assert summary.location == "Mentioned: New Jersey, Texas, Chicago"  # the gazetteer's, said places
    assert summary.participants == ["Diane", "Sheila"]
    assert summary.action_items  # the extractive ones


def test_a_name_said_in_an_earlier_block_stays_with_its_speaker():
    first = ByTask(
        NamesDraft={"speakers": [{"label": "Speaker 1", "name": "Diane"}]},
        HeadingDraft={"title": "Diane calls Sheila", "activity": "A call.", "location": None},
    )
    later = ByTask(
        NamesDraft={"speakers": [{"label": "Speaker 1", "name": None}]},
        HeadingDraft={"title": "Plans for the week", "activity": "Plans.", "location": None},
    )
    known: dict[str, str] = {}

    summarize_block_local(
        LocalLLM(first, model_path="f", threads=1),
        segments(CALL[:5]),
        visual_summary="",
        scene_count=1,
        known_names=known,
    )
    summary = summarize_block_local(
        LocalLLM(later, model_path="f", threads=1),
        segments([("Speaker 1", "I'll send you the photos tomorrow.")]),
        visual_summary="",
        scene_count=1,
        known_names=known,
    )

    assert known == {"Speaker 1": "Diane"}
    assert summary.participants == ["Diane"]
    assert [(a.text, a.owner) for a in summary.action_items] == [
        ("I'll send you the photos tomorrow.", "Diane")
    ]


def test_the_model_never_puts_a_name_on_a_voice():
    # The introduction came through unlabelled (e.g. a subtitle line): which voice is Diane is unknown, and
    # the model's guess is no evidence in that voice's own turns (issue 19), so it is not even asked.
    server = ByTask(
        NamesDraft={"speakers": [{"label": "Speaker 1", "name": "Diane"}]},
        HeadingDraft={"title": "A short call", "activity": "A call.", "location": None},
    )
    lines = [("Speaker 1", "Hello? Can you hear me?"), (None, "This is Diane in New Jersey.")]

    summary = summarize_block_local(
        LocalLLM(server, model_path="f", threads=1), segments(lines), visual_summary="", scene_count=1
    )

    assert "NamesDraft" not in server.asked
    assert summary.participants == ["Speaker 1", "Diane"]
    assert [p.speaker for p in summary.per_speaker] == ["Speaker 1"]


def test_a_long_model_title_is_cut_at_a_phrase_not_mid_phrase():
    # Cutting at the eighth word left "… and update the release": the title keeps whole phrases.
    lines = [("Speaker 1", "I lead the mobile team."), ("Speaker 1", "Grace will update the release notes.")]
    draft = HeadingDraft(title="Leading the mobile team and updating the release notes", location=None)
    title, _, _ = ground_heading(draft, segments(lines), Evidence([t for _, t in lines]))
    assert title == "Leading the mobile team"

"""Answers that answer (issue 19, section 2): the extractive answer quotes the sentence that answers (scored
against the question, dense and lexical, within the moments retrieved), once, with the speaker's name when
the voice is named, never with a bare "Speaker N:" label."""

from __future__ import annotations

import pytest

from lifestream.core.models import SearchResult, TranscriptSegment
from lifestream.memory.answers import extractive_answer


@pytest.fixture(scope="module")
def embedder():
    # The real local model (tests/memory/conftest.py's `embedder` is a word-hashing stand-in): which
    # sentence answers is a question of meaning.
    from lifestream.memory.embeddings.local_embedder import OnnxMiniLMEmbedder

    return OnnxMiniLMEmbedder()


def _hit(i: int, text: str, start: float, end: float, *, kind: str = "transcript", score: float = 0.5):
    return SearchResult(
        id=f"meeting#{kind}#{i:04d}",
        video_id="meeting",
        start=start,
        end=end,
        score=score,
        text=text,
        chunk_type=kind,
        recorded_date="2026-06-08",
    )


def _quotes(answer) -> list[str]:
    return [line for line in answer.text.splitlines()[1:]]


def test_the_sentence_that_answers_is_quoted_first_not_the_chunks_opening(embedder):
    chunk = _hit(
        0,
        "Speaker 2: Good morning everyone. The weather is lovely today. "
        "I'll order twelve new chairs for the meeting room. Then we can have lunch.",
        10.0,
        24.0,
        score=0.9,
    )
    other = _hit(1, "Speaker 1: The budget figures go to finance by Thursday.", 30.0, 35.0, score=0.4)

    answer = extractive_answer("What furniture is being bought for the office?", [chunk, other], embedder=embedder)

    assert "twelve new chairs" in _quotes(answer)[0], answer.text
    assert not any("Good morning" in q for q in _quotes(answer)), answer.text


def test_a_sentence_said_in_two_chunks_of_one_moment_is_quoted_once(embedder):
    said = _hit(0, "Speaker 3: I'll order twelve new chairs for the meeting room.", 20.0, 24.0)
    task = _hit(1, "Action item: I'll order twelve new chairs for the meeting room.", 20.0, 24.0, kind="action_item")

    answer = extractive_answer("How many chairs will be ordered?", [said, task], embedder=embedder)

    assert sum("twelve new chairs" in q for q in _quotes(answer)) == 1, answer.text
    assert "Speaker 3:" not in answer.text


def test_a_named_voice_is_quoted_with_its_name(embedder):
    said = _hit(0, "Maya: I think we should move the launch to the fourteenth of July.", 28.0, 32.0)
    noise = _hit(1, "Speaker 1: Great, thanks everyone.", 36.0, 37.5)

    answer = extractive_answer("Who wants to move the launch date?", [said, noise], embedder=embedder)

    assert _quotes(answer)[0].startswith("- Maya: I think we should move the launch"), answer.text


def test_transcript_chunks_carry_the_name_a_voice_was_given():
    from datetime import UTC, datetime

    from lifestream.understand.chunking import build_chunks
    from lifestream.understand.diary import Diary, DiaryBlock

    segs = [
        TranscriptSegment(start=0, end=3, text="Maya, what do you think about the launch date?", speaker="Speaker 1"),
        TranscriptSegment(start=3.5, end=7, text="I think we should move the launch to July.", speaker="Speaker 2"),
    ]
    block = DiaryBlock(
        index=0, start=0, end=7, title="Launch", activity="", location="Not mentioned", participants=[],
        visual_summary="", source_reliability="", transcript=segs,
    )  # fmt: skip
    diary = Diary(
        date="2026-06-08", video_id="meeting", recorded_at=datetime(2026, 6, 8, tzinfo=UTC),
        recorded_at_is_fallback=False, duration=7, transcriber="t", summarizer="extractive", vision="none",
        blocks=[block],
    )  # fmt: skip

    said = [c for c in build_chunks(diary) if c.chunk_type == "transcript"]

    assert [c.text for c in said] == [segs[0].text, f"Maya: {segs[1].text}"]  # a placeholder is no name
    assert [c.speakers for c in said] == [["Speaker 1"], ["Maya"]]


# --- what kind of answer is wanted (issue 19, section 2: found on the v1 test split, fixed as classes) -----


def test_a_question_about_a_slide_quotes_what_was_on_screen_not_the_words_said_beside_it(embedder):
    said = _hit(0, "Hana: Okay, let's start the planning meeting.", 0.0, 3.7, score=0.9)
    slide = _hit(1, 'On screen: "Q3 ROADMAP REVIEW"', 0.0, 6.6, kind="screen_text", score=0.3)
    other = _hit(2, "Hana: This is Hana, I run the design team.", 3.7, 6.7, score=0.5)

    question = "What did the slide in the planning meeting say?"
    answer = extractive_answer(question, [said, slide, other], embedder=embedder)

    assert "ROADMAP" in _quotes(answer)[0], answer.text
    assert not any("let's start" in q for q in _quotes(answer)), answer.text


def test_a_question_about_what_was_said_is_not_answered_from_the_screen(embedder):
    said = _hit(0, "Elena: You need to read chapter five before the next lecture.", 28.0, 32.0, score=0.6)
    slide = _hit(1, 'On screen: "Homework Read chapter 5"', 29.0, 33.0, kind="screen_text", score=0.9)

    answer = extractive_answer("What did Elena say about the next lecture?", [slide, said], embedder=embedder)

    assert "chapter five" in _quotes(answer)[0], answer.text


def test_asked_where_to_sign_up_the_place_said_answers_not_the_sign_of_the_event(embedder):
    # dev2's bird talk, with the words as said: "sign up" was read as a question about a sign.
    said = _hit(
        0,
        "Fiona: Our next bird walk is in Hollow Creek Park at seven on Sunday morning. "
        "Please sign up at the front desk before you leave.",
        19.8,
        31.1,
        score=0.6,
    )
    shown = _hit(1, 'On screen: "BIRD WALK Sunday 7 am"', 23.0, 28.2, kind="screen_text", score=0.9)

    answer = extractive_answer("Where do I sign up for the bird walk?", [shown, said], embedder=embedder)

    assert not _quotes(answer)[0].startswith("- On screen"), answer.text


def test_the_sentence_said_to_a_person_does_not_answer_a_question_about_them(embedder):
    # "Where is Uncle Omar calling from?" was answered with "Hi Uncle Omar, it's Lena, can you hear us?": a
    # sentence addressed to Omar says nothing of where he is; what Omar's own voice said does.
    hello = _hit(0, "Lena: Hi Uncle Omar, it's Lena, can you hear us?", 0.2, 3.9, score=0.9)
    reply = _hit(1, "Omar: Yes, loud and clear, I'm calling from Lisbon.", 3.9, 7.8, score=0.5)
    trip = _hit(2, "Omar: How was the school trip to York?", 10.3, 13.0, score=0.4)

    answer = extractive_answer("Where is Uncle Omar calling from?", [hello, reply, trip], embedder=embedder)

    assert "Lisbon" in _quotes(answer)[0], answer.text
    assert not any("can you hear us" in q for q in _quotes(answer)), answer.text


@pytest.mark.parametrize(
    ("question", "repeats", "answers"),
    [
        (
            "How many jars of honey did we buy?",
            "We always buy jars of honey at this market.",
            "Today we got two jars of honey.",
        ),
        (
            "Where did Nora buy the bread?",
            "Nora buys the bread, she always buys the bread.",
            "Nora got the bread at the Riverside market.",
        ),
        (
            "Who is bringing the cake?",
            "Someone is bringing the cake, I think.",
            "Priya is bringing the cake tomorrow.",
        ),
        (
            "When is the dentist appointment?",
            "I must not forget the dentist appointment.",
            "The dentist appointment is on Tuesday.",
        ),
    ],
)
def test_the_sentence_with_the_kind_of_answer_asked_for_comes_first(embedder, question, repeats, answers):
    # Both repeat the question's words; only one holds a count, a place, a name or a day. The one that
    # merely repeats the question is also the better-ranked moment.
    hits = [
        _hit(0, f"Speaker 1: {repeats}", 0.0, 4.0, score=0.9),
        _hit(1, f"Speaker 1: {answers}", 10.0, 14.0),
    ]

    answer = extractive_answer(question, hits, embedder=embedder)

    assert answers in _quotes(answer)[0], answer.text


def test_of_two_slides_of_one_talk_the_one_whose_words_the_question_says_answers(embedder):
    # "What was the course name on the lecture slide?" quoted the homework slide first: both slides inherit
    # what was said beside them ("… lecture …"), and only their own words tell them apart.
    hits = [
        _hit(0, "Speaker 1: You need to read chapter five before the next lecture.", 28.0, 32.0, score=0.9),
        _hit(1, 'On screen: "Homework Read chapter 5"', 29.0, 33.0, kind="screen_text", score=0.6),
        _hit(2, "Speaker 1: Good afternoon, this is lecture four, on composting.", 0.0, 6.0, score=0.5),
        _hit(3, 'On screen: "SOIL SCIENCE 101 Lecture 4: Composting"', 0.0, 13.0, kind="screen_text", score=0.4),
    ]

    answer = extractive_answer("What was the course name on the lecture slide?", hits, embedder=embedder)

    assert "SOIL SCIENCE" in _quotes(answer)[0], answer.text


def test_a_sentence_quoted_inside_a_longer_one_of_the_same_moment_is_quoted_once(embedder):
    # "Where does Diane live?" quoted "This is Diane in New Jersey." from the summary and again inside the
    # transcript's run-on sentence at the same moment.
    summary = _hit(0, "This is Diane in New Jersey. Participants: Diane, Sheila.", 7.0, 12.0, kind="summary")
    said = _hit(1, "Diane: I thought you know, I heard of deep This is Diane in New Jersey.", 10.0, 15.0)

    answer = extractive_answer("Where does Diane live?", [summary, said], embedder=embedder)

    assert sum("Diane in New Jersey" in q for q in _quotes(answer)) == 1, answer.text
    # The transcript's, which cites where it was said (a summary's sentence is placed by its share of the text).
    assert "Diane: I thought" in _quotes(answer)[0] and answer.citations[0].start >= 10.0, answer.text


def test_a_why_question_quotes_the_sentence_that_gives_the_reason(embedder):
    # "Why only a little orange peel?" quoted the lecture's title slide, which shares "compost" with it,
    # rather than the answer that gives the reason.
    hits = [
        _hit(0, 'On screen: "SOIL SCIENCE 101 Lecture 4: Composting"', 0.0, 13.0, kind="screen_text", score=0.9),
        _hit(1, "Speaker 2: Can we compost orange peel too?", 30.0, 33.0, score=0.7),
        _hit(2, "Speaker 1: Yes, but only in small amounts, because it is acidic.", 33.0, 37.0, score=0.6),
    ]

    answer = extractive_answer("Why only a little orange peel in the compost?", hits, embedder=embedder)

    assert "because it is acidic" in _quotes(answer)[0], answer.text


def test_a_sign_is_quoted_whole_not_cut_at_an_abbreviation(embedder):
    hits = [
        _hit(0, 'On screen: "MOUNT BEACON SUMMIT ELEV. 1531 FT"', 10.0, 20.0, kind="screen_text", score=0.9),
        _hit(1, "Speaker 1: We made it to the top at last.", 10.0, 14.0, score=0.5),
    ]

    answer = extractive_answer("What elevation did the summit sign show?", hits, embedder=embedder)

    assert "ELEV. 1531 FT" in _quotes(answer)[0], answer.text


def test_a_request_by_name_is_the_answer_not_its_short_reply(embedder):
    # "Tom, can you send …?" — "Sure.": the request says who sends what; the reply says nothing more.
    hits = [
        _hit(0, "Hana: Tom, can you send the budget figures to Ravi by Thursday?", 13.0, 17.0, score=0.9),
        _hit(1, "Tom: Sure.", 17.0, 18.5, score=0.6),
    ]

    answer = extractive_answer("Who is sending the budget figures to Ravi?", hits, embedder=embedder)

    assert "Tom, can you send the budget figures" in _quotes(answer)[0], answer.text


def test_a_request_by_endearment_is_the_answer_not_a_reply_that_only_says_yes_to_a_name(embedder):
    # dev3's call with Gran, with the words as said: "Sure, Gran." took half the request's score and its own
    # "Gran", and was quoted first.
    hits = [
        _hit(0, "Could you bring your folding chairs for the picnic, love?", 38.3, 41.7, score=0.9),
        _hit(1, "Olu: Sure, Gran.", 41.9, 43.0, score=0.8),
        _hit(2, "Olu: We're taking Gran to Katoomba on the twenty-eighth.", 28.9, 33.0, score=0.7),
    ]

    answer = extractive_answer("What does Gran want me to bring for the picnic?", hits, embedder=embedder)

    assert "folding chairs" in _quotes(answer)[0], answer.text
    assert not any("Sure, Gran" in q for q in _quotes(answer)), answer.text


def test_asked_who_asked_the_question_is_quoted_not_its_reply(embedder):
    hits = [
        _hit(0, "Carlos: Should we stop feeding the birds in spring?", 11.0, 14.0, score=0.9),
        _hit(1, "Fiona: No, feeding birds in spring is fine too.", 14.0, 17.0, score=0.6),
    ]

    answer = extractive_answer("Who asked about feeding birds in spring?", hits, embedder=embedder)

    assert _quotes(answer)[0].startswith("- Carlos: Should we stop feeding"), answer.text


def test_asked_who_a_sign_that_names_the_occasion_is_no_answer(embedder):
    # "Who gave the talk about backyard birds?" quoted the title slide, which shares most of its words.
    hits = [
        _hit(0, 'On screen: "BACKYARD BIRDS a talk for beginners"', 0.0, 6.0, kind="screen_text", score=0.9),
        _hit(1, "Speaker 1: Good evening, I'm Fiona Walsh and tonight's talk is about the birds in your garden.",
             0.0, 6.0, score=0.7),
    ]  # fmt: skip

    answer = extractive_answer("Who gave the talk about backyard birds?", hits, embedder=embedder)

    assert "Fiona Walsh" in _quotes(answer)[0], answer.text


def test_asked_who_the_introduction_outranks_a_place_s_name(embedder):
    where = _hit(0, "Location: Mentioned: Maple Street Kitchen.", 0.0, 35.0, kind="summary", score=0.9)
    intro = _hit(1, "Speaker 2: Hi everyone, I'm Rosa, welcome to Maple Street Kitchen.", 0.0, 5.0)

    answer = extractive_answer("Who taught the cooking class?", [where, intro], embedder=embedder)

    assert "Rosa" in _quotes(answer)[0], answer.text


def test_the_sentence_that_states_the_measure_asked_is_quoted(embedder):
    # "How hot was it on my walk?" quoted "I'm walking the coastal path" (it shares "walk") and left out
    # "it's already 24 degrees", which says how hot in degrees (dev3).
    chunk = _hit(
        0,
        "Saturday morning, and I'm walking the coastal path from Bronte. It's only half past nine, and it's "
        "already 24 degrees.",
        0.0,
        10.0,
        score=0.9,
    )
    sign = _hit(1, 'On screen: "COASTAL WALK Bronte 3.2 km"', 0.0, 6.0, kind="screen_text", score=0.8)

    answer = extractive_answer("How hot was it on my walk?", [sign, chunk], embedder=embedder)

    assert "24 degrees" in _quotes(answer)[0], answer.text
    assert not any("3.2 km" in q for q in _quotes(answer)), answer.text

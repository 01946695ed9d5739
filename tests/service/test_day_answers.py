"""Questions about a day and the day digest, from the diaries of two owners (issue 19, section 3): who /
what / where / when / tasks on a day said in words are answered from that day's diaries, each line citing
its video and block; names only where the diary has them; another owner's day is never read."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from lifestream.core.models import TranscriptSegment
from lifestream.core.places import Located
from lifestream.understand.diary import Diary, DiaryBlock
from lifestream.understand.summarize.models import ActionItem
from tests.service.conftest import A, B, NOW, Shelf


def _block(index, start, end, title, people, lines, *, location="Not mentioned", tasks=(), frames=()):
    transcript = [TranscriptSegment(start=start + i, end=start + i + 1, text=t, speaker=s) for i, (s, t) in enumerate(lines)]
    return DiaryBlock(
        index=index,
        start=start,
        end=end,
        title=title,
        activity=f"{title}: " + " ".join(t for _, t in lines),
        location=location,
        participants=list(people),
        visual_summary="a room",
        source_reliability="High",
        action_items=[ActionItem(text=text, owner=owner, at=start) for owner, text in tasks],
        transcript=transcript,
        keyframes=list(frames),
    )


def put(shelf: Shelf, owner: str, name: str, *, date: str, at: str, blocks: list[DiaryBlock]):
    """A processed video of `owner` with these diary blocks, recorded `date` at `at` (UTC)."""
    job = shelf.claim(owner, name)
    diary = Diary(
        date=date,
        video_id=job.video_id,
        recorded_at=dt.datetime.fromisoformat(f"{date}T{at}:00+00:00"),
        recorded_at_is_fallback=False,
        timezone="UTC",
        duration=blocks[-1].end,
        transcriber="subtitles",
        summarizer="extractive",
        vision="none",
        blocks=blocks,
    )
    return shelf.complete(owner, job, diary, sorted({k for b in blocks for k in b.keyframes}))


@pytest.fixture
def days(shelf: Shelf):
    """A: on 2026-05-02 (yesterday) a call at 19:00 with Lena, Omar and an unnamed voice, then a walk at
    20:00 with nobody heard; B: a call the same day with Zed. Nothing on 2026-05-01."""
    call = put(
        shelf,
        A,
        "call.mp4",
        date="2026-05-02",
        at="19:00",
        blocks=[
            _block(
                0, 0.0, 31.0, "Launch plan", ["Lena", "Omar"],
                [("Lena", "This is Lena, the launch is on Friday."), ("Omar", "Omar here, I will send the deck.")],
                location="Mentioned: Lisbon",
                tasks=[("Omar", "Send the deck."), ("Speaker 3", "Water the plants")],
                frames=["frame_0001.jpg"],
            ),
            _block(
                1, 31.0, 62.0, "Budget review", ["Speaker 3"],
                [("Speaker 3", "The budget for the booth is two thousand.")],
                frames=["frame_0002.jpg"],
            ),
        ],
    )  # fmt: skip
    walk = put(
        shelf,
        A,
        "walk.mp4",
        date="2026-05-02",
        at="20:00",
        blocks=[_block(0, 0.0, 20.0, "No speech (2 scenes)", [], [], location="Kitchen")],
    )
    zed = put(
        shelf,
        B,
        "zed.mp4",
        date="2026-05-02",
        at="19:00",
        blocks=[_block(0, 0.0, 10.0, "Zed's plan", ["Zed"], [("Zed", "Zed here, the fair is in Porto.")])],
    )
    return SimpleNamespace(library=shelf.library, call=call.video_id, walk=walk.video_id, zed=zed.video_id)


def test_who_did_i_talk_to_yesterday_names_only_the_named(days):
    answer = days.library.ask(A, "Who did I talk to yesterday?")
    assert answer.grounded and answer.searching == "searching 2026-05-02"
    lines = answer.text.splitlines()
    assert lines[0] == "On Saturday 2 May 2026:"
    assert lines[1] == f"- At 19:00 you were with Lena and Omar (Launch plan) [{days.call}, 00:00:00–00:00:31]"
    assert lines[2] == f"- At 19:00 you were with someone not named (Budget review) [{days.call}, 00:00:31–00:01:02]"
    assert len(lines) == 3  # the walk: nobody heard
    assert "Speaker 3" not in answer.text and "Zed" not in answer.text
    assert [(c.video_id, c.start, c.end) for c in answer.citations] == [(days.call, 0.0, 31.0), (days.call, 31.0, 62.0)]
    assert "Lena" in answer.citations[0].quote


def test_a_range_of_days_says_the_day_of_each_line(days, shelf):
    put(
        shelf, A, "monday.mp4", date="2026-04-27", at="08:15",
        blocks=[_block(0, 0.0, 9.0, "Standup", ["Priya"], [("Priya", "Priya here, the build is green.")])],
    )  # fmt: skip
    answer = days.library.ask(A, "Who did I talk to this week?")  # NOW is Sunday 3 May: 27 April - 3 May
    lines = answer.text.splitlines()
    assert lines[0] == "Between Monday 27 April 2026 and Sunday 3 May 2026:"
    assert lines[1].startswith("- At 08:15 on Mon 27 Apr you were with Priya (Standup) [monday-")
    assert lines[2].startswith("- At 19:00 on Sat 2 May you were with Lena and Omar (Launch plan)")


def test_each_owner_hears_only_their_own_day(days):
    answer = days.library.ask(B, "Who did I meet yesterday?")
    assert "Zed" in answer.text and "Lena" not in answer.text and "Omar" not in answer.text
    assert {c.video_id for c in answer.citations} == {days.zed}


def test_a_day_without_videos_is_said_plainly(days):
    answer = days.library.ask(A, "What did I do on 1 May?")
    assert answer.text == "Not in your videos: you have no videos recorded on Friday 1 May 2026."
    assert not answer.grounded and answer.citations == []


def test_what_did_i_do_lists_the_blocks_with_times(days):
    answer = days.library.ask(A, "What did I do yesterday?")
    assert "- At 19:00: Launch plan: Launch plan: This is Lena" in answer.text
    assert "At 19:00: Budget review" in answer.text
    assert "No speech" not in answer.text  # the walk had speech-free blocks only, beside spoken ones
    assert answer.grounded and len(answer.citations) == 2


def test_a_part_of_the_day_is_when_not_what_and_keeps_the_moments_within_it(days):
    # "Friday evening" was read as a topic ("evening"), which no diary says: the question abstained.
    evening = days.library.ask(A, "What did I do yesterday evening?")
    assert evening.grounded and "At 19:00: Launch plan" in evening.text
    assert len(evening.citations) == 2
    # Nothing was recorded yesterday morning: no line of the evening is given as the morning's.
    morning = days.library.ask(A, "Who did I talk to yesterday morning?")
    assert "Lena" not in morning.text and "19:00" not in morning.text


def test_where_says_mentioned_places_as_mentioned(days):
    answer = days.library.ask(A, "Where was I yesterday?")
    assert f"At 19:00 (Launch plan) Lisbon was mentioned [{days.call}, 00:00:00–00:00:31]" in answer.text
    assert f"At 20:00 (No speech (2 scenes)) the place was Kitchen [{days.walk}, 00:00:00–00:00:20]" in answer.text
    assert "Porto" not in answer.text


def test_when_with_a_person_finds_their_blocks(days):
    answer = days.library.ask(A, "When did I talk to Omar yesterday?")
    assert answer.text.splitlines()[1:] == [f"- At 19:00: Launch plan [{days.call}, 00:00:00–00:00:31]"]


def test_who_about_a_topic_keeps_the_blocks_that_hold_it(days):
    answer = days.library.ask(A, "Who did I talk to about the budget yesterday?")
    assert answer.text.splitlines()[1:] == [
        f"- At 19:00 you were with someone not named (Budget review) [{days.call}, 00:00:31–00:01:02]"
    ]


def test_who_was_at_an_occasion_no_diary_names_answers_from_the_whole_day(days):
    # The words name the occasion ("the family call"), which no diary says: before, search quoted one
    # sentence of the day instead (bench/quality's seen split, "Who was on the family call on 10 June?").
    answer = days.library.ask(A, "Who was on the family call yesterday?")
    lines = answer.text.splitlines()
    assert answer.grounded
    assert lines[0] == "On Saturday 2 May 2026 (nothing recorded then says 'family'; every video of the day):"
    assert lines[1] == f"- At 19:00 you were with Lena and Omar (Launch plan) [{days.call}, 00:00:00–00:00:31]"
    assert len(lines) == 3 and "Zed" not in answer.text


@pytest.mark.parametrize("question", ["What did I have to do yesterday?", "What did I promise to do yesterday?"])
def test_tasks_of_a_day_name_only_named_owners(days, question):
    answer = days.library.ask(A, question)
    assert f"At 19:00 (Launch plan): Send the deck (Omar); Water the plants [{days.call}" in answer.text
    assert "Speaker 3" not in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "What did Lena say about the launch yesterday?",  # a topic: search answers it
        "Who talked about compost yesterday?",  # no block holds it
        "Who talked about the launch?",  # no day
        "Who did I talk to in March?",  # a month is no day question
        "What did Omar say yesterday?",  # his sentences answer it: search quotes them
        "Where did we discuss the budget yesterday?",  # no place in its block: the words said may name one
    ],
)
def test_other_questions_are_left_to_search(days, question):
    from lifestream.service.day_answers import answer_about_day

    read = lambda date: days.library.day(A, date).videos  # noqa: E731
    assert answer_about_day(question, read, timezone="UTC", now=NOW) is None


def test_a_day_whose_diaries_name_no_place_leaves_where_to_search(days):
    from lifestream.service.day_answers import answer_about_day

    read = lambda date: days.library.day(B, date).videos  # noqa: E731
    assert answer_about_day("Where was I yesterday?", read, timezone="UTC", now=NOW) is None
    assert answer_about_day("Who was I with yesterday?", read, timezone="UTC", now=NOW) is not None


def test_the_day_digest_is_the_day_in_a_few_lines(days):
    day = days.library.day(A, "2026-05-02")
    call, walk = day.digest
    assert call.text == (
        "19:00 Launch plan; Budget review — with Lena, Omar and one person not named, mentioned Lisbon, "
        "to do: Send the deck (Omar); Water the plants"
    )
    assert [c.label for c in call.citations] == [
        f"[{days.call}, 00:00:00–00:00:31]",
        f"[{days.call}, 00:00:31–00:01:02]",
    ]
    assert walk.text == "20:00 No speech (2 scenes) (no speech) — at Kitchen"
    assert walk.citations[0].video_id == days.walk
    assert days.library.day(B, "2026-05-02").digest[0].text.startswith("19:00 Zed's plan — with Zed")
    assert days.library.day(A, "2026-05-01").digest == []


def test_the_library_lists_diary_titles_and_thumbnails(days):
    items = {v.video_id: v for v in days.library.list_videos(A).items}
    assert set(items) == {days.call, days.walk}
    assert items[days.call].diary_title == "Launch plan" and items[days.call].title == "call.mp4"
    assert items[days.call].local_thumbnail == "frame_0001.jpg"
    assert items[days.walk].diary_title == "No speech (2 scenes)" and items[days.walk].local_thumbnail is None
    assert [v.video_id for v in days.library.list_videos(B).items] == [days.zed]


@pytest.mark.parametrize(
    ("location", "places"),
    [
        ("Mentioned: to the garden, Lisbon", Located(said=("the garden", "Lisbon"))),
        ("Kitchen", Located(stated=("Kitchen",))),
        ("Seen: Wattle Court", Located(seen=("Wattle Court",))),
        ("Mentioned: Parramatta; seen: Wattle Court, Bottlebrush Hotel",
         Located(said=("Parramatta",), seen=("Wattle Court", "Bottlebrush Hotel"))),
        ("Not mentioned", Located()),
        ("Unknown", Located()),
        ("", Located()),
    ],
)  # fmt: skip
def test_places_are_read_as_the_diary_states_them(location, places):
    from lifestream.service.day_digest import places_of

    assert places_of(location) == places


def test_location_is_written_as_it_is_read():
    from lifestream.core.places import location_text, places_of

    assert location_text(["Parramatta"], ["Wattle Court"]) == "Mentioned: Parramatta; seen: Wattle Court"
    assert location_text(["Wattle Court"], ["wattle court"]) == "Mentioned: Wattle Court"  # listed once
    assert location_text([], []) == "Not mentioned"
    for said, seen in [(["Lisbon"], []), ([], ["Wattle Court"]), (["Lisbon", "York"], ["Wattle Court"])]:
        assert places_of(location_text(said, seen)) == Located(said=tuple(said), seen=tuple(seen))


def test_a_place_on_a_sign_is_seen_never_where_you_were(days, shelf):
    from lifestream.service.day_answers import answer_about_day

    sign = put(
        shelf,
        B,
        "court.mp4",
        date="2026-05-02",
        at="21:00",
        blocks=[
            _block(
                0, 0.0, 20.0, "Gate and gutters", [], [], location="Mentioned: Parramatta; seen: Wattle Court"
            ),
            _block(1, 20.0, 40.0, "Soundcheck", [], [], location="Seen: Bottlebrush Hotel"),
        ],
    )
    read = lambda date: days.library.day(B, date).videos  # noqa: E731
    answer = answer_about_day("Where was I yesterday?", read, timezone="UTC", now=NOW)
    assert answer is not None
    label = f"[{sign.video_id}, 00:00:00–00:00:20]"
    said_and_seen = "Parramatta was mentioned; Wattle Court was seen on a sign"
    assert f"At 21:00 (Gate and gutters) {said_and_seen} {label}" in answer.text
    assert "Bottlebrush Hotel was seen on a sign" in answer.text
    assert "the place was" not in answer.text
    assert answer.citations[0].quote == "Mentioned: Parramatta; Seen on a sign: Wattle Court"
    digest = days.library.day(B, "2026-05-02").digest
    assert digest[-1].text.endswith(
        "mentioned Parramatta; seen on a sign: Wattle Court and Bottlebrush Hotel"
    )


def test_a_name_is_never_taken_for_an_asking_word():
    from lifestream.service.day_answers import topic_of

    assert topic_of("When did I talk to Tim?") == {"tim"}
    assert topic_of("Who did I meet?") == set() and topic_of("What needed to be done?") == set()


def test_an_unreadable_diary_leaves_the_file_name_in_the_library(days, shelf, caplog):
    from lifestream.storage.results import output_files

    json_path = output_files(shelf.results.folder(days.walk))[0]
    json_path.write_text("{not json", encoding="utf-8")
    items = {v.video_id: v for v in days.library.list_videos(A).items}
    assert items[days.walk].diary_title is None and items[days.walk].title == "walk.mp4"
    assert items[days.call].diary_title == "Launch plan"
    assert "cannot be read" in caplog.text


def test_a_bad_mode_is_refused_before_a_day_is_read(days):
    from lifestream.core.errors import RequestError

    with pytest.raises(RequestError, match="mode"):
        days.library.ask(A, "Who did I talk to yesterday?", mode="psychic")

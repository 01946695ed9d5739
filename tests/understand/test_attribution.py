"""Who said it (issue 19, section 1): a voice gets a name only with evidence in its own turns (a
self-introduction in a common form, or being addressed by name and answering); two names on one voice show
neither; a task's owner is the named speaker who took it on, or the named person it is given to."""

from __future__ import annotations

import pytest

from lifestream.core.models import TranscriptSegment
from lifestream.understand.summarize import summarize_block_extractive
from lifestream.understand.summarize.extractive import action_items, speaker_names


def _turns(*said: tuple[str, str]) -> list[TranscriptSegment]:
    out, clock = [], 0.0
    for speaker, text in said:
        out.append(TranscriptSegment(start=clock, end=clock + 2.5, text=text, speaker=speaker))
        clock += 3.0
    return out


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Tom here, from finance.", "Tom"),
        ("Hi, Leo here. I'm recording the call.", "Leo"),
        ("Mia speaking, I'm here too.", "Mia"),
        ("Hello, this is Hana speaking.", "Hana"),
        ("It's Lena, can you hear us?", "Lena"),
    ],
)
def test_common_self_introductions_name_the_voice(text, name):
    assert speaker_names(_turns(("Speaker 1", text))) == {"Speaker 1": name}


@pytest.mark.parametrize("text", ["Sign here, please.", "Look here, this is the plan.", "Everyone here agrees."])
def test_here_after_a_plain_word_is_no_introduction(text):
    assert speaker_names(_turns(("Speaker 1", text))) == {}


def test_two_names_on_one_voice_show_neither():
    # Two callers of close pitch merged into one label: neither name may go on it.
    segs = _turns(
        ("Speaker 1", "This is Diane in New Jersey."),
        ("Speaker 1", "And I'm Sheila in Texas."),
        ("Speaker 1", "I'll send you the recipe tonight."),
        ("Speaker 2", "That sounds lovely."),
    )
    assert speaker_names(segs) == {}
    summary = summarize_block_extractive(segs, visual_summary="", scene_count=1)
    assert [p.speaker for p in summary.per_speaker] == ["Speaker 1", "Speaker 2"]
    assert [a.owner for a in summary.action_items] == [None]
    assert set(summary.participants) >= {"Diane", "Sheila"}


def test_a_voice_that_addresses_its_own_name_is_two_people_and_shows_no_name():
    # Kenji and Bruno, close in pitch, joined into one label: Kenji introduces himself, then Bruno asks
    # Kenji for something under the same label. Nobody calls themselves by name to ask themselves.
    segs = _turns(
        ("Speaker 1", "Kenji here, I run the build."),
        ("Speaker 1", "Kenji, can you book the room for Friday?"),
        ("Speaker 1", "Sure."),
        ("Speaker 1", "I'll order the new laptops."),
        ("Speaker 2", "Sounds good."),
    )
    assert speaker_names(segs) == {}
    summary = summarize_block_extractive(segs, visual_summary="", scene_count=1)
    assert [p.speaker for p in summary.per_speaker] == ["Speaker 1", "Speaker 2"]
    owners = {a.text: a.owner for a in summary.action_items}
    # The task given by name is still Kenji's (the words say so); the one the joined voice took on is no one's.
    assert owners == {"Kenji, can you book the room for Friday?": "Kenji", "I'll order the new laptops.": None}
    assert "Kenji" in summary.participants


def test_more_people_than_voices_names_no_voice():
    # Four people, two labels: Ana and Ben introduce themselves on different labels, and Cleo answers to her
    # name on Ben's. Some label stands for two people and the words do not say which.
    segs = _turns(
        ("Speaker 1", "Hi, I'm Ana."),
        ("Speaker 2", "Ben here."),
        ("Speaker 1", "Cleo, are you with us?"),
        ("Speaker 2", "Yes, I can hear you all."),
        ("Speaker 2", "I'll write the minutes."),
    )
    assert speaker_names(segs) == {}
    summary = summarize_block_extractive(segs, visual_summary="", scene_count=1)
    assert [a.owner for a in summary.action_items] == [None]
    assert {"Ana", "Ben"} <= set(summary.participants)


def test_a_voice_that_answers_as_family_and_gives_a_name_is_two_people():
    # Mum and Martin, close in pitch, joined into one label: Mum answers "Hi Mum", Martin gives his name.
    segs = _turns(
        ("Speaker 1", "Hi Mum, can you hear me?"),
        ("Speaker 2", "Yes, love, and your brother is here too."),
        ("Speaker 2", "Hey, Martin here, I just got back from Portland."),
        ("Speaker 2", "I'll call the garage tomorrow."),
    )
    assert speaker_names(segs) == {}
    summary = summarize_block_extractive(segs, visual_summary="", scene_count=1)
    assert [a.owner for a in summary.action_items] == [None]


def test_a_named_voice_addressing_someone_else_keeps_its_name():
    segs = _turns(
        ("Speaker 1", "Kenji here, I run the build."),
        ("Speaker 1", "Bruno, can you book the room for Friday?"),
        ("Speaker 2", "Sure."),
    )
    assert speaker_names(segs) == {"Speaker 1": "Kenji", "Speaker 2": "Bruno"}


def test_addressed_by_name_and_answering_names_the_voice_that_answers():
    segs = _turns(
        ("Speaker 1", "Maya, what do you think about the launch date?"),
        ("Speaker 2", "I think we should move the launch to July."),
        ("Speaker 3", "That works for me."),
    )
    assert speaker_names(segs) == {"Speaker 2": "Maya"}


def test_a_name_addressed_with_no_other_voice_answering_names_no_one():
    segs = _turns(
        ("Speaker 1", "Bye Omar, talk soon."),
        ("Speaker 1", "Right, where was I."),
    )
    assert speaker_names(segs) == {}


def test_a_direction_or_a_joining_word_before_a_comma_is_no_name():
    # A speaker test ("Front, left." — "Front, right.") answered by the diarist named her voice "Front".
    segs = _turns(
        ("Speaker 2", "Front, left."),
        ("Speaker 1", "That one works."),
        ("Speaker 2", "Next, the budget."),
        ("Speaker 1", "Fine."),
    )
    assert speaker_names(segs) == {}


def test_names_spoken_of_are_no_evidence():
    segs = _turns(
        ("Speaker 1", "That was Diane and Sheila, they both grew up in Chicago."),
        ("Speaker 1", "Sheila will bring the old photo albums to the reunion."),
        ("Speaker 2", "Great."),
    )
    assert speaker_names(segs) == {}


def test_a_self_introduction_outweighs_being_addressed():
    segs = _turns(
        ("Speaker 1", "Tom here, from finance."),
        ("Speaker 2", "Tom, can you send the budget figures by Thursday?"),
        ("Speaker 1", "Sure."),
        ("Speaker 3", "Hi everyone, I'm Ravi."),
    )
    assert speaker_names(segs) == {"Speaker 1": "Tom", "Speaker 3": "Ravi"}


@pytest.mark.parametrize(
    ("text", "owner"),
    [
        ("Tom, can you send the budget figures to Ravi by Thursday?", "Tom"),
        ("Mia, don't forget to thank Mrs Patel for the photos.", "Mia"),
        ("Omar, please book the table for Friday.", "Omar"),
    ],
)
def test_a_task_given_to_a_named_person_is_theirs(text, owner):
    (item,) = action_items(_turns(("Speaker 1", text)))
    assert item.owner == owner


@pytest.mark.parametrize(
    "text", ["Hi Uncle Omar, it's Lena, can you hear us?", "Tom, can you see the screen?", "Maya, can you tell me why?"]
)
def test_asking_a_named_person_to_hear_see_or_tell_gives_them_no_task(text):
    # Found on issue 19's test split: "Hi Uncle Omar, …, can you hear us?" became Omar's task.
    assert action_items(_turns(("Speaker 1", text))) == []


def test_each_named_speaker_owns_only_their_own_tasks():
    segs = _turns(
        ("Speaker 1", "This is Hana."),
        ("Speaker 2", "Tom here."),
        ("Speaker 3", "I'm Ravi."),
        ("Speaker 1", "I'll draft the agenda."),
        ("Speaker 3", "I'll order twelve new chairs."),
        ("Speaker 4", "I need to print the posters."),
    )
    owners = [(a.text, a.owner) for a in action_items(segs)]
    assert owners == [
        ("I'll draft the agenda.", "Hana"),
        ("I'll order twelve new chairs.", "Ravi"),
        ("I need to print the posters.", None),
    ]


def test_a_name_given_once_holds_for_the_voice_in_later_blocks():
    # Names come from the whole video's turns: a later block of the same voice keeps its name.
    earlier = _turns(("Speaker 1", "Hi, I'm Ravi and I look after the warehouse."))
    later = [
        TranscriptSegment(start=60, end=63, text="I'll order twelve new chairs.", speaker="Speaker 1"),
        TranscriptSegment(start=63, end=65, text="Good.", speaker="Speaker 2"),
    ]
    names = speaker_names(earlier + later)
    summary = summarize_block_extractive(later, visual_summary="", scene_count=1, names=names)
    assert [p.speaker for p in summary.per_speaker] == ["Ravi", "Speaker 2"]
    assert [a.owner for a in summary.action_items] == ["Ravi"]


def test_a_voice_that_hands_the_floor_to_someone_and_keeps_it_is_two_people():
    # Fiona and Carlos, close in pitch, joined into one label: Fiona gives Carlos the floor and his question
    # comes under her label. That label shows no name and owns no task; the other voice keeps its name.
    segs = _turns(
        ("Speaker 1", "Good evening, my name is Fiona and I volunteer with the bird club."),
        ("Speaker 2", "Hi, I'm Tessa."),
        ("Speaker 1", "Yes, Carlos, go ahead."),
        ("Speaker 1", "Should we stop feeding them in spring?"),
        ("Speaker 1", "I'll bring my old binoculars for the kids."),
        ("Speaker 2", "I'll send the photos tomorrow."),
    )
    assert speaker_names(segs) == {"Speaker 2": "Tessa"}
    summary = summarize_block_extractive(segs, visual_summary="", scene_count=1)
    owners = {a.text: a.owner for a in summary.action_items}
    assert owners == {
        "I'll bring my old binoculars for the kids.": None,
        "I'll send the photos tomorrow.": "Tessa",
    }
    # Carlos spoke, though on no voice of his own: he is a participant, on no label.
    assert set(summary.participants) == {"Fiona", "Tessa", "Carlos"}


@pytest.mark.parametrize(
    "handed",
    [
        # The reply under the asker's label.
        ("Grace, can you update the release notes by Wednesday?", "Got it."),
        ("Yes, Sam, you had a question. Can we compost orange peel too?",),  # one segment, two people
    ],
)
def test_the_floor_handed_over_and_kept_in_one_turn_or_the_next(handed):
    said = [("Speaker 1", "Hi, this is Nadia."), *(("Speaker 1", t) for t in handed), ("Speaker 2", "Fine.")]
    segs = _turns(*said)
    assert speaker_names(segs) == {}


def test_a_name_said_in_passing_is_no_floor_handed_over():
    segs = _turns(
        ("Speaker 1", "Hi, this is Nadia."),
        ("Speaker 1", "Thanks, Victor, that was quick."),
        ("Speaker 1", "Next, the budget."),
    )
    assert speaker_names(segs) == {"Speaker 1": "Nadia"}


@pytest.mark.parametrize(
    ("text", "owner"),
    [
        ("Bruno, can you chop the onions?", None),  # done as it is said
        ("Julia, could you hold the map for a second?", None),
        ("Martin, could you pick up the cake on the way?", "Martin"),
        ("Grace, can you update the release notes by Wednesday?", "Grace"),
    ],
)
def test_a_request_by_name_is_a_task_only_for_later(text, owner):
    items = action_items(_turns(("Speaker 1", text)))
    assert [i.owner for i in items] == ([owner] if owner else [])

"""Speakers, as the OpenAI fake's `gpt-4o-transcribe-diarize` labels them (`response_format=diarized_json`).

The API reference documents a segment's `speaker` as: "When known speakers are provided, the label matches
`known_speaker_names[]`. Otherwise speakers are labeled sequentially using capital letters (A, B, ...)"
(as generated into the `openai` package, openai/types/audio/transcription_diarized_segment.py; mirrored at
https://hexdocs.pm/ex_openai/2.0.0-beta/ExOpenAI.Components.TranscriptionDiarizedSegment.html). So a
voice that matches one of the `known_speaker_references[]` comes back under that reference's name, and
every other voice under a letter, in order of first appearance: one known speaker and one stranger give
"<name>" and "A". The mixed case is not spelled out; letters for the others is what the sentence implies
(users report "A", "B" without references: https://ndurner.github.io/gpt-4o-diarize). The fake refuses
what the reference (openai/types/audio/transcription_create_params.py) refuses: more than 4 known
speakers, names and references of different counts, references that are not audio data URLs of 2 to 10
seconds (users report the service's own lower bound as 1.2 s: https://community.openai.com/t/
gpt-4o-transcribe-diarize-returns-chunking-strategy-is-required-any-working-example-or-schema/1364231).

How the fake tells voices apart is set by `fake.voices`:
- "alternate" (default): the test media speak with one espeak-ng voice, so the fake pretends there are
  `len(fake.speakers)` voices taking turns, one voiced stretch each; known reference j is voice j.
- "pitch": it listens. Each voiced stretch, and each reference clip, is given its median fundamental
  frequency (autocorrelation over 40 ms frames); two are the same voice when those differ by less than
  25%. espeak-ng's default English voice (~100 Hz) and its "+f3" variant (~210 Hz) are two voices;
  one voice is one voice however many lines it says.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from tests.support.openai_fake.audio import median_pitch, wav_samples
from tests.support.openai_fake.protocol import BadRequest


def speaker_labels(
    audio: bytes,
    spans: list[tuple[float, float]],
    form: dict[str, Any],
    *,
    voices: str,
    speakers: tuple[str, ...],
) -> list[str]:
    """One label per voiced stretch: a known speaker's name when the stretch is that voice, else the
    next capital letter for each new unknown voice."""
    names, references = _known_speakers(form)
    if voices == "pitch":
        samples = wav_samples(audio)
        heard = [median_pitch(samples[int(a * 16000) : int(b * 16000)]) for a, b in spans]
        known = [median_pitch(wav_samples(clip)) for clip in references]
        voice_of = _pitch_voices(heard, known)
    else:
        count = max(1, len(speakers))
        voice_of = [i % count for i in range(len(spans))]  # reference j is voice j
    labels: list[str] = []
    letters: dict[int, str] = {}
    for voice in voice_of:
        if voice < len(names):
            labels.append(names[voice])
        else:
            letters.setdefault(voice, _letter(len(letters)))
            labels.append(letters[voice])
    return labels


def _letter(n: int) -> str:
    return chr(ord("A") + n) if n < 26 else f"A{n}"


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _known_speakers(form: dict[str, Any]) -> tuple[list[str], list[bytes]]:
    """The known speakers' names and reference WAVs, checked as the API reference documents them."""
    names = _as_list(form.get("known_speaker_names[]"))
    urls = _as_list(form.get("known_speaker_references[]"))
    if len(names) != len(urls):
        raise BadRequest(
            f"known_speaker_names[] has {len(names)} entries but known_speaker_references[] has {len(urls)}"
        )
    if len(names) > 4:
        raise BadRequest(f"At most 4 known speakers are supported, got {len(names)}")
    clips = []
    for url in urls:
        head, _, data = url.partition(",")
        if not head.startswith("data:audio/") or not head.endswith(";base64"):
            raise BadRequest("known_speaker_references[] must be audio data URLs")
        clip = base64.b64decode(data)
        seconds = len(wav_samples(clip)) / 16000
        if not 2.0 <= seconds <= 10.0:
            raise BadRequest(
                f"Known speaker references has duration {seconds:.2f} seconds, but must be between 2 and 10 seconds"
            )
        clips.append(clip)
    return names, clips


def _same_voice(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(np.log(a / b)) < np.log(1.25)


def _pitch_voices(heard: list[float | None], known: list[float | None]) -> list[int]:
    """Voice number per stretch: j < len(known) for known reference j, else a new number per new pitch."""
    voices: list[int] = []
    strangers: list[tuple[float | None, int]] = []
    for pitch in heard:
        matches = [j for j, ref in enumerate(known) if _same_voice(pitch, ref)]
        if matches:
            voices.append(min(matches, key=lambda j: abs(np.log(pitch / known[j]))))  # type: ignore[operator]
            continue
        # Stretches with no measurable pitch are taken to be one (unknown) voice together.
        voice = next(
            (v for ref, v in strangers if (ref is None and pitch is None) or _same_voice(pitch, ref)), None
        )
        if voice is None:
            voice = len(known) + len(strangers)
            strangers.append((pitch, voice))
        voices.append(voice)
    return voices

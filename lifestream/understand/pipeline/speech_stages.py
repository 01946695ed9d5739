"""The speech stages: audio and transcribe (one step: the audio is decoded only to be transcribed), then
speakers, which labels a transcript of decoded audio with the voices it tells apart."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lifestream.media.probe import MediaInfo
from lifestream.understand.transcribe import (
    LOCAL_WINDOW_SECONDS,
    Transcript,
    make_engine,
    read_subtitles,
    transcribe_audio,
)
from lifestream.understand.transcribe.openai_stt import DEFAULT_OVERLAP_SECONDS, DEFAULT_WINDOW_SECONDS

if TYPE_CHECKING:
    from lifestream.understand.pipeline.run import Run

OPENAI_WINDOW_SECONDS = DEFAULT_WINDOW_SECONDS
OPENAI_OVERLAP_SECONDS = DEFAULT_OVERLAP_SECONDS
# Distinct speakers one diary keeps, and the longest name: names come from the uploader's subtitles (WebVTT
# voice tags), and every name becomes index metadata and a word searches look for.
MAX_SPEAKERS_PER_VIDEO = 50
MAX_SPEAKER_NAME_CHARS = 80


def stage_transcribe(run: Run, info: MediaInfo) -> Transcript:
    assert run.plan is not None
    saved = run.checkpoint.load("transcript_done")
    if saved:
        return Transcript.model_validate(saved)
    source = run.plan.transcriber
    if source == "none":
        reason = "no audio track" if not info.has_audio else "no transcriber available"
        transcript = Transcript(source="none", detail=reason)
    elif source == "subtitles":
        transcript = read_subtitles(run.video, run.sidecars())
    else:
        from lifestream.media.audio import extract_audio

        run.hand_over_if_out_of_time("audio")
        track = extract_audio(
            run.video,
            run.workdir / "audio.wav",
            should_stop=run.time_to_hand_over,
            on_progress=lambda t: run.report("audio", t / info.duration if info.duration else 1.0),
        )
        run.report("audio")
        if track is None:
            transcript = Transcript(source="none", detail="no audio track")
        else:
            engine = make_engine(
                source, run.settings, openai_client=run.openai if source == "openai" else None
            )
            local = source == "local"
            transcript = transcribe_audio(
                track,
                engine,
                window_seconds=LOCAL_WINDOW_SECONDS if local else OPENAI_WINDOW_SECONDS,
                overlap=0.0 if local else OPENAI_OVERLAP_SECONDS,
                checkpoint=run.checkpoint,
                should_stop=run.time_to_hand_over,
                on_window=lambda f: (run.record_progress(), run.report("transcribe", f)),
                progress_made=lambda: run.progress_made,
            )
    run.save_unit("transcript_done", transcript.model_dump(mode="json"))
    run.report("transcribe")
    return transcript


def stage_speakers(run: Run, info: MediaInfo, transcript: Transcript) -> Transcript:
    """Label the transcript with Speaker 1/2/… from the audio, unless its source already did."""
    from lifestream.understand.speakers import Turn, assign_speakers, make_diarizer
    from lifestream.understand.speakers.split import split_joined

    saved = run.checkpoint.load("speakers")
    if saved is None:
        if not transcript.segments or any(s.speaker for s in transcript.segments):
            # Nobody spoke, or the transcriber diarized (OpenAI's diarize model): nothing to add.
            saved = {"turns": None, "label": ""}
        else:
            from lifestream.media.audio import extract_audio

            wav = run.workdir / "audio.wav"
            if wav.exists():  # decoded by the transcribe stage of this call
                track = _track_of(wav)
            else:  # a continuation: the previous call's work directory is gone
                track = extract_audio(run.video, wav, should_stop=run.time_to_hand_over)
            diarizer = make_diarizer(run.settings)
            turns = (
                diarizer.diarize(
                    track,
                    should_stop=run.time_to_hand_over,
                    on_progress=lambda f: run.report("speakers", f),
                )
                if track is not None
                else []
            )
            saved = {"turns": [t.model_dump() for t in turns], "label": diarizer.label}
        run.save_unit("speakers", saved)
    run.report("speakers")
    if not saved["turns"]:
        return transcript
    turns = [Turn.model_validate(t) for t in saved["turns"]]
    detail = f"{transcript.detail}; speakers: {saved['label']}" if transcript.detail else saved["label"]
    segments = split_joined(assign_speakers(transcript.segments, turns), turns)
    return transcript.model_copy(update={"segments": segments, "detail": detail})


def limit_speakers(
    transcript: Transcript,
    *,
    limit: int = MAX_SPEAKERS_PER_VIDEO,
    longest: int = MAX_SPEAKER_NAME_CHARS,
) -> Transcript:
    """The transcript with at most `limit` distinct speakers, those who talk longest; the others' lines
    stay, without a name. Names are cut to `longest` characters."""
    def cut(name: str | None) -> str | None:
        return name.strip()[:longest] or None if name else None

    talk: dict[str, float] = {}
    for s in transcript.segments:
        name = cut(s.speaker)
        if name:
            talk[name] = talk.get(name, 0.0) + max(0.0, s.end - s.start)
    if len(talk) <= limit and all(cut(s.speaker) == s.speaker for s in transcript.segments):
        return transcript
    kept = set(sorted(talk, key=lambda n: (-talk[n], n))[:limit])
    segments = [
        s.model_copy(update={"speaker": name if (name := cut(s.speaker)) in kept else None})
        for s in transcript.segments
    ]
    return transcript.model_copy(update={"segments": segments})


def _track_of(wav: Path):
    import wave

    from lifestream.media.audio import AudioTrack

    with wave.open(str(wav)) as w:
        return AudioTrack(path=wav, duration=w.getnframes() / w.getframerate())

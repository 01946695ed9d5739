"""Source reliability of a block, from the evidence it really has (not from the model's confidence)."""

from __future__ import annotations

from pydantic import BaseModel

from lifestream.understand.transcribe import TranscriptSource

SOURCE_NAMES = {
    "subtitles": "subtitles",
    "local": "local Whisper transcript",
    "openai": "OpenAI transcript",
    "none": "no transcript",
}


class Evidence(BaseModel):
    transcript_source: TranscriptSource
    segments: int
    speech_seconds: float
    block_seconds: float
    keyframes: int
    images_described: bool
    has_audio: bool


def reliability(e: Evidence) -> str:
    coverage = e.speech_seconds / e.block_seconds if e.block_seconds > 0 else 0.0
    strong_words = e.segments > 0 and (coverage >= 0.25 or e.transcript_source == "subtitles")
    if strong_words and e.images_described:
        level = "High"
    elif strong_words or (e.images_described and e.segments > 0):
        level = "Medium"
    else:
        level = "Low"
    if e.segments:
        source = SOURCE_NAMES.get(e.transcript_source, e.transcript_source)
        words = f"{source}, {e.segments} segment(s) covering {coverage:.0%} of the block"
    elif not e.has_audio and e.transcript_source != "subtitles":
        words = "no audio track"
    elif e.transcript_source == "none":
        words = "speech not transcribed (no transcriber available)"
    else:
        words = "no speech detected"
    if e.images_described:
        pictures = f"{e.keyframes} keyframe(s) described by a vision model"
    else:
        pictures = f"{e.keyframes} keyframe(s), not described (scene timeline only)"
    return f"{level} — {words}; {pictures}"

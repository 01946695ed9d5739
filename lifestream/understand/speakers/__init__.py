"""Who spoke when: speaker turns from the audio, and the transcript labelled with them.

`settings.diarizer`: "local" runs the offline diarizer (an error when it is not installed), "auto" runs it
when installed (the local install's requirements.txt has it; the Lambda's does not, so there the transcript
keeps whatever speakers its source gave), "none" never does.
"""

from __future__ import annotations

from lifestream.core.errors import ConfigError
from lifestream.core.settings import Settings
from lifestream.understand.speakers.turns import Turn, assign_speakers, merge_turns, number_speakers

__all__ = [
    "Turn",
    "assign_speakers",
    "diarizer_wanted",
    "make_diarizer",
    "merge_turns",
    "number_speakers",
]


def diarizer_wanted(settings: Settings) -> bool:
    from lifestream.understand.speakers.local import local_diarizer_available

    if settings.diarizer == "none":
        return False
    available = local_diarizer_available()
    if settings.diarizer == "local" and not available:
        raise ConfigError(
            "LIFESTREAM_DIARIZER=local, but the local diarizer is not installed: pip install resemblyzer "
            "(with torch and scikit-learn; see requirements.txt), or set LIFESTREAM_DIARIZER=auto or none"
        )
    return available


def make_diarizer(settings: Settings):
    from lifestream.understand.speakers.local import LocalDiarizer

    return LocalDiarizer()

"""Renaming a video's speakers ("Speaker 1" → "Anna") in its diary and in its index, so that search and
the diary follow the new name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lifestream.core.errors import NotFoundError, RequestError
from lifestream.service.models import VideoDiary
from lifestream.service.videos import Videos


class Speakers(Videos):
    def rename_speakers(self, owner: str, video_id: str, names: Mapping[str, str]) -> VideoDiary:
        """Rename speaker labels ("Speaker 1" → "Anna") in the diary (JSON and Markdown) and in the
        video's vectors (re-indexed from the renamed diary), so search and diaries follow the new name."""
        from lifestream.understand.chunking import build_chunks
        from lifestream.understand.diary import Diary, render_markdown

        job = self._job(owner, video_id)
        if not names:
            raise RequestError("names", "give at least one label to rename")
        for old, new in names.items():
            if not old.strip() or not new.strip() or len(new) > 100 or "\x00" in new or "\n" in new:
                raise RequestError("names", f"cannot rename {old!r} to {new!r} (1–100 characters, one line)")
        if job.status != "completed":
            raise RequestError("video_id", f"{video_id} has no diary yet (status {job.status})")
        raw = self.read_result(job, "json")
        if raw is None:
            raise NotFoundError(f"the diary of {video_id} is missing")
        summary = Diary.model_validate_json(raw)
        known = {s.speaker for b in summary.blocks for s in b.transcript if s.speaker}
        known |= {p for b in summary.blocks for p in b.participants}
        unknown = sorted(set(names) - known)
        if unknown:
            raise RequestError(
                "names", f"no speaker {unknown[0]!r} in this video (speakers: {sorted(known)})"
            )
        renamed = _rename(summary, dict(names))
        index = self.index(owner)
        # Vectors first: if writing the diary then fails, the index is put back as it was (search and the
        # diary agree on the old names) and a retry renames the unchanged diary again.
        index.index(video_id, build_chunks(renamed, images_described=renamed.vision == "openai"))
        results, keys = self.results(job), job.result_keys or {}
        try:
            results.write_text(keys["json"], renamed.model_dump_json(indent=2), "json")
            results.write_text(keys["markdown"], render_markdown(renamed), "markdown")
        except Exception:
            _restore(results, keys, summary, raw, index, video_id)
            raise
        return self.diary_of(job)


def _restore(results: Any, keys: Mapping[str, str], summary: Any, raw: str, index: Any, video_id: str) -> None:
    """Best effort after a failed rewrite: the old diary text and the old names in the index."""
    from lifestream.understand.chunking import build_chunks
    from lifestream.understand.diary import render_markdown

    try:
        results.write_text(keys["json"], raw, "json")
        results.write_text(keys["markdown"], render_markdown(summary), "markdown")
    except Exception:  # noqa: BLE001, S110 - what could not be written still holds the old text
        pass
    index.index(video_id, build_chunks(summary, images_described=summary.vision == "openai"))


def _rename(summary: Any, names: dict[str, str]) -> Any:
    """The summary with each label replaced: where it is a label (speakers, participants, owners) and
    where the summary's own text names it ("Speaker 1 plans the launch"). A label is matched whole, so
    renaming "Speaker 1" leaves "Speaker 10" alone; what people said (the transcript's text) is kept."""
    pattern = re.compile(
        "|".join(rf"(?<!\w){re.escape(old)}(?!\w)" for old in sorted(names, key=len, reverse=True))
    )

    def text(value: str) -> str:
        return pattern.sub(lambda m: names[m.group(0)], value)

    def swap(value: str | None) -> str | None:
        return names.get(value, value) if value else value

    data = summary.model_copy(deep=True)
    for block in data.blocks:
        block.participants = [swap(p) for p in block.participants]
        block.title, block.activity = text(block.title), text(block.activity)
        block.location, block.visual_summary = text(block.location), text(block.visual_summary)
        block.key_points = [text(k) for k in block.key_points]
        for seg in block.transcript:
            seg.speaker = swap(seg.speaker)
        for item in block.per_speaker:
            item.speaker, item.summary = swap(item.speaker), text(item.summary)
        for action in block.action_items:
            action.owner, action.text = swap(action.owner), text(action.text)
    return data

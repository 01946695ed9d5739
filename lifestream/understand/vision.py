"""The vision stage: what the camera saw, per block.

With OpenAI, the block's scene keyframes go to a vision-capable chat model in one request (JPEG data URLs,
low detail) and the answer is parsed as structured output. Offline, the visual summary is the scene
timeline and says plainly that the pictures were not described — nothing is claimed that was not seen —
followed by the text OCR read on the keyframes, if any (`timeline_with_text`).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from pathlib import Path

from lifestream.core.llm import call_openai
from lifestream.core.timefmt import hms
from lifestream.media.scenes import Scene
from lifestream.understand.screen_text import ScreenText, seen_line
from lifestream.understand.summarize.models import VisualDraft

MAX_IMAGES_PER_BLOCK = 6

VISION_PROMPT = (
    "These are keyframes, in time order, from one part of a personal video. Describe only what is visible: "
    "people (without guessing identities), objects, the kind of place, readable text. Do not infer events you "
    "cannot see. If the images are blank or unclear, say so."
)


def scene_timeline(scenes: Sequence[Scene]) -> str:
    if not scenes:
        return "No keyframes decoded."
    spans = ", ".join(f"{hms(s.start)}–{hms(s.end)}" for s in scenes)
    count = len(scenes)
    return f"{count} scene{'s' if count != 1 else ''} ({spans}); pictures not described (no vision model)."


def timeline_with_text(scenes: Sequence[Scene], texts: Sequence[ScreenText]) -> str:
    """The offline visual line: the scene timeline, then what OCR read (`Seen: "HARDWARE STORE OPEN 9-5".`)."""
    seen = seen_line(texts)
    return f"{scene_timeline(scenes)} {seen}" if seen else scene_timeline(scenes)


def pick_keyframes(scenes: Sequence[Scene], limit: int = MAX_IMAGES_PER_BLOCK) -> list[Scene]:
    """Evenly spread keyframes when a block has more scenes than the per-request limit."""
    if len(scenes) <= limit:
        return list(scenes)
    step = (len(scenes) - 1) / (limit - 1)
    return [scenes[round(i * step)] for i in range(limit)]


def data_url(path: Path) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def describe_keyframes(client, model: str, scenes: Sequence[Scene], keyframes_dir: Path) -> str:
    return describe_keyframes_and_text(client, model, scenes, keyframes_dir)[0]


def describe_keyframes_and_text(
    client, model: str, scenes: Sequence[Scene], keyframes_dir: Path
) -> tuple[str, list[str]]:
    """The vision model's description of the keyframes, and the text it read on them (for the index)."""
    chosen = pick_keyframes(scenes)
    content: list[dict] = [{"type": "text", "text": VISION_PROMPT}]
    for scene in chosen:
        content.append({"type": "text", "text": f"Keyframe at {hms(scene.keyframe_time)}:"})
        content.append(
            {
                "type": "image_url",
                "image_url": {"url": data_url(keyframes_dir / scene.keyframe), "detail": "low"},
            }
        )
    completion = call_openai(
        "vision",
        lambda c: c.chat.completions.parse(
            model=model,
            messages=[{"role": "user", "content": content}],
            response_format=VisualDraft,
            temperature=0,
        ),
        client=client,
    )
    draft = completion.choices[0].message.parsed
    if draft is None:  # a refusal
        return f"{len(chosen)} keyframe(s) sent to the vision model; it gave no description.", []
    text = draft.summary.strip()
    visible = [t.strip() for t in draft.visible_text if t.strip()]
    if visible:
        text += " Visible text: " + "; ".join(visible) + "."
    if draft.setting:
        text += f" Setting: {draft.setting.strip()}."
    return text, visible

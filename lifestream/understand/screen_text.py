"""What was on screen: OCR of the keyframes (rapidocr-onnxruntime, PP-OCRv4 ONNX models inside the wheel).

PP-OCR's recogniser often drops the spaces of a line ("HARDWARE STORE OPEN 9-5" → "HARDWARESTOREOPEN9-5"),
so each line is re-spaced from its character boxes (a gap much wider than the line's usual gap between
letters is a space). Lines of one sign or slide (stacked, overlapping, of similar height) are joined into
one text. Low-confidence reads and tiny fragments are dropped: a diary that quotes noise misleads. The same
text seen in consecutive keyframes is one `ScreenText` spanning their scenes.

`settings.ocr`: "local" runs it (an error when rapidocr-onnxruntime is missing), "auto" runs it when it is
installed and no vision model reads the keyframes (with OpenAI the vision model reports the visible text),
"none" never. The Lambda's requirements leave it out, so there the text comes from the vision model only.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from lifestream.core.errors import ConfigError
from lifestream.core.settings import Settings
from lifestream.core.text import normalized
from lifestream.media.scenes import Scene

MIN_CONFIDENCE = 0.75
MIN_HEIGHT_PX = 8  # on the keyframe (480 px wide): smaller reads are mostly texture
MIN_CHARS = 3  # alphanumeric characters in a text worth keeping
WORD_GAP = 0.25  # a blank stretch wider than this share of the line's height is a space
CENTRE_STEP = 1.6  # without the picture: a step this many times the usual one between letters
SAME_TEXT = 0.85  # similarity of two reads taken as the same text (OCR varies a little between frames)
MAX_TEXTS_IN_LINE = 5
# Lines of one sign or slide sit at most this many line heights apart (a sign's spacing is about one).
LINE_GAP = 1.2


class FrameText(BaseModel):
    """One text read on one keyframe: a line, or stacked lines of one sign, with its box in pixels."""

    text: str
    confidence: float
    box: tuple[float, float, float, float]  # x0, y0, x1, y1


class ScreenText(BaseModel):
    """A distinct text on screen and the time it was seen (the spans of the scenes showing it)."""

    text: str
    start: float
    end: float
    keyframes: list[str] = Field(default_factory=list)
    source: Literal["ocr", "vision"] = "ocr"  # read on the keyframes by OCR, or by the vision model


def ocr_available() -> bool:
    from importlib.util import find_spec

    try:
        return all(find_spec(m) is not None for m in ("rapidocr_onnxruntime", "onnxruntime"))
    except (ImportError, ValueError):  # an import hook that refuses the module counts as "not installed"
        return False


def ocr_wanted(settings: Settings, *, vision: str) -> bool:
    if settings.ocr == "none":
        return False
    available = ocr_available()
    if settings.ocr == "local":
        if not available:
            raise ConfigError(
                "LIFESTREAM_OCR=local, but rapidocr-onnxruntime is not installed: pip install "
                "rapidocr-onnxruntime==1.4.4, or set LIFESTREAM_OCR=auto or none"
            )
        return True
    return available and vision != "openai"


class LocalOCR:
    name = "rapidocr"

    def __init__(self) -> None:
        from rapidocr_onnxruntime import RapidOCR

        self.engine = RapidOCR()

    def read(self, image: Path) -> list[FrameText]:
        import numpy as np
        from PIL import Image

        with Image.open(image) as picture:
            gray = np.asarray(picture.convert("L"))
        result, _ = self.engine(str(image), return_word_box=True)
        lines = []
        for item in result or []:
            # [line box, text, score] and, with return_word_box, [character boxes, characters, their scores].
            box, text, score = item[0], item[1], float(item[2])
            xs, ys = [p[0] for p in box], [p[1] for p in box]
            if len(item) > 4 and item[3] and len(item[3]) == len(item[4]):
                crop = gray[max(0, int(min(ys))) : int(max(ys)) + 1, max(0, int(min(xs))) : int(max(xs)) + 1]
                text = respace(item[4], _relative(item[3], min(xs)), crop)
            lines.append(FrameText(text=text, confidence=score, box=(min(xs), min(ys), max(xs), max(ys))))
        return keep_worth_reading(group_lines(lines))


def respace(chars: Sequence[str], boxes: Sequence[Sequence[Sequence[float]]], gray=None) -> str:
    """A line's characters joined, with a space where the line's picture has a word gap between two of them.

    The character boxes come from the recogniser's CTC columns: they place each character but are all about
    as wide, so a wide letter (W, M) leaves as large a "gap" as a narrow word space. The ink does not lie: a
    blank run of columns wider than `WORD_GAP` of the line's height in `gray` (the line's crop) is a space.
    Without the picture, an unusually long step between character centres is taken instead."""
    centres = [sum(p[0] for p in b) / len(b) for b in boxes]
    breaks = _blank_runs(gray) if gray is not None else None
    steps = sorted(b - a for a, b in itertools.pairwise(centres))
    step = steps[len(steps) // 2] if steps else 0.0
    out = []
    for i, c in enumerate(chars):
        if i and c.strip() and out and out[-1] != " ":
            lo, hi = centres[i - 1], centres[i]
            if breaks is not None:
                wide = any(lo < x < hi for x in breaks)
            else:
                wide = bool(step) and hi - lo > CENTRE_STEP * step
            if wide:
                out.append(" ")
        out.append(c if c.strip() else " ")
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _blank_runs(gray) -> list[float]:
    """Middle x of each run of ink-free columns wider than `WORD_GAP` × height, inside the ink's extent."""
    import numpy as np

    gray = np.asarray(gray, dtype=np.float32)
    if gray.ndim != 2 or gray.shape[0] < 4 or gray.shape[1] < 4:
        return []
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    background = float(np.median(border))
    contrast = np.abs(gray - background)
    if contrast.max() < 30:  # no legible ink
        return []
    ink = (contrast > 0.4 * contrast.max()).sum(axis=0) > 0
    cols = np.flatnonzero(ink)
    if cols.size == 0:
        return []
    min_run = WORD_GAP * gray.shape[0]
    runs, start = [], None
    for x in range(int(cols[0]), int(cols[-1]) + 1):
        if not ink[x] and start is None:
            start = x
        elif ink[x] and start is not None:
            if x - start >= min_run:
                runs.append((start + x) / 2)
            start = None
    return runs


def _relative(boxes, x0: float):
    return [[(p[0] - max(0.0, int(x0)), p[1]) for p in b] for b in boxes]


def group_lines(lines: Sequence[FrameText]) -> list[FrameText]:
    """Lines stacked on one another (one sign, one slide paragraph) as one text, read top to bottom."""
    groups: list[list[FrameText]] = []
    for line in sorted(lines, key=lambda t: (t.box[1], t.box[0])):
        for group in groups:
            last = group[-1]
            height = last.box[3] - last.box[1]
            own = line.box[3] - line.box[1]
            stacked = 0 <= line.box[1] - last.box[3] <= LINE_GAP * max(height, own)
            similar = 0.6 <= own / max(height, 1e-6) <= 1.6
            overlap = min(line.box[2], last.box[2]) - max(line.box[0], last.box[0]) > 0
            if stacked and similar and overlap:
                group.append(line)
                break
        else:
            groups.append([line])
    out = []
    for group in groups:
        out.append(
            FrameText(
                text=" ".join(t.text for t in group),
                confidence=min(t.confidence for t in group),
                box=(
                    min(t.box[0] for t in group),
                    min(t.box[1] for t in group),
                    max(t.box[2] for t in group),
                    max(t.box[3] for t in group),
                ),
            )
        )
    return out


def keep_worth_reading(texts: Sequence[FrameText]) -> list[FrameText]:
    return [
        t
        for t in texts
        if t.confidence >= MIN_CONFIDENCE
        and t.box[3] - t.box[1] >= MIN_HEIGHT_PX
        and sum(ch.isalnum() for ch in t.text) >= MIN_CHARS
    ]


def same_text(a: str, b: str) -> bool:
    a, b = normalized(a), normalized(b)
    return a == b or SequenceMatcher(None, a, b).ratio() >= SAME_TEXT


def screen_texts(scenes: Sequence[Scene], frames: dict[str, Sequence[FrameText]]) -> list[ScreenText]:
    """Distinct texts over scenes in time order: a text read again in the next keyframe extends its span
    (the clearest read is kept); one that skips a keyframe and comes back is seen again, separately."""
    out: list[ScreenText] = []
    best: dict[int, float] = {}
    previous: list[int] = []
    for scene in sorted(scenes, key=lambda s: s.start):
        current = []
        for read in frames.get(scene.keyframe, []):
            match = next((i for i in previous if same_text(out[i].text, read.text)), None)
            if match is None:
                out.append(
                    ScreenText(text=read.text, start=scene.start, end=scene.end, keyframes=[scene.keyframe])
                )
                match = len(out) - 1
                best[match] = read.confidence
            else:
                text = out[match]
                if read.confidence > best[match]:
                    best[match] = read.confidence
                    text.text = read.text
                text.end = max(text.end, scene.end)
                if scene.keyframe not in text.keyframes:
                    text.keyframes.append(scene.keyframe)
            current.append(match)
        previous = current
    return out


def from_vision(visible_text: Sequence[str], scenes: Sequence[Scene]) -> list[ScreenText]:
    """The vision model's `visible_text` for a block: spans of the keyframes it was shown (it does not say
    which one showed what)."""
    if not scenes:
        return []
    start, end = min(s.start for s in scenes), max(s.end for s in scenes)
    out: list[ScreenText] = []
    for text in visible_text:
        text = text.strip()
        if sum(ch.isalnum() for ch in text) >= MIN_CHARS and not any(same_text(t.text, text) for t in out):
            out.append(
                ScreenText(
                    text=text, start=start, end=end, keyframes=[s.keyframe for s in scenes], source="vision"
                )
            )
    return out


def seen_line(texts: Sequence[ScreenText]) -> str:
    """The diary's words for it: `Seen: "HARDWARE STORE OPEN 9-5"; "EXIT".` (empty when nothing was read)."""
    if not texts:
        return ""
    shown = [f'"{t.text}"' for t in texts[:MAX_TEXTS_IN_LINE]]
    more = len(texts) - len(shown)
    tail = f" and {more} more" if more > 0 else ""
    return "Seen: " + "; ".join(shown) + tail + "."

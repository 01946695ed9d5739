"""Scenes from keyframes only, one small JPEG per scene.

Only keyframes are decoded (`skip_frame="NONKEY"`): encoders put a keyframe at every cut and at least
every few seconds, so comparing consecutive keyframes finds scene changes at a fraction of full-decode
cost. Memory stays bounded: one thumbnail and one histogram are kept at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from lifestream.core.errors import CorruptVideoError, OutOfTime

THUMB_SIZE = (64, 36)
HIST_BINS = 8
# Half the L1 distance between colour histograms, averaged over channels: 0 = same, 1 = disjoint.
# Measured on generated footage: moving picture within a scene 0.01-0.02 between keyframes, cuts 0.25-1.
DEFAULT_THRESHOLD = 0.2
# A smaller colour change counts too when the picture itself changed a lot (mean absolute difference of
# the 64x36 thumbnails, 0-1). Camera motion moves pixels but keeps colours, so it passes neither test.
# Measured: within a scene <= 0.03, cuts >= 0.27; cuts' colour change can be as low as 0.145.
SOFT_COLOUR_THRESHOLD = 0.1
PIXEL_THRESHOLD = 0.2
KEYFRAME_MAX_WIDTH = 480
# A sign or slide that changes on a still picture moves neither colour test: only a part of the picture
# changes. So a keyframe also starts a scene when one block of a 160x90 grey thumbnail (a 10x9 grid) changed
# by LOCAL_CHANGE and the next keyframe is still again (every block under STILL): a swap, not motion, since
# people walking and a moving camera keep changing from keyframe to keyframe. Measured (mean absolute
# difference of the block, 0-1): a sign or slide changing 0.25-0.33 and still after it 0.00-0.004 (bench/
# quality's signs on photos); still real footage 0.01-0.06, and motion 0.1-0.8 followed by more motion
# (opencv-doc's vtest, tree, cup and Megamind clips: no swap found in them).
GREY_SIZE = (160, 90)
GRID = (9, 10)  # rows, columns of blocks
LOCAL_CHANGE = 0.2
STILL = 0.08


class Scene(BaseModel):
    index: int
    start: float
    end: float
    keyframe: str  # file name inside the keyframes directory
    keyframe_time: float


def _histogram(rgb: np.ndarray) -> np.ndarray:
    hists = [np.histogram(rgb[..., ch], bins=HIST_BINS, range=(0, 256))[0] for ch in range(3)]
    h = np.stack(hists).astype(np.float32)
    return h / h.sum(axis=1, keepdims=True)


def histogram_distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).sum(axis=1).mean() / 2)


Signature = tuple[np.ndarray, np.ndarray]  # (colour histogram, RGB thumbnail) of one keyframe


def is_cut(previous: Signature, current: Signature, threshold: float = DEFAULT_THRESHOLD) -> bool:
    """Is there a scene change between two consecutive keyframes?"""
    colour = histogram_distance(previous[0], current[0])
    if colour >= threshold:
        return True
    pixels = float(np.abs(previous[1] - current[1]).mean()) / 255.0
    return colour >= SOFT_COLOUR_THRESHOLD and pixels >= PIXEL_THRESHOLD


def local_change(previous: np.ndarray, current: np.ndarray) -> float:
    """The largest mean absolute difference (0-1) of one block of two grey thumbnails."""
    rows, cols = GRID
    diff = np.abs(previous - current) / 255.0
    height, width = diff.shape
    blocks = diff[: height // rows * rows, : width // cols * cols].reshape(rows, height // rows, cols, -1)
    return float(blocks.mean(axis=(1, 3)).max())


def _even(n: float) -> int:
    # Even dimensions keep yuv420 chroma subsampling happy.
    return max(2, int(round(n)) // 2 * 2)


def _jpeg(frame, max_width: int) -> bytes:
    """A small JPEG of the keyframe as it is meant to be seen (display rotation applied)."""
    import av

    turns = int(round((getattr(frame, "rotation", 0) or 0) / 90)) % 4
    shown_w, shown_h = (frame.height, frame.width) if turns % 2 else (frame.width, frame.height)
    width = _even(min(max_width, shown_w))
    height = _even(shown_h * width / shown_w)
    if turns:
        coded = (height, width) if turns % 2 else (width, height)
        rgb = frame.reformat(width=coded[0], height=coded[1], format="rgb24").to_ndarray()
        upright = av.VideoFrame.from_ndarray(np.ascontiguousarray(np.rot90(rgb, k=turns)), format="rgb24")
        small = upright.reformat(format="yuvj420p")
    else:
        small = frame.reformat(width=width, height=height, format="yuvj420p")
    encoder = av.CodecContext.create("mjpeg", "w")
    encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuvj420p"
    encoder.time_base = Fraction(1, 25)
    return b"".join(bytes(p) for p in [*encoder.encode(small), *encoder.encode(None)])


def detect_scenes(
    path: Path,
    keyframes_dir: Path,
    *,
    duration: float,
    threshold: float = DEFAULT_THRESHOLD,
    max_width: int = KEYFRAME_MAX_WIDTH,
    on_keyframe: Callable[[float], None] | None = None,
    on_file: Callable[[Path], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[Scene]:
    """Split the video into scenes at keyframes that differ from the previous keyframe (see `is_cut`), and
    where a part of a still picture changed and stayed (a sign or a slide, see `LOCAL_CHANGE`).

    `on_file(path)` is called for each keyframe JPEG as soon as it is written (the worker keeps a copy for
    a continuation). `should_stop()` is asked before every keyframe after the first; when it says yes,
    `OutOfTime("scenes", t)` is raised: a long video's scan must not run past the invocation's end."""
    import av

    keyframes_dir.mkdir(parents=True, exist_ok=True)
    scenes: list[Scene] = []
    previous: Signature | None = None
    grey: np.ndarray | None = None
    swap: tuple[float, bytes] | None = None  # a keyframe where a part of a still picture changed

    def start(t: float, jpeg: bytes) -> None:
        name = f"scene_{len(scenes):04d}.jpg"
        (keyframes_dir / name).write_bytes(jpeg)
        if on_file is not None:
            on_file(keyframes_dir / name)
        if scenes:
            scenes[-1].end = t
        first = not scenes
        scenes.append(
            Scene(index=len(scenes), start=0.0 if first else t, end=duration, keyframe=name, keyframe_time=t)
        )

    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.codec_context.skip_frame = "NONKEY"
            for frame in container.decode(stream):
                t = float(frame.time or 0.0)
                if previous is not None and should_stop is not None and should_stop():
                    raise OutOfTime("scenes", t)
                thumb = frame.reformat(width=THUMB_SIZE[0], height=THUMB_SIZE[1], format="rgb24").to_ndarray()
                current = (_histogram(thumb), thumb.astype(np.float32))
                now = frame.reformat(width=GREY_SIZE[0], height=GREY_SIZE[1], format="gray")
                now = now.to_ndarray().astype(np.float32)
                change = local_change(grey, now) if grey is not None else 0.0
                if swap is not None and change < STILL:
                    start(*swap)
                swap = None
                if previous is None or is_cut(previous, current, threshold):
                    start(t, _jpeg(frame, max_width))
                elif change >= LOCAL_CHANGE:
                    swap = (t, _jpeg(frame, max_width))
                previous, grey = current, now
                if on_keyframe:
                    on_keyframe(t)
    except av.FFmpegError as exc:
        if not scenes:
            raise CorruptVideoError(f"{path.name}: keyframes cannot be decoded: {exc}") from None
        # A damaged tail: keep the scenes decoded so far, the rest of the file is unreadable anyway.
    if not scenes:
        raise CorruptVideoError(f"{path.name}: no decodable keyframe")
    scenes[-1].end = max(scenes[-1].start, duration)
    return scenes

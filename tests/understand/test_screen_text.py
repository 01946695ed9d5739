"""What was on screen: OCR of keyframes (real rapidocr on drawn text), joining, filtering, deduplication,
the diary's "Seen" words, SCREEN_TEXT chunks, and the OpenAI vision model's visible_text as chunks."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from lifestream.core.errors import ConfigError
from lifestream.core.models import ChunkType
from lifestream.core.settings import load_settings
from lifestream.media.sample_media import require_tool
from lifestream.media.scenes import Scene
from lifestream.understand import screen_text as st
from lifestream.understand.chunking import build_chunks, screen_text_chunks
from lifestream.understand.screen_text import FrameText, ScreenText, respace, screen_texts, seen_line

needs_ocr = pytest.mark.skipif(not st.ocr_available(), reason="rapidocr-onnxruntime not installed")
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _font(size: int):
    try:
        return ImageFont.truetype(FONT, size)
    except OSError:
        pytest.skip("DejaVu font not installed")


def sign_frame(path: Path, lines=("HARDWARE STORE", "OPEN 9-5"), size=(480, 270), background=(90, 120, 90)):
    """A keyframe-sized picture of a sign: dark letters on a light board."""
    img = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(img)
    font = _font(30)
    draw.rectangle([50, 70, 430, 190], fill=(240, 240, 230))
    for n, line in enumerate(lines):
        draw.text((65, 85 + 45 * n), line, fill=(20, 20, 20), font=font)
    img.save(path, quality=90)
    return path


def _frame(text, conf=0.95, box=(0, 0, 100, 20)):
    return FrameText(text=text, confidence=conf, box=box)


def _scene(i, start, end):
    return Scene(index=i, start=start, end=end, keyframe=f"scene_{i:04d}.jpg", keyframe_time=start)


# --- the parts -------------------------------------------------------------------------------------------
def test_respace_puts_spaces_where_the_ink_has_word_gaps():
    # GIVEN a 20 px high line of 8 letters: ink blocks 6 px wide, 3 px apart, and a 12 px gap after the 4th
    gray = np.full((20, 120), 255, dtype=np.uint8)
    xs, x = [], 5
    for n in range(8):
        gray[4:16, x : x + 6] = 0
        xs.append(x)
        x += 6 + (12 if n == 3 else 3)
    # The recogniser's character boxes are equal-width columns around each letter.
    boxes = [[[c - 1, 0], [c + 7, 0], [c + 7, 20], [c - 1, 20]] for c in xs]
    assert respace(list("OPEN9-51"), boxes, gray) == "OPEN 9-51"
    # A space the recogniser did read is kept, never doubled.
    gap = [[[xs[3] + 8, 0], [xs[3] + 14, 0], [xs[3] + 14, 20], [xs[3] + 8, 20]]]
    assert respace(list("OPEN 9-51"), boxes[:4] + gap + boxes[4:], gray) == "OPEN 9-51"


def test_respace_without_a_picture_uses_long_steps_between_letters():
    centres = [10, 20, 30, 40, 70, 80]
    boxes = [[[c - 4, 0], [c + 4, 0], [c + 4, 10], [c - 4, 10]] for c in centres]
    assert respace(list("OPEN95"), boxes) == "OPEN 95"


def test_stacked_lines_of_one_sign_are_one_text_and_separate_signs_are_not():
    lines = [
        _frame("HARDWARE STORE", box=(100, 100, 400, 130)),
        _frame("OPEN 9-5", box=(100, 140, 250, 170)),
        _frame("EXIT", box=(10, 10, 60, 30)),  # elsewhere, smaller
    ]
    assert sorted(t.text for t in st.group_lines(lines)) == ["EXIT", "HARDWARE STORE OPEN 9-5"]


def test_low_confidence_tiny_and_symbol_reads_are_dropped():
    kept = st.keep_worth_reading(
        [
            _frame("QUARTERLY REVIEW"),
            _frame("BLURRY", conf=0.5),
            _frame("tiny text", box=(0, 0, 50, 5)),
            _frame("-:", box=(0, 0, 10, 20)),
            _frame("ab"),
        ]
    )
    assert [t.text for t in kept] == ["QUARTERLY REVIEW"]


def test_text_in_consecutive_keyframes_is_one_span_and_a_return_is_seen_again():
    scenes = [_scene(0, 0, 4), _scene(1, 4, 9), _scene(2, 9, 12), _scene(3, 12, 15)]
    frames = {
        "scene_0000.jpg": [_frame("HARDWARE STORE", 0.90)],
        "scene_0001.jpg": [_frame("HARDWARE ST0RE", 0.80), _frame("EXIT")],  # a slightly different read
        "scene_0003.jpg": [_frame("HARDWARE STORE", 0.97)],
    }
    texts = screen_texts(scenes, frames)
    assert [(t.text, t.start, t.end, t.keyframes) for t in texts] == [
        ("HARDWARE STORE", 0, 9, ["scene_0000.jpg", "scene_0001.jpg"]),
        ("EXIT", 4, 9, ["scene_0001.jpg"]),
        ("HARDWARE STORE", 12, 15, ["scene_0003.jpg"]),
    ]


def test_seen_line_quotes_the_texts():
    texts = [
        ScreenText(text="HARDWARE STORE OPEN 9-5", start=0, end=3),
        ScreenText(text="EXIT", start=0, end=3),
    ]
    assert seen_line(texts) == 'Seen: "HARDWARE STORE OPEN 9-5"; "EXIT".'
    assert seen_line([]) == ""


def test_ocr_setting(monkeypatch, tmp_path):
    settings = lambda v: load_settings(data_dir=tmp_path, ocr=v)
    monkeypatch.setattr(st, "ocr_available", lambda: True)
    assert st.ocr_wanted(settings("auto"), vision="timeline") is True
    assert st.ocr_wanted(settings("auto"), vision="openai") is False  # the vision model reads the text
    assert st.ocr_wanted(settings("local"), vision="openai") is True
    assert st.ocr_wanted(settings("none"), vision="timeline") is False
    monkeypatch.setattr(st, "ocr_available", lambda: False)
    assert st.ocr_wanted(settings("auto"), vision="timeline") is False
    with pytest.raises(ConfigError, match="LIFESTREAM_OCR=local"):
        st.ocr_wanted(settings("local"), vision="timeline")


# --- real OCR --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ocr():
    if not st.ocr_available():
        pytest.skip("rapidocr-onnxruntime not installed")
    return st.LocalOCR()


@needs_ocr
def test_a_sign_reads_as_words_not_one_run_of_letters(ocr, tmp_path):
    found = ocr.read(sign_frame(tmp_path / "sign.jpg"))
    assert [t.text for t in found] == ["HARDWARE STORE OPEN 9-5"]


@needs_ocr
def test_a_picture_without_text_reads_nothing(ocr, tmp_path):
    rng = np.random.default_rng(3)
    noise = (rng.random((270, 480, 3)) * 60 + 80).astype(np.uint8)
    path = tmp_path / "plain.jpg"
    Image.fromarray(noise).save(path)
    assert ocr.read(path) == []


# --- through the pipeline --------------------------------------------------------------------------------
def _slide(title: str) -> Image.Image:
    slide = Image.new("RGB", (480, 270), (250, 250, 250))
    ImageDraw.Draw(slide).text((40, 110), title, fill=(10, 10, 80), font=_font(26))
    return slide


def _text_video(directory: Path) -> Path:
    """9 s, three scenes: a plain wall, a sign (3-6 s), a slide (6-9 s); no audio."""
    plain = Image.new("RGB", (480, 270), (30, 40, 120))
    sign = Image.open(sign_frame(directory / "sign.jpg"))
    return _video(directory, [plain, sign, _slide("QUARTERLY BUDGET REVIEW")])


def _video(directory: Path, pictures: list[Image.Image]) -> Path:
    """3 s of each picture at 10 fps, no audio."""
    frames = directory / "frames"
    frames.mkdir(parents=True)
    n = 0
    for picture in pictures:
        for _ in range(30):  # 3 s at 10 fps
            picture.convert("RGB").save(frames / f"{n:04d}.png")
            n += 1
    video = directory / "text.mp4"
    subprocess.run(
        [
            require_tool("ffmpeg"),
            "-v",
            "error",
            "-framerate",
            "10",
            "-i",
            str(frames / "%04d.png"),
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-g",
            "10",
            str(video),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return video


@pytest.fixture(scope="module")
def text_video(tmp_path_factory):
    return _text_video(tmp_path_factory.mktemp("text_video"))


@needs_ocr
def test_pipeline_puts_screen_text_in_the_diary_and_the_index(text_video, offline_settings, tmp_path):
    from lifestream.core.checkpoint import MemoryCheckpoint
    from lifestream.understand.pipeline import process_video

    checkpoint = MemoryCheckpoint()
    result = process_video(
        text_video,
        settings=offline_settings(),
        video_id="text",
        output_dir=tmp_path / "out",
        checkpoint=checkpoint,
    )

    assert "ocr" in result.stages
    seen = [t for b in result.summary.blocks for t in b.screen_text]
    assert [t.text for t in seen] == ["HARDWARE STORE OPEN 9-5", "QUARTERLY BUDGET REVIEW"]
    sign, slide = seen
    assert 2.5 <= sign.start <= 3.5 and 5.5 <= sign.end <= 6.5 and slide.start >= 5.5
    md = result.markdown_path.read_text()
    assert 'Seen: "HARDWARE STORE OPEN 9-5"; "QUARTERLY BUDGET REVIEW".' in md
    # The per-keyframe reads are checkpointed (a continuation does not read them again).
    assert len(checkpoint.load("ocr")["frames"]) == 3

    chunks = [c for c in build_chunks(result.summary) if c.chunk_type == ChunkType.SCREEN_TEXT]
    assert [(c.text, c.start, c.end) for c in chunks] == [
        ('On screen: "HARDWARE STORE OPEN 9-5"', sign.start, sign.end),
        ('On screen: "QUARTERLY BUDGET REVIEW"', slide.start, slide.end),
    ]
    assert chunks[0].id == "text#screen_text#0000" and chunks[0].extra["source"] == "ocr"


def test_screen_text_chunks_are_one_per_text_per_block():
    from datetime import UTC, datetime

    from lifestream.understand.diary import Diary, DiaryBlock

    block = DiaryBlock(
        title="t",
        activity="a",
        location="Not mentioned",
        visual_summary="v",
        index=0,
        start=0,
        end=10,
        source_reliability="Low",
        screen_text=[ScreenText(text="EXIT", start=1, end=4, keyframes=["scene_0000.jpg"])],
    )
    summary = Diary(
        date="2024-03-15",
        video_id="v",
        recorded_at=datetime(2024, 3, 15, tzinfo=UTC),
        recorded_at_is_fallback=False,
        duration=10,
        transcriber="none",
        summarizer="extractive",
        vision="timeline",
        blocks=[block, block.model_copy(update={"index": 1, "start": 10, "end": 20})],
    )
    chunks = screen_text_chunks(summary)
    assert [(c.id, c.extra["block"], c.recorded_date) for c in chunks] == [
        ("v#screen_text#0000", 0, "2024-03-15"),
        ("v#screen_text#0001", 1, "2024-03-15"),
    ]


def test_with_openai_the_vision_models_visible_text_becomes_screen_text_chunks(
    text_video, openai_settings, openai_fake, tmp_path
):
    from lifestream.understand.pipeline import process_video

    openai_fake.chat_answers["VisualDraft"] = lambda body: {
        "summary": "A sign on a wall, then a slide.",
        "visible_text": ["HARDWARE STORE OPEN 9-5", " ", "QUARTERLY BUDGET REVIEW"],
        "setting": None,
    }
    openai_fake.chat_answers["BlockSummaryDraft"] = lambda body: {
        "title": "A sign and a slide",
        "activity": "Looked at a sign and a slide.",
        "location": "Unknown",
        "participants": [],
        "per_speaker": [],
        "key_points": [],
        "action_items": [],
    }
    result = process_video(
        text_video,
        settings=openai_settings(openai_base_url=openai_fake.base_url),
        video_id="text",
        output_dir=tmp_path / "out",
    )

    assert result.summary.vision == "openai" and "ocr" not in result.stages  # auto: the model reads the text
    chunks = [c for c in build_chunks(result.summary, images_described=True) if c.chunk_type == "screen_text"]
    assert [c.text for c in chunks] == [
        'On screen: "HARDWARE STORE OPEN 9-5"',
        'On screen: "QUARTERLY BUDGET REVIEW"',
    ]
    block = result.summary.blocks[0]
    assert all(c.extra["source"] == "vision" and (c.start, c.end) == (block.start, block.end) for c in chunks)


# --- real camera footage ----------------------------------------------------------------------------------
@needs_ocr
@pytest.mark.slow
def test_real_camera_frames_read_no_noise_and_a_sign_on_them_reads_right(ocr, tmp_path):
    """opencv-doc's real clips (fetched with apt-get download, as bench/quality/ocr.py does) show no
    legible text: nothing may be read on them; a sign drawn onto one of them reads as its words."""
    import random

    from bench.quality.ocr import draw_sign, fetch_clips, frames_of

    try:
        clips = fetch_clips()
    except (subprocess.SubprocessError, OSError) as exc:
        pytest.skip(f"opencv-doc could not be fetched: {exc}")
    frames = [f for clip in clips[:2] for f in frames_of(clip, every=6.0, limit=3)]
    for n, frame in enumerate(frames):
        path = tmp_path / f"plain_{n}.jpg"
        frame.convert("RGB").save(path, quality=90)
        assert ocr.read(path) == [], path
    signed = draw_sign(frames[0], ("Platform 3", "Trains to Boston"), 24, random.Random(1))
    path = tmp_path / "signed.jpg"
    signed.convert("RGB").save(path, quality=90)
    assert [t.text for t in ocr.read(path)] == ["Platform 3 Trains to Boston"]


@needs_ocr
def test_ocr_stops_between_keyframes_when_time_is_short_and_resumes_without_rereading(
    text_video, offline_settings, tmp_path, monkeypatch
):
    from lifestream.core.checkpoint import MemoryCheckpoint
    from lifestream.core.errors import OutOfTime
    from lifestream.understand.pipeline import process_video

    settings = offline_settings()
    checkpoint = MemoryCheckpoint()
    reads = []
    real_read = st.LocalOCR.read
    monkeypatch.setattr(
        st.LocalOCR, "read", lambda self, image: reads.append(image.name) or real_read(self, image)
    )

    def time_left():  # plenty until the first keyframe has been read, then below the margin
        done = len((checkpoint.load("ocr") or {}).get("frames", {}))
        return 0.0 if done else settings.worker_safety_margin_seconds + 600

    def run(clock):
        return process_video(
            text_video,
            settings=settings,
            video_id="text",
            output_dir=tmp_path / "out",
            checkpoint=checkpoint,
            time_left=clock,
        )

    with pytest.raises(OutOfTime) as stopped:
        run(time_left)
    assert stopped.value.stage == "ocr" and reads == ["scene_0000.jpg"]

    result = run(None)
    assert reads == ["scene_0000.jpg", "scene_0001.jpg", "scene_0002.jpg"]
    assert [t.text for b in result.summary.blocks for t in b.screen_text] == [
        "HARDWARE STORE OPEN 9-5",
        "QUARTERLY BUDGET REVIEW",
    ]


@needs_ocr
def test_a_place_named_on_a_sign_is_seen_in_the_diary_and_a_slide_title_is_not(offline_settings, tmp_path):
    """The extractive diary told only places said: a meeting under a "WATTLE COURT" sign was "Location: Not
    mentioned" (bench/quality dev3). A slide's title is still no place (issue 19, section 4)."""
    from lifestream.understand.pipeline import process_video

    sign = Image.open(sign_frame(tmp_path / "sign.jpg", lines=("WATTLE COURT", "Residents only")))
    video = _video(tmp_path / "video", [sign, _slide("OWNERS' MEETING")])

    result = process_video(video, settings=offline_settings(), video_id="court", output_dir=tmp_path / "out")

    assert [b.location for b in result.summary.blocks] == ["Seen: Wattle Court"]
    assert "- **Location:** Seen: Wattle Court" in result.markdown_path.read_text()


@needs_ocr
def test_the_local_summarizer_reads_the_blocks_screen_text(
    text_video, offline_settings, tmp_path, monkeypatch
):
    """A place or task read on a sign is evidence the local model's grounding may use."""
    from lifestream.understand import pipeline
    from lifestream.understand.pipeline.run import Run
    from lifestream.understand.summarize import local_llm, summarize_block_extractive

    given: list[list[str]] = []

    def summarize(llm, segments, *, visual_summary, scene_count, screen_text=(), known_names=None, **_):
        given.append(list(screen_text))
        return summarize_block_extractive(segments, visual_summary=visual_summary, scene_count=scene_count)

    monkeypatch.setattr(local_llm, "summarize_block_local", summarize)
    monkeypatch.setattr(
        Run, "local_llm", lambda self: object()
    )  # the model itself is not the point
    pipeline.process_video(
        text_video,
        settings=offline_settings(summarizer="local"),
        video_id="text",
        output_dir=tmp_path / "out",
    )
    assert [t for texts in given for t in texts] == ["HARDWARE STORE OPEN 9-5", "QUARTERLY BUDGET REVIEW"]

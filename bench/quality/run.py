"""Diary quality on recordings with truth: extractive vs each local model vs OpenAI (the fake), one table.

    .venv/bin/python bench/quality/run.py [--split dev|seen|dev2|dev3|test|both] [--only NAME ...] [--llm-model PATH_OR_REPO/FILE ...]
                                          [--speed] [--minutes 10] [--write] [--no-helpers] [--json OUT]
    .venv/bin/python bench/quality/run.py --speed-only [--speed-summarizer local extractive] [--json OUT]

Splits (issue 19), side by side. Development material, which may be tuned on: `dev` (truth.yaml, the material
the code, its weights and thresholds were tuned on) and `seen` (truth_test.yaml, recordings built by
testset_build.py from testset.py: the first held-out split, "v1", whose failures were read and which a rule
was fixed after, b41f1df), `dev2` (truth_dev2.yaml, built from testset_dev2.py: new material written to
find issue 19's failure classes) and `dev3` (truth_dev3.yaml, from testset_dev3.py: newer material of the
same kind). `test` is v2 (truth_test_v2.yaml, from testset_v2.py), held out: run only to report, never tuned
on. `--split dev` gives the dev, seen, dev2 and dev3 columns, `seen`, `dev2` or `dev3` one of them, `test`
the v2 column, `both` (the default) all five. The scripted splits add rows: abstention (questions
nothing answers), wrong task owners, and name precision / recall (a name on a voice is right when that
voice's speech is >= 80 % the named person's, by the reference RTTM).

Each configuration is a `summarizer` setting (extractive; local, once per --llm-model, skipped when the
local LLM is not installed; openai against tests/support/openai_fake/). Every recording of truth.yaml
(fetched and built by recordings.py into .cache/quality/) runs through the real offline pipeline
(the job lifecycle as `lifestream process` runs it: local Whisper, indexing, a completed job the library's
days see) and every question through `service.Library.ask`, asked on the day the split says. Rows:
action-item precision/recall, participants and places correct, title quality (≤ 8 words, not the
transcript's opening), the call/reading block cut, answers correct and cited to a moment ≤ 25 s; then DER
and OCR recall from bench/quality/speakers.py and ocr.py when they are there. `--speed` (speed.py): the whole
offline pipeline on a generated N-minute talk video as a ratio to real time, in wall and in CPU seconds
(process and children: the machine is shared, so CPU time is the steadier figure), per stage, with peak
RSS and the local model's calls and tokens; `--speed-summarizer` runs it once per summarizer (a baseline
in the same run), `--speed-only` skips the quality table. `--write` puts the table in the "Diary quality" section of bench/RESULTS.md.

`--words-as-said` reads the scripted splits' words and voices from their script instead of hearing them
(said_words.py): a bound on what recognition and diarization cost, not a score.

The OpenAI column is a fake: its chat answers are an extractive stand-in built from the prompt it is sent
(tests/support/openai_fake/ has no language model). It measures the OpenAI path's plumbing (request
shapes, structured output, citations mapped from the sources), not GPT's quality.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(HERE)]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import metrics
import said_words
import recordings
from speed import speed, speed_line

from lifestream.core.constants import LOCAL_USER  # noqa: E402 - after the path setup

HEADING = "## Diary quality (`bench/quality/run.py`)"


# --- the OpenAI fake's stand-in answers -------------------------------------------------------------------
def _fake_summary(body: dict[str, Any]) -> dict[str, Any]:
    from lifestream.core.models import TranscriptSegment
    from lifestream.understand.summarize.extractive import summarize_block

    user = body["messages"][-1]["content"]
    segments = []
    for m in re.finditer(r"^\[(\d+):(\d\d):(\d\d)\] (?:(Speaker \w+|\w+): )?(.*)$", user, re.MULTILINE):
        t = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3))
        segments.append(TranscriptSegment(start=t, end=t + 1, text=m.group(5), speaker=m.group(4)))
    s = summarize_block(segments, visual_summary="", scene_count=1)
    return {
        "title": s.title,
        "activity": s.activity,
        "location": s.location if s.location != "Not mentioned" else "Unknown",
        "participants": s.participants,
        "per_speaker": [p.model_dump() for p in s.per_speaker],
        "key_points": s.key_points,
        "action_items": [{"text": a.text, "owner": a.owner} for a in s.action_items],
    }


def _fake_answer(body: dict[str, Any]) -> dict[str, Any]:
    from lifestream.core.text import words

    user = body["messages"][-1]["content"]
    question = set(words(user.rsplit("Question:", 1)[-1]))
    sources = re.findall(r"^\[(\d+)\] .*?: (.*)$", user, re.MULTILINE)
    best = max(sources, key=lambda s: len(question & set(words(s[1]))), default=None)
    if not best or not question & set(words(best[1])):
        return {"found": False, "sentences": []}
    return {"found": True, "sentences": [{"text": best[1][:300], "sources": [int(best[0])]}]}


# --- configurations ---------------------------------------------------------------------------------------
def configurations(llm_models: list[str]) -> list[tuple[str, dict[str, Any] | None, str]]:
    """(name, settings overrides or None when skipped, note)."""
    out: list[tuple[str, dict[str, Any] | None, str]] = [("extractive", {"summarizer": "extractive"}, "")]
    local = importlib.util.find_spec("lifestream.understand.summarize.local_llm") is not None
    for model in llm_models or [None]:
        name = f"local ({Path(model).name})" if model else "local (default model)"
        if not local:
            out.append((name, None, "skipped: lifestream.understand.summarize.local_llm is not installed"))
        else:
            out.append((name, {"summarizer": "local", **({"llm_model": model} if model else {})}, ""))
    out.append(("openai (fake)", {"summarizer": "openai"}, "stand-in answers (see the module docstring)"))
    return out


HEARD = HERE / "heard"


def save_transcript(rec: str, diary: dict[str, Any], duration: float) -> None:
    """What local Whisper heard, as SRT (small, committed): tests replay it without the audio or the model."""
    from lifestream.media.sample_media import srt_time

    segments = [s for b in diary["blocks"] for s in b["transcript"]]
    cues = [
        f"{i}\n{srt_time(s['start'])} --> {srt_time(s['end'])}\n{s['text']}\n"
        for i, s in enumerate(segments, 1)
    ]
    HEARD.mkdir(exist_ok=True)
    (HEARD / f"{rec}.srt").write_text("\n".join(cues))
    (HEARD / "durations.json").write_text(
        json.dumps({**_durations(), rec: round(duration, 3)}, indent=1, sort_keys=True) + "\n"
    )


def _durations() -> dict[str, float]:
    path = HEARD / "durations.json"
    return json.loads(path.read_text()) if path.exists() else {}


SPLITS = {
    "dev": ("dev", "seen", "dev2", "dev3"),
    "seen": ("seen",),
    "dev2": ("dev2",),
    "dev3": ("dev3",),
    "test": ("test",),
    "both": ("dev", "seen", "dev2", "dev3", "test"),
}
SPLIT_LABELS = {
    "dev": "dev", "seen": "dev: seen (v1)", "dev2": "dev: dev2", "dev3": "dev: dev3", "test": "test (v2)",
}  # fmt: skip
SCRIPTED = ("seen", "dev2", "dev3", "test")  # the splits testset_build.py builds from a script (its SCRIPTS)


def _recordings(split: str, only: list[str]):
    """(name, truth, video, reference turns or None, cues or None, duration or None) of the split."""
    for rec, want in metrics.truth(split).items():
        if only and rec not in only:
            continue
        try:
            if split in SCRIPTED:
                import testset_build

                built = testset_build.build(rec, split)
                yield rec, want, built.video, metrics.read_rttm(built.rttm), built.cues, built.duration
            else:
                yield rec, want, recordings.build(rec), recordings.reference(rec), None, None
        except recordings.Unavailable as exc:
            print(f"  {rec}: skipped ({exc})", file=sys.stderr)


def asked_on(split: str):
    """(now, time zone) the scripted splits' questions are asked at, the retrieval eval's own; the real
    recordings of `dev` are asked now, in the default zone."""
    if split == "seen":
        from bench.retrieval.corpus_test import TEST_NOW, TEST_TZ
    elif split == "dev2":
        from testset_dev2 import ASKED_NOW as TEST_NOW, ASKED_TZ as TEST_TZ
    elif split == "dev3":
        from testset_dev3 import ASKED_NOW as TEST_NOW, ASKED_TZ as TEST_TZ
    elif split == "test":
        from bench.retrieval.corpus_test_v2 import TEST_NOW, TEST_TZ
    else:
        return None, None
    return TEST_NOW, TEST_TZ


def run_configuration(
    name: str, overrides: dict[str, Any], work: Path, only: list[str], save_heard: bool = False,
    split: str = "dev", said: bool = False,
) -> tuple[dict, list]:  # fmt: skip
    from lifestream.core.settings import load_settings
    from lifestream.local.files import FileProcessor
    from lifestream.service.library import Library

    fake = None
    values: dict[str, Any] = {
        "data_dir": work / "data",
        "faiss_dir": work / "index",
        "transcriber": "local",
        "embedding_provider": "local",
        **overrides,
    }
    if said:  # the words and turns as scripted, not as heard: what the rules alone get wrong
        values["transcriber"] = "subtitles"
    if overrides.get("summarizer") == "openai":
        from tests.support.openai_fake import DEFAULT_API_KEY, OpenAIFake

        fake = OpenAIFake().start()
        fake.chat_answers["BlockSummaryDraft"] = _fake_summary
        fake.chat_answers["AnswerDraft"] = _fake_answer
        fake.chat_answers["VisualDraft"] = lambda body: {
            "summary": "A scene.",
            "visible_text": [],
            "setting": None,
        }
        values |= {"openai_api_key": DEFAULT_API_KEY, "openai_base_url": fake.base_url}
    # The scripted splits are asked on the day after their last recording, in their own zone, as the
    # retrieval eval asks them ("Wednesday the 16th" means that week's, not the wall clock's).
    now, zone = asked_on(split)
    if zone:
        values.setdefault("timezone", zone)
    settings = load_settings(**values)
    library = Library(settings, clock=(lambda: now) if now else None)
    total = metrics.Score()
    used = set()
    asked: list[tuple[str, dict]] = []
    try:
        # Every recording first, then the questions: each is asked of the whole library, as a user would.
        # Each goes through the job lifecycle as `lifestream process` runs it, so the library's days, titles
        # and day questions see it as they see a user's videos.
        processor = FileProcessor(settings, library.jobs, index=True, force=True)
        ids: dict[str, str] = {}
        for rec, want, video, reference, cues, duration in _recordings(split, only):
            if said:
                video = said_words.as_said(Path(video), cues, work / "said")  # `main` passes scripted splits
            outcome = processor.run(Path(video))
            if outcome.status != "completed" or outcome.video_id is None:
                raise RuntimeError(f"{rec}: {outcome.status}: {outcome.message}")
            ids[rec] = outcome.video_id
            diary = library.get_video(LOCAL_USER, outcome.video_id).diary
            used.add(diary["summarizer"])
            if save_heard and split == "dev":
                save_transcript(rec, diary, outcome.duration)
            total.add(metrics.score_diary(rec, diary, want))
            if reference is not None:
                total.add(metrics.score_names(rec, diary, reference, want.get("participants", [])))
            for qa in want.get("qa", []):
                asked.append((rec, metrics.with_spans(qa, cues, duration) if cues is not None else qa))
        for rec, qa in asked:
            answer = library.ask(LOCAL_USER, qa["question"])
            cites = [c.model_dump() for c in answer.citations]
            total.add(metrics.score_answer(rec, ids[rec], qa, answer.text, cites))
        if not only:
            for question in metrics.nothing_questions(split):
                total.add(metrics.score_nothing(question, library.ask(LOCAL_USER, question).text))
    finally:
        if fake is not None:
            fake.stop()
    total.notes.insert(0, f"summarizer used: {', '.join(sorted(used))}")
    return total.figures(), total.notes


# --- DER / OCR from the speakers and OCR helpers' modules ---------------------------------------------------
def helper_rows(split: str = "dev") -> list[tuple[str, str]]:
    rows = []
    for script in ("speakers.py", "ocr.py"):
        path = HERE / script
        if not path.exists():
            rows.append((script, "not present"))
            continue
        done = subprocess.run(
            [sys.executable, str(path), *(["--split", split] if script == "speakers.py" else [])],
            capture_output=True, text=True, timeout=1800, check=False, cwd=ROOT,
        )  # fmt: skip
        lines = [ln for ln in done.stdout.splitlines() if ln.strip()] or [done.stderr.strip()[-200:]]
        rows += [(script, ln) for ln in lines[-14:]]  # their own summary lines, as they print them
    return rows


def _fmt(value: float | None, name: str) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if name in metrics.COUNTS else f"{value:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", nargs="*", default=[], help="recordings of truth.yaml to run")
    parser.add_argument("--llm-model", action="append", default=[], help="a local GGUF (repeatable)")
    parser.add_argument("--skip-openai", action="store_true")
    parser.add_argument(
        "--config", action="append", default=[], help="run only these configurations (extractive, local, openai)"
    )
    parser.add_argument("--speed", action="store_true", help="also time the whole offline pipeline")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument(
        "--speed-summarizer", nargs="+", default=["local"],
        help="summarizers to time with --speed (e.g. extractive local: the extractive run is the baseline)",
    )  # fmt: skip
    parser.add_argument("--speed-only", action="store_true", help="only --speed, no quality table")
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    parser.add_argument(
        "--split", choices=tuple(SPLITS), default="both",
        help="dev: development material (dev, seen v1, dev2, dev3); test: v2, held out, run only to report",
    )  # fmt: skip
    parser.add_argument("--heading", default=HEADING, help="the RESULTS.md section --write replaces")
    parser.add_argument("--no-helpers", action="store_true", help="skip speakers.py and ocr.py")
    parser.add_argument("--json", type=Path, help="also write the figures and notes to this file")
    parser.add_argument(
        "--words-as-said", action="store_true",
        help="the scripted splits only: the script's words and voices, not those heard (see said_words.py)",
    )  # fmt: skip
    parser.add_argument(
        "--save-heard",
        action="store_true",
        help="write the transcripts heard to bench/quality/heard/ (for tests)",
    )
    args = parser.parse_args()

    splits = SPLITS[args.split]
    columns: list[tuple[str, dict | None, list[str]]] = []
    if args.speed_only:
        if args.write:
            parser.error("--speed-only does not --write (it would blank the quality table): copy its lines by hand")
        args.speed = True
    for name, overrides, note in [] if args.speed_only else configurations(args.llm_model):
        if args.skip_openai and name.startswith("openai"):
            continue
        if args.config and not any(name.startswith(c) for c in args.config):
            continue
        for split in splits:
            if args.words_as_said and split not in SCRIPTED:
                continue  # the real recordings have no script to read
            column = f"{name} · {SPLIT_LABELS[split]}" + (" · words as said" if args.words_as_said else "")
            if overrides is None:
                columns.append((column, None, [note]))
                continue
            print(f"== {column}", file=sys.stderr)
            with tempfile.TemporaryDirectory(prefix="lifestream-quality-") as tmp:
                figures, notes = run_configuration(
                    name, overrides, Path(tmp), args.only,
                    save_heard=args.save_heard and name == "extractive", split=split, said=args.words_as_said,
                )  # fmt: skip
            columns.append((column, figures, ([note] if note else []) + notes))
    if args.json:
        args.json.write_text(json.dumps([{"column": c, "figures": f, "notes": n} for c, f, n in columns], indent=1))
    metric_names = list(metrics.Score().figures())
    lines = ["| metric | " + " | ".join(c[0] for c in columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for m in metric_names:
        cells = [_fmt(c[1].get(m), m) if c[1] else "skipped" for c in columns]
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    extra = [] if args.no_helpers or args.speed_only else helper_rows(args.split)
    table = "\n".join(lines)
    print(table)
    for script, row in extra:
        print(f"{script}: {row}")
    notes = [f"- {c[0]}: {n}" for c in columns for n in c[2]]
    print("\n".join(notes))
    speed_text = ""
    if args.speed:
        lines_speed = []
        for summarizer in args.speed_summarizer:
            figures = speed(args.minutes, {"summarizer": summarizer})
            if args.json:
                args.json.with_suffix(f".speed-{summarizer}.json").write_text(json.dumps(figures, indent=1))
            lines_speed.append("- " + speed_line(figures))
            print(lines_speed[-1])
        speed_text = "Whole offline pipeline (`--speed`):\n" + "\n".join(lines_speed)
    if args.write:
        sys.path.insert(0, str(ROOT / "bench"))
        from bench_pipeline import write_section

        section = "\n".join(
            [
                args.heading,
                "",
                (
                    f"Development material: {', '.join(metrics.truth('dev'))} (bench/quality/truth.yaml, "
                    f"sources in recordings.py), the seen v1 split {', '.join(metrics.truth('seen'))} "
                    f"(truth_test.yaml, testset.py), dev2 {', '.join(metrics.truth('dev2'))} "
                    f"(truth_dev2.yaml, testset_dev2.py) and dev3 {', '.join(metrics.truth('dev3'))} "
                    "(truth_dev3.yaml, testset_dev3.py). Test split v2, held out: "
                    f"{', '.join(metrics.truth('test'))} (truth_test_v2.yaml, built by testset_build.py from "
                    "testset_v2.py), run only to report. Local Whisper base transcripts; 2 cores."
                ),
                "",
                table,
                "",
                *(f"- {s}: {r}" for s, r in extra),
                *notes,
                "",
                speed_text,
                "",
            ]
        )
        write_section(ROOT / "bench" / "RESULTS.md", args.heading, section)
        print("bench/RESULTS.md updated", file=sys.stderr)


if __name__ == "__main__":
    main()

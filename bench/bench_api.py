"""Latency of the HTTP API against calling the service layer directly, in the same run.

p50/p95 of `GET /api/search` and `POST /api/ask` at 1k and 100k indexed chunks, three ways:
  direct   — `Library.search` / `Library.ask` (what the routes call);
  asgi     — FastAPI's TestClient (the whole app in-process, no sockets);
  uvicorn  — a real uvicorn on 127.0.0.1 and a keep-alive httpx client (what `lifestream serve` runs).
The API's overhead is the difference of medians. Target (issue): ≤ 5 ms p50.

The embedder is a fast deterministic hashing embedder (384-d, like all-MiniLM-L6-v2's width), NOT the
real model: it makes 100k chunks indexable in seconds and keeps the model's own ~5-10 ms per query out of
both sides of the comparison. Vectors sit in FAISS (auto: flat at 1k, HNSW at 100k); half the chunks belong
to another user, so every query pays the owner scoping it pays in real use.

    .venv/bin/python bench/bench_api.py --sizes 1000 100000 --queries 200
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DIM = 384
WORDS = [
    "we",
    "talked",
    "about",
    "the",
    "garden",
    "project",
    "deadline",
    "dinner",
    "kids",
    "school",
    "budget",
    "meeting",
    "weekend",
    "trip",
    "coffee",
    "train",
    "station",
    "doctor",
    "appointment",
    "birthday",
    "present",
    "groceries",
    "laptop",
    "slides",
    "river",
    "dog",
    "compost",
    "launch",
]


class HashEmbedder:
    """Bag of hashed words, L2-normalised: deterministic, ~20 µs a text; texts sharing words are close."""

    name = "bench-hash"
    dimension = DIM

    def embed(self, texts):
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
                out[row, h % DIM] += 1.0 if (h >> 32) & 1 else -1.0
            if not out[row].any():
                out[row, 0] = 1.0
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def build(n: int, root: Path):
    from lifestream.core.constants import LOCAL_USER
    from lifestream.core.settings import load_settings
    from lifestream.memory.vectors.faiss_store import FaissVectorStore
    from lifestream.memory.vectors.owned import for_owner
    from lifestream.service import Library

    rng = random.Random(7)
    embedder = HashEmbedder()
    store = FaissVectorStore(root / "faiss", dimension=DIM, embedder_name=embedder.name, autosave=False)
    for owner in (LOCAL_USER, "someone-else"):
        view = for_owner(store, owner)
        half = n // 2
        ids, metas, texts = [], [], []
        for i in range(half):
            video = f"{owner[:5]}-video-{i % 100:03d}"
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60)))
            ids.append(f"{video}#transcript#{i:06d}")
            texts.append(text)
            metas.append(
                {
                    "video_id": video,
                    "chunk_type": "transcript",
                    "start": float(i % 600),
                    "end": float(i % 600 + 20),
                    "speakers": [],
                    "text": text,
                    "recorded_day": 20260501 + i % 28,
                }
            )
        for start in range(0, half, 5000):
            view.upsert(
                ids[start : start + 5000],
                embedder.embed(texts[start : start + 5000]),
                metas[start : start + 5000],
            )
    settings = load_settings(data_dir=root / "data", summarizer="extractive")
    return settings, Library(settings, store=store, embedder=embedder), store


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(0.95 * (len(ordered) - 1))] * 1000


def timed(fn, queries: list[str]) -> list[float]:
    fn(queries[0])  # warm: first-call costs (imports, pools) are not latency
    out = []
    for q in queries:
        t = time.perf_counter()
        fn(q)
        out.append(time.perf_counter() - t)
    return out


def serve(app):
    import uvicorn

    from tests.support.postgres import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


def routes(library, client, http) -> dict:
    """The two routes, each called three ways (module docstring)."""
    from lifestream.core.constants import LOCAL_USER

    params = {"top_k": 5}
    return {
        "search": {
            "direct": lambda q: library.search(LOCAL_USER, q, top_k=5),
            "asgi": lambda q: client.get("/api/search", params={"q": q, **params}).raise_for_status(),
            "uvicorn": lambda q: http.get("/api/search", params={"q": q, **params}).raise_for_status(),
        },
        "ask": {
            "direct": lambda q: library.ask(LOCAL_USER, q),
            "asgi": lambda q: client.post("/api/ask", json={"question": q}).raise_for_status(),
            "uvicorn": lambda q: http.post("/api/ask", json={"question": q}).raise_for_status(),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    import httpx
    from fastapi.testclient import TestClient

    from lifestream.api import create_app

    rng = random.Random(11)
    print("chunks  route        way       p50 ms   p95 ms   overhead p50 vs direct")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            settings, library, store = build(n, Path(tmp))
            built = time.perf_counter() - t
            queries = [" ".join(rng.choice(WORDS) for _ in range(4)) for _ in range(args.queries)]
            app = create_app(settings, library=library)
            client = TestClient(app, base_url="http://127.0.0.1")
            server, thread, base = serve(app)
            http = httpx.Client(base_url=base, timeout=30)
            ways = routes(library, client, http)
            print(f"# {n} chunks ({store.index_type}), built in {built:.1f} s")
            for route, by_way in ways.items():
                direct = None
                for way, fn in by_way.items():
                    p50, p95 = percentiles(timed(fn, queries))
                    if way == "direct":
                        direct = p50
                        extra = ""
                    else:
                        extra = f"+{p50 - direct:.2f} ms ({p50 / direct:.2f}x)"
                    path = "GET /api/search" if route == "search" else "POST /api/ask"
                    print(f"{n:>6}  {path:<15} {way:<8} {p50:8.2f} {p95:8.2f}   {extra}")
            http.close()
            server.should_exit = True
            thread.join(timeout=10)


if __name__ == "__main__":
    main()

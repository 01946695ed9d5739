"""The worker derives the owner from the key: the job, the results prefix and the vectors are the user's."""

from __future__ import annotations

from lifestream.memory.search import semantic_search
from lifestream.memory.vectors.owned import for_owner
from lifestream.worker import get_runtime

FOLDER = "0123456789abcdef0123456789abcdef"


def test_an_upload_under_a_users_prefix_is_that_users_video(env, sample):
    # GIVEN a video uploaded the way the API presigns it, with its subtitles beside it
    key = f"uploads/alice/{FOLDER}/my day.mp4"
    env.upload(sample.path, key, subtitles=sample.subtitles)
    # WHEN the worker processes it
    assert env.worker().run(until_idle=True).failed == 0
    job = env.only_job()
    # THEN the job is Alice's and her results live under her prefix
    assert (job.status, job.owner) == ("completed", "alice")
    prefix = f"results/alice/{job.video_id}/"
    assert job.result_keys["markdown"] == prefix + "summary.md"
    assert {prefix + "summary.json", prefix + "summary.md"} <= set(env.keys(prefix))
    assert env.keys(f"results/{job.video_id}/") == []
    # AND every vector carries her as owner: she finds the moment, the local user and Bob do not
    runtime = get_runtime()
    records = runtime.store.fetch(env.vector_ids(job.video_id))
    assert records and {r.metadata["owner"] for r in records.values()} == {"alice"}
    query = "buy compost and a watering can"
    for owner, found in (("alice", True), ("local", False), ("bob", False)):
        results = semantic_search(query, store=for_owner(runtime.store, owner), embedder=runtime.embedder)
        assert bool(results) is found, owner

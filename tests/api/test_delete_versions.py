"""Deleting a video forgets every version of its object the job store knows, not only the newest."""

from __future__ import annotations

from fastapi.testclient import TestClient

from lifestream.api import create_app
from lifestream.core.models import Chunk, ChunkType
from lifestream.memory.video_index import VideoIndex
from lifestream.memory.vectors.faiss_store import FaissVectorStore
from lifestream.memory.vectors.owned import for_owner
from lifestream.service import Library
from tests.memory.conftest import DIM, WordEmbedder


def test_delete_forgets_the_older_versions_too(cloud, settings_for, tmp_path):
    settings = settings_for(cloud)
    embedder = WordEmbedder()
    store = FaissVectorStore(tmp_path / "faiss", dimension=DIM, embedder_name=embedder.name)
    library = Library(settings, store=store, embedder=embedder)
    client = TestClient(create_app(settings, library=library), raise_server_exceptions=False, base_url="http://127.0.0.1")
    bucket, key = cloud.resources.bucket, "uploads/walk.mp4"
    # GIVEN two versions of one upload, each with a job (the older one failed, so nothing replaced it),
    # vectors and results
    videos = []
    for body in (b"first", b"second"):
        version = cloud.s3.put_object(Bucket=bucket, Key=key, Body=body)["VersionId"]
        job = library.jobs.claim(bucket=bucket, key=key, version=version, worker_id="w", stale_after=60).job
        chunk = Chunk(
            id=Chunk.make_id(job.video_id, ChunkType.SUMMARY, 0),
            text=f"a walk {body.decode()}",
            video_id=job.video_id,
            chunk_type=ChunkType.SUMMARY,
            start=0,
            end=1,
        )
        VideoIndex(for_owner(store, "local"), embedder, owner="local").index(job.video_id, [chunk])
        cloud.s3.put_object(Bucket=bucket, Key=f"results/local/{job.video_id}/summary.md", Body=b"# x")
        videos.append(job)
    assert len(library.jobs.list_jobs()) == 2
    # WHEN the newest is deleted
    response = client.delete(f"/api/videos/{videos[1].video_id}")
    assert response.status_code == 200, response.text
    # THEN nothing of either version is left
    assert response.json()["jobs"] == 2 and response.json()["vectors"] == 2
    assert library.jobs.list_jobs() == [] and store.count() == 0
    listed = cloud.s3.list_object_versions(Bucket=bucket)
    assert listed.get("Versions", []) == [] and listed.get("DeleteMarkers", []) == []

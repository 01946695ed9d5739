"""The cloud configuration (OpenAI + Pinecone) never imports the local-only heavy libraries."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support.openai_fake import DEFAULT_API_KEY as OPENAI_KEY
from tests.support.pinecone_fake import DEFAULT_API_KEY as PINECONE_KEY

CODE = """
import json, sys
from lifestream.core.settings import load_settings
from lifestream.memory.embeddings import make_embedder
from lifestream.memory.vectors import make_vector_store
from lifestream.memory.video_index import VideoIndex
from lifestream.memory.search import semantic_search
from lifestream.core.models import Chunk, ChunkType
settings = load_settings()
embedder = make_embedder(settings)
store = make_vector_store(settings, embedder)
chunk = Chunk(id="v#summary#0000", text="walked the dog by the river", video_id="v",
              chunk_type=ChunkType.SUMMARY, start=0, end=5, recorded_date="2026-11-24")
VideoIndex(store, embedder).index("v", [chunk])
hits = semantic_search("dog river walk", store=store, embedder=embedder, top_k=1)
heavy = sorted(m for m in ("faiss", "torch", "onnxruntime", "sentence_transformers", "transformers") if m in sys.modules)
print(json.dumps({"hit": hits[0].id, "kind": store.kind, "heavy": heavy}))
"""


def test_cloud_path_imports_no_local_models_or_faiss(openai_fake, pinecone_fake, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFESTREAM_")}
    env.update(
        LIFESTREAM_VECTOR_STORE="pinecone",
        LIFESTREAM_PINECONE_API_KEY=PINECONE_KEY,
        LIFESTREAM_PINECONE_CONTROL_HOST=pinecone_fake.url,
        LIFESTREAM_EMBEDDING_PROVIDER="openai",
        LIFESTREAM_OPENAI_API_KEY=OPENAI_KEY,
        LIFESTREAM_OPENAI_BASE_URL=openai_fake.base_url,
    )
    done = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, env=env, cwd=tmp_path, check=False
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out == {"hit": "v#summary#0000", "kind": "pinecone", "heavy": []}
    assert pinecone_fake.create_bodies[0]["schema"]["fields"]["_values"]["dimension"] == 1536

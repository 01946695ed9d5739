"""The offline all-MiniLM-L6-v2: real model files from pip, no network."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from lifestream.core.settings import load_settings
from lifestream.memory.embeddings import make_embedder
from lifestream.memory.embeddings.local_embedder import OnnxMiniLMEmbedder, TorchMiniLMEmbedder

SENTENCES = [
    "We walked the dog along the river before breakfast.",
    "Remember to buy milk, eggs and coffee on the way home.",
    "The quarterly budget meeting ran an hour over time.",
    "Alice said the project deadline moved to Friday, so the slides must be done by Thursday night.",
    "Grandma told the story about the summer she worked on a fishing boat in Norway.",
    "I need to call the dentist to reschedule my appointment.",
    "The kids built a sandcastle and the tide washed it away.",
    "Bob suggested we try the new Thai restaurant near the station.",
    "My laptop battery died in the middle of the presentation.",
    "We watched the sunset from the hill behind the house and talked about moving abroad.",
    "Das Wetter in Berlin war heute überraschend warm.",
    "Next week: finish the tax return, renew the passport, book flights.",
]


@pytest.fixture(scope="module")
def onnx():
    return OnnxMiniLMEmbedder()


def test_onnx_vectors_are_normalised_384_d(onnx):
    out = onnx.embed(SENTENCES)
    assert out.shape == (len(SENTENCES), 384) and out.dtype == np.float32
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    assert onnx.embed([]).shape == (0, 384)


def test_onnx_embeddings_carry_meaning(onnx):
    docs = onnx.embed(SENTENCES)
    query = onnx.embed(["when is the presentation deadline?"])[0]
    assert int(np.argmax(docs @ query)) == 3
    query = onnx.embed(["groceries shopping list"])[0]
    assert int(np.argmax(docs @ query)) == 1


def test_order_is_preserved_despite_length_sorting(onnx):
    batch = onnx.embed(SENTENCES)
    one_by_one = np.vstack([onnx.embed([s]) for s in SENTENCES])
    assert np.allclose(batch, one_by_one, atol=1e-4)


@pytest.mark.slow
def test_onnx_int8_matches_the_torch_model(onnx):
    # The int8 ONNX path is the default only because it reproduces the fp32 model's vectors.
    torch_vectors = TorchMiniLMEmbedder().embed(SENTENCES)
    onnx_vectors = onnx.embed(SENTENCES)
    cosines = np.sum(torch_vectors * onnx_vectors, axis=1)
    assert cosines.min() >= 0.999, cosines


def test_default_local_embedder_is_onnx_and_does_not_import_torch():
    code = (
        "import sys; from lifestream.core.settings import load_settings; from lifestream.memory.embeddings import make_embedder;"
        "e = make_embedder(load_settings()); e.embed(['hello']);"
        "print(type(e).__name__, 'torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["OnnxMiniLMEmbedder", "False"]


def test_settings_choose_the_backend():
    assert make_embedder(load_settings(local_embedding_backend="onnx")).name == "all-MiniLM-L6-v2"

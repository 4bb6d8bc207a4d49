"""Experiment, not shipped: MiniLM sentence embeddings as extra effort features on STC-3, nested CV.

    python -m herodesk.signals.quality.effort_embed [DATA_ROOT] [--cache DIR]

The outer folds are the ones `signals eval` uses (KFold(5, shuffle, random_state=0)). Each variant adds
to the shipped drivers one ridge sub-model per pooled embedding (customer turns' mean, the last customer
turn, agent turns' mean), each fitted out of fold inside the training part the way the wording sub-model
is; the driver ridge is then fitted on -S or on a blend of standardised -S and -E. The variant a fold
reports under "nested" is chosen by a 4-fold CV inside that fold's training part (score: mean of the
Spearman with -S and with -E); the eval fold is never looked at to choose. Sub-model alpha is fixed (3).

Per-turn embeddings (4,231 turns, ~20 minutes of CPU on the shared machine) and the drivers of each fold
are cached in --cache. Single-threaded BLAS is much faster on the loaded 2-core machine: run it with
OMP_NUM_THREADS=1.
"""

from __future__ import annotations

import argparse
import math
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold

from herodesk.signals import behaviours, effort, embeddings
from herodesk.signals.quality import train
from herodesk.signals.quality.data import StcDialogue, load_stc3
from herodesk.signals.text import prepare

SUB_ALPHA = 3.0
EMBEDDING_SETS: tuple[tuple[str, ...], ...] = ((), ("cust",), ("cust", "agent"), ("cust", "last", "agent"))
AGENT_FLAGS = ("deflecting_language", "ownership_language", "clear_next_step", "closing_offer_of_help")
Variant = tuple[tuple[str, ...], bool, str]  # embedding sub-models, cheap per-turn features, target


def _rho(a: np.ndarray, b: np.ndarray) -> float:
    return float(spearmanr(a, b)[0])


def turn_embeddings(dialogues: Sequence[StcDialogue], cache: Path) -> dict[str, np.ndarray]:
    """Pooled per dialogue: mean of customer turns, last customer turn, mean of agent turns."""
    path = cache / "turn_emb.npz"
    if path.exists():
        stored = np.load(path)
        vectors, keys = stored["emb"], stored["keys"]
    else:
        texts, key_list = [], []
        for di, dialogue in enumerate(dialogues):
            for ti, turn in enumerate(dialogue.turns):
                texts.append(prepare(turn.text).text or turn.text)
                key_list.append((di, ti))
        vectors, keys = embeddings.encode(texts), np.array(key_list)
        np.savez(path, emb=vectors, keys=keys)
    n, dim = len(dialogues), vectors.shape[1]
    cust, agent, last = np.zeros((n, dim)), np.zeros((n, dim)), np.zeros((n, dim))
    counts = np.zeros((n, 2))
    for (di, ti), vector in zip(keys, vectors, strict=True):
        if dialogues[di].turns[ti].sender == "customer":
            cust[di] += vector
            last[di] = vector
            counts[di, 0] += 1
        else:
            agent[di] += vector
            counts[di, 1] += 1
    cust /= np.maximum(counts[:, :1], 1)
    agent /= np.maximum(counts[:, 1:], 1)
    return {"cust": cust, "last": last, "agent": agent}


def cheap_features(dialogues: Sequence[StcDialogue]) -> np.ndarray:
    """Per-turn counts the engine could compute at no cost: turns, lengths, ? and !, agent behaviours."""
    rows = []
    for dialogue in dialogues:
        cust = [t.text for t in dialogue.turns if t.sender == "customer"]
        agent = [t.text for t in dialogue.turns if t.sender != "customer"]
        flags = [behaviours.detect(text).flags() for text in agent]
        cust_chars = sum(map(len, cust))
        rows.append(
            [
                len(agent),
                math.log1p(cust_chars),
                math.log1p(cust_chars / max(len(cust), 1)),
                math.log1p(sum(map(len, agent))),
                sum(text.count("?") for text in cust),
                sum(text.count("!") for text in cust),
                float(dialogue.turns[0].sender != "customer"),
                *[sum(f[name] for f in flags) for name in AGENT_FLAGS],
            ]
        )
    return np.array(rows, dtype=float)


def fold_drivers(dialogues: Sequence[StcDialogue], cache: Path) -> list[tuple[np.ndarray, ...]]:
    """The shipped drivers for each outer fold: training rows with out-of-fold wording (as train_effort
    computes them), test rows with the wording model of the whole training part."""
    paths = [cache / f"effort_fold_{k}.npz" for k in range(5)]
    if all(path.exists() for path in paths):
        stored = [np.load(path) for path in paths]
        return [(f["train_idx"], f["test_idx"], f["x_train"], f["x_test"]) for f in stored]
    names = list(train.EFFORT_DETAILS)
    folds: list[tuple[np.ndarray, ...]] = []
    for train_idx, test_idx in KFold(5, shuffle=True, random_state=0).split(dialogues):
        part = [dialogues[i] for i in train_idx]
        full = train.train_effort_text(part)
        inner = train._out_of_fold_text_models(part, train.train_effort_text)

        def row(dialogue: StcDialogue, model: object) -> list[float]:
            features = effort.text_features(train.stc_turns(dialogue), model)  # type: ignore[arg-type]
            return [features.get(name, 0.0) for name in names]

        x_train = np.array([row(d, inner[i]) for i, d in enumerate(part)])
        x_test = np.array([row(dialogues[i], full) for i in test_idx])
        np.savez(paths[len(folds)], train_idx=train_idx, test_idx=test_idx, x_train=x_train, x_test=x_test)
        folds.append((train_idx, test_idx, x_train, x_test))
    return folds


class Experiment:
    def __init__(self, dialogues: Sequence[StcDialogue], cache: Path) -> None:
        self.neg_s = np.array([-d.mean_s for d in dialogues])
        self.neg_e = np.array([-d.mean_e for d in dialogues])
        self.pooled = turn_embeddings(dialogues, cache)
        self.cheap = cheap_features(dialogues)

    def target(self, rows: np.ndarray, kind: str) -> np.ndarray:
        s, e = self.neg_s[rows], self.neg_e[rows]
        if kind == "S":
            return s
        return ((s - s.mean()) / s.std() + (e - e.mean()) / e.std()) / 2

    def predict(
        self, variant: Variant, rows: np.ndarray, test: np.ndarray, x_rows: np.ndarray, x_test: np.ndarray
    ) -> np.ndarray:
        names, use_cheap, kind = variant
        y = self.target(rows, kind)
        left, right = [x_rows], [x_test]
        if use_cheap:
            left.append(self.cheap[rows])
            right.append(self.cheap[test])
        for name in names:
            out_of_fold, predicted = _sub_model(self.pooled[name][rows], y, self.pooled[name][test])
            left.append(out_of_fold[:, None])
            right.append(predicted[:, None])
        a, b = np.hstack(left), np.hstack(right)
        scale = a.std(axis=0) + 1e-9
        return Ridge(alpha=train.EFFORT_ALPHA).fit(a / scale, y).predict(b / scale)

    def inner_score(self, variant: Variant, rows: np.ndarray, x_rows: np.ndarray) -> float:
        predicted = np.zeros(len(rows))
        for a, b in KFold(4, shuffle=True, random_state=1).split(rows):
            predicted[b] = self.predict(variant, rows[a], rows[b], x_rows[a], x_rows[b])
        return (_rho(predicted, self.neg_s[rows]) + _rho(predicted, self.neg_e[rows])) / 2


def _sub_model(x: np.ndarray, y: np.ndarray, x_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    out_of_fold = np.zeros(len(y))
    order = np.random.default_rng(0).permutation(len(y))
    for fold in np.array_split(order, 5):
        rest = np.setdiff1d(order, fold)
        out_of_fold[fold] = Ridge(alpha=SUB_ALPHA).fit(x[rest], y[rest]).predict(x[fold])
    return out_of_fold, Ridge(alpha=SUB_ALPHA).fit(x, y).predict(x_test)


def run(root: Path, cache: Path, embedding_sets: Sequence[tuple[str, ...]] = EMBEDDING_SETS) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    dialogues = load_stc3(root)
    experiment = Experiment(dialogues, cache)
    folds = fold_drivers(dialogues, cache)
    variants: list[Variant] = [(e, c, k) for e in embedding_sets for c in (False, True) for k in ("S", "SE")]
    outer = {v: np.zeros(len(dialogues)) for v in variants}
    nested = np.zeros(len(dialogues))
    for k, (rows, test, x_rows, x_test) in enumerate(folds):
        scores = {v: experiment.inner_score(v, rows, x_rows) for v in variants}
        best = max(variants, key=lambda v: scores[v])
        for v in variants:
            outer[v][test] = experiment.predict(v, rows, test, x_rows, x_test)
        nested[test] = outer[best][test]
        print(f"fold {k}: chose {best} (inner CV {scores[best]:.3f})", flush=True)
    for label, values in [*((str(v), outer[v]) for v in variants), ("NESTED", nested)]:
        per_fold = [
            (_rho(values[t], experiment.neg_s[t]), _rho(values[t], experiment.neg_e[t]))
            for _, t, _, _ in folds
        ]
        print(
            f"{label}: -S {_rho(values, experiment.neg_s):.3f} -E {_rho(values, experiment.neg_e):.3f} | "
            f"-S folds {', '.join(f'{s:.3f}' for s, _ in per_fold)} | "
            f"-E folds {', '.join(f'{e:.3f}' for _, e in per_fold)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("root", nargs="?", default="../shared/data", type=Path)
    parser.add_argument("--cache", default=Path(tempfile.gettempdir()) / "herodesk-effort-embed", type=Path)
    parser.add_argument(
        "--no-embeddings", action="store_true", help="only the variants without embeddings (what is cheap)"
    )
    args = parser.parse_args()
    run(args.root, args.cache, ((),) if args.no_embeddings else EMBEDDING_SETS)


if __name__ == "__main__":
    main()

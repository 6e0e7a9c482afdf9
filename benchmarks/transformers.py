"""Transformer LRP benchmark with the cached MiniLM sentiment classifier: one JSON line.

* ``bert_subsets_per_s``: batched token-set relevance v(S) of random word subsets of a
  20-word Rotten Tomatoes sentence (64 input copies per pass).
* ``batched_vs_loop_speedup``: the same subsets one forward/backward each.
* ``shared_forward_speedup``: subsets/s of the default pass (one shared forward pass of
  the sentence, the masked backward batched: ``shared_forward_subsets_per_s``) over the
  batched pass of 64 masked input copies (``batched_pass_subsets_per_s``, the pass before
  the shared forward; both with parameters frozen), the same 256 subsets, interleaved
  repeats, medians. ``matmul_gflops``: a 2048 x 2048 float32 matmul's GFLOP/s at the
  same thread count (best of 5); ``*_mflop_per_subset``: the matrix-product FLOPs per
  subset of each pass (counted by the PyTorch profiler); ``*_matmul_fraction``: the
  achieved FLOP rate of each pass over ``matmul_gflops``.
* ``sentiment_accuracy``: accuracy of the classifier on the held-out sentences.
* ``negation_flip_rate``: on held-out sentences "... not <positive word> ...", the
  fraction where ``R("not" & "<word>")`` has the sign opposite to ``R("<word>" & ~"not")``,
  the positive word's relevance without the negation (harsanyi mode, LRP backend).
  ``negation_flip_rate_vs_atom`` compares with ``R("<word>")`` (which includes the
  interaction) instead; ``negation_sentences`` counts the sentences. Only a handful of
  the 853 held-out sentences have that form, so the ``*_all`` figures repeat the count
  over all 8,530 sentences (up to two words between *not* and the positive word; most of
  them were seen in training).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

# This file is named like the `transformers` package: keep its folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch.profiler import ProfilerActivity, profile  # noqa: E402

from symxai.domains.text import (  # noqa: E402
    explain_sentence,
    load_sentiment_classifier,
    load_tokenizer,
    negation_sentences,
    rotten_tomatoes,
    sentiment_split,
    words_and_token_groups,
)


def negation_flips(pairs: list[tuple[str, str]], model, tokenizer) -> dict[str, float]:
    """Fraction of sentences where R("not" & w) and R(w & ~"not") (or R(w)) differ in sign."""
    flips = flips_atom = 0
    for text, word in pairs:
        explanation = explain_sentence(text, model, tokenizer)
        joint, alone, atom = explanation.relevances(
            [f'"not" & "{word}"', f'"{word}" & ~"not"', f'"{word}"']
        )
        flips += int(np.sign(joint) == -np.sign(alone) != 0)
        flips_atom += int(np.sign(joint) == -np.sign(atom) != 0)
    count = max(1, len(pairs))
    return {
        "count": len(pairs),
        "flip_rate": round(flips / count, 4),
        "flip_rate_vs_atom": round(flips_atom / count, 4),
    }


def matmul_gflops(size: int = 2048, repeats: int = 5) -> float:
    """GFLOP/s of a large float32 matrix product at the current thread count (best of
    ``repeats``)."""
    left, right = torch.randn(size, size), torch.randn(size, size)
    left @ right
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        left @ right
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9


def matmul_flops(backend, token_masks: np.ndarray) -> float:
    """Matrix-product FLOPs (mm, addmm, bmm, ...) of one token-relevance pass."""
    with profile(activities=[ProfilerActivity.CPU], with_flops=True) as profiler:
        backend.token_relevance_batch(token_masks)
    return float(sum(event.flops for event in profiler.events() if event.flops))


def shared_forward_comparison(backend, masks: np.ndarray, repeats: int = 5) -> dict[str, float]:
    """Subsets/s of the shared-forward pass and of the batched pass of input copies
    (interleaved repeats, medians), their matmul FLOPs and fraction of the machine's
    matmul throughput."""
    token_masks = backend._token_masks(masks)
    seconds: dict[bool, list[float]] = {True: [], False: []}
    values = {}
    for _ in range(repeats):
        for shared in (True, False):
            backend.shared_forward = shared
            start = time.perf_counter()
            values[shared] = backend.token_relevance_batch(token_masks)
            seconds[shared].append(time.perf_counter() - start)
    scale = float(np.abs(values[False]).max())
    assert np.allclose(values[True], values[False], rtol=0, atol=1e-5 * scale)
    peak = matmul_gflops()
    result = {"matmul_gflops": round(peak, 1)}
    rates = {}
    for shared, name in ((True, "shared_forward"), (False, "batched_pass")):
        backend.shared_forward = shared
        rates[shared] = len(masks) / float(np.median(seconds[shared]))
        flops = matmul_flops(backend, token_masks[:64]) / 64
        result[f"{name}_subsets_per_s"] = round(rates[shared], 1)
        result[f"{name}_mflop_per_subset"] = round(flops / 1e6, 1)
        result[f"{name}_matmul_fraction"] = round(rates[shared] * flops / 1e9 / peak, 3)
    backend.shared_forward = True
    result["shared_forward_speedup"] = round(rates[True] / rates[False], 2)
    return result


def main() -> None:
    torch.set_num_threads(2)
    trained = load_sentiment_classifier()
    model, tokenizer = trained.model, load_tokenizer()
    frame = rotten_tomatoes()
    test = frame.iloc[sentiment_split()["test"]]
    sentence = next(
        text for text in test["text"] if len(words_and_token_groups(text, tokenizer)[0]) == 20
    )
    explanation = explain_sentence(sentence, model, tokenizer)
    backend = explanation.source
    masks = np.random.default_rng(0).random((256, explanation.n)) < 0.5
    backend(masks[:64])  # warm-up
    start = time.perf_counter()
    batched = backend(masks)
    batched_s = time.perf_counter() - start
    loop_count = 32
    start = time.perf_counter()
    looped = np.array([backend(mask[None])[0] for mask in masks[:loop_count]])
    loop_s = time.perf_counter() - start
    assert np.allclose(looped, batched[:loop_count], rtol=1e-4, atol=1e-5)
    shared_forward = shared_forward_comparison(backend, masks)

    held_out = negation_flips(negation_sentences(), model, tokenizer)
    everywhere = negation_flips(negation_sentences(frame, max_gap=2), model, tokenizer)
    print(
        json.dumps(
            {
                "sentence_words": explanation.n,
                "bert_subsets_per_s": round(len(masks) / batched_s, 1),
                "loop_subsets_per_s": round(loop_count / loop_s, 1),
                "batched_vs_loop_speedup": round(
                    (loop_s / loop_count) / (batched_s / len(masks)), 1
                ),
                **shared_forward,
                "sentiment_accuracy": round(trained.metrics["test_accuracy"], 4),
                "negation_sentences": held_out["count"],
                "negation_flip_rate": held_out["flip_rate"],
                "negation_flip_rate_vs_atom": held_out["flip_rate_vs_atom"],
                "negation_sentences_all": everywhere["count"],
                "negation_flip_rate_all": everywhere["flip_rate"],
                "negation_flip_rate_vs_atom_all": everywhere["flip_rate_vs_atom"],
                "conservation_gap": abs(backend.bias_absorption()),
            }
        )
    )


if __name__ == "__main__":
    main()

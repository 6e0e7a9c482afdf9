"""Negation in a sentiment model: `"not" & ("good" | "great")` and `"not" -> "bad"`.

Explains the MiniLM sentiment classifier (trained and cached by
examples/train_sentiment.py on first use) on a few sentences with the transformer LRP
backend, prints the relevance of negation queries (atoms for words a sentence lacks are
treated as never present) and writes word heatmaps, all on one colour scale, to
symxai-output/.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from symxai.domains.text import explain_sentence, token_heatmap

SENTENCES = [
    "the movie is not good",
    "the movie is not good , it is not great",
    "the acting is good and the story is great",
    "this is not a bad movie",
    "not bad , but not great either",
]
QUERIES = ['"not" & ("good" | "great")', '("good" | "great") & ~"not"', '"not" -> "bad"', '"not"']


def main(output: Path = Path("symxai-output")) -> None:
    output.mkdir(parents=True, exist_ok=True)
    pictures = []
    for sentence in SENTENCES:
        explanation = explain_sentence(sentence, missing="absent")
        print(f"\n{sentence!r}: f_positive - f_negative = {explanation.prediction:+.3f}")
        for query, value in explanation.relevances(QUERIES).items():
            print(f"  {query:<30} {value:+.3f}")
        pictures.append((sentence, explanation, explanation.feature_relevance()))
    # One colour scale for every sentence, so that their colours compare.
    vmax = max(float(np.abs(values).max()) for _, _, values in pictures) or 1.0
    for sentence, explanation, values in pictures:
        name = re.sub(r"\W+", "_", sentence).strip("_")
        path = token_heatmap(
            explanation.space.texts,
            values,
            output / f"words_{name}.png",
            title=f"LRP word relevance for 'positive' ({explanation.prediction:+.2f})",
            vmax=vmax,
        )
        print(f"wrote {path}")


if __name__ == "__main__":
    main()

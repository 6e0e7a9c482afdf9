"""Fine-tune all-MiniLM-L6-v2 on the Rotten Tomatoes sentences and save it.

    python examples/train_sentiment.py                  # into the symxai cache
    python examples/train_sentiment.py --epochs 0.5     # a shorter run
    python examples/train_sentiment.py --out DIR        # into DIR

One epoch takes a few minutes on 2 CPU cores; prints the held-out test accuracy. The
weights are written with ``save_pretrained`` (config.json, model.safetensors) plus
metrics.json, which ``symxai.training.sentiment.load_sentiment_classifier`` reads.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from symxai.training.sentiment import save_trained, train_sentiment_classifier


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--max-train", type=int, default=None, help="cap the training sentences")
    parser.add_argument("--learning-rate", type=float, default=1e-4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="default: the symxai cache")
    arguments = parser.parse_args()
    start = time.perf_counter()

    def progress(step: int, steps: int, loss: float) -> None:
        if step % 20 == 0 or step == steps:
            elapsed = time.perf_counter() - start
            print(f"step {step:4d}/{steps}  loss {loss:.3f}  {elapsed:5.0f} s", flush=True)

    trained = train_sentiment_classifier(
        epochs=arguments.epochs,
        max_train=arguments.max_train,
        learning_rate=arguments.learning_rate,
        threads=arguments.threads,
        seed=arguments.seed,
        progress=progress,
    )
    folder = save_trained(trained, arguments.out)
    metrics = trained.metrics
    print(
        f"trained in {metrics['training_seconds']:.0f} s ({metrics['steps']} steps, "
        f"{metrics['train_sentences']} sentences): test accuracy {metrics['test_accuracy']:.3f} "
        f"on {metrics['test_sentences']} held-out sentences"
    )
    print(f"wrote {folder}")


if __name__ == "__main__":
    main()

"""Shared fixtures and helpers: random set functions as value tables, the shipped
models (Mutagenicity GIN, malondialdehyde SchNet, face ViT), the text tokenizer and the
command-line runner.

The loaders of the shipped models are imported inside these fixtures, so collecting the
tests imports no model library and a loader that moves is renamed here once (tests of a
loader itself, such as its cache fallback, import it directly).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner, Result

from symxai import SetFunction

NITROANILINE = "O=[N+]([O-])c1ccccc1N"
"""2-nitroaniline with explicit charges: the molecule most tests explain."""

_CLI_RUNNER = CliRunner()


def invoke_cli(*args: object) -> Result:
    """Run ``symxai <args>`` in-process (each argument passed as its ``str``)."""
    from symxai.cli import app

    return _CLI_RUNNER.invoke(app, [str(a) for a in args])


def bruteforce_dividends(table: np.ndarray) -> np.ndarray:
    """mu(L) = sum_{K subset L} (-1)^{|L|-|K|} v(K), by enumerating every pair (K, L)."""
    size = table.size
    out = np.zeros(size)
    for L in range(size):
        K = L
        while True:
            out[L] += (-1) ** (bin(L).count("1") - bin(K).count("1")) * table[K]
            if K == 0:
                break
            K = (K - 1) & L
    return out


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


def random_set_function(rng: np.random.Generator, n: int) -> tuple[SetFunction, np.ndarray]:
    """A set function with independent N(0,1) values on all 2^n coalitions."""
    table = rng.normal(size=1 << n)
    return SetFunction.from_table(table), table


@pytest.fixture(scope="session")
def mutagenicity_gin() -> Any:
    """The shipped Mutagenicity GIN with its metrics (loaded, never trained, in tests)."""
    from symxai.training.mutagenicity import load_mutagenicity_gin

    return load_mutagenicity_gin(train_if_missing=False)


@pytest.fixture(scope="session")
def gin(mutagenicity_gin: Any) -> Any:
    """The shipped Mutagenicity GIN (a ``torch.nn.Module``)."""
    return mutagenicity_gin.model


@pytest.fixture(scope="session")
def tokenizer() -> Any:
    """The shipped BERT word-piece tokenizer of the text domain."""
    from symxai.models.minilm import load_tokenizer

    return load_tokenizer()


@pytest.fixture(scope="session")
def malondialdehyde_schnet() -> Any:
    """The shipped malondialdehyde SchNet with its metrics (loaded, never trained)."""
    from symxai.training.schnet import load_malondialdehyde_schnet

    return load_malondialdehyde_schnet(train_if_missing=False)


@pytest.fixture(scope="session")
def schnet(malondialdehyde_schnet: Any) -> Any:
    """The shipped malondialdehyde SchNet (a schnetpack ``NeuralNetworkPotential``)."""
    return malondialdehyde_schnet.model


@pytest.fixture(scope="session")
def face_vit() -> Any:
    """The shipped face/non-face ViT with its metrics (loaded, never trained)."""
    from symxai.training.faces import load_faces_vit

    return load_faces_vit(train_if_missing=False)

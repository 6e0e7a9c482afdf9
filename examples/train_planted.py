"""Train the planted-property regressor (PropertyGNN on from_smiles features) and save it.

    python examples/train_planted.py            # into the symxai cache
    python examples/train_planted.py --ship     # into symxai/data/models

The target is computed by RDKit from named groups,
``2 * #hydroxyl - 1 * #aromatic_ring + 1.5 * [nitro and aromatic_amine]``, on real
molecules (B3DB, solubility and Mutagenicity SMILES:
:func:`symxai.domains.molecules.planted.load_planted`); prints the test RMSE.
"""

from __future__ import annotations

from symxai.domains.molecules.planted import PLANTED_WEIGHTS_NAME, train_planted_gnn
from symxai.training.properties import run_training_script


def main() -> None:
    run_training_script(
        __doc__.splitlines()[0],
        train_planted_gnn,
        PLANTED_WEIGHTS_NAME,
        progress=lambda epoch, loss, rmse: print(
            f"epoch {epoch + 1}: loss {loss:.4f}, val {rmse:.3f}"
        ),
    )


if __name__ == "__main__":
    main()

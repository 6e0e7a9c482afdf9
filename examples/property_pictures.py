"""Draw the README's property-model pictures: atoms coloured by GNN-LRP relevance.

    python examples/property_pictures.py     # writes examples/images/property_*.png

The shipped solubility regressor on 4-(2-hydroxyethyl)phenol, the blood-brain barrier
classifier on paracetamol and the planted-property regressor on 2-methyl-4-nitroaniline
(each explained on its one output, ``ogb`` features; red raises the output, blue lowers
it; hydrogens folded into their heavy atom).
"""

from __future__ import annotations

from pathlib import Path

import torch

from symxai.domains.molecules import draw_molecule, explain_molecule
from symxai.domains.registry import get_domain

PICTURES = {
    "property_solubility.png": ("esol-gnn", "OCCc1ccc(O)cc1", "log solubility"),
    "property_bbb.png": ("bbb-gnn", "CC(=O)Nc1ccc(O)cc1", "BBB+ logit"),
    "property_planted.png": ("planted-gnn", "Cc1cc(ccc1N)[N+](=O)[O-]", "planted"),
}


def main() -> None:
    torch.set_num_threads(1)
    domain = get_domain("molecules")
    folder = Path(__file__).resolve().parent / "images"
    for filename, (model_name, smiles, output) in PICTURES.items():
        model = domain.load_model(model_name)
        explanation = explain_molecule(smiles, model, target=None)
        relevance = explanation.feature_relevance()
        path = draw_molecule(
            explanation.metadata["molecule"],
            relevance,
            folder / filename,
            size=(360, 270),
            legend=f"{model_name}: {output} = {explanation.prediction:+.2f}",
            show_indices=False,
        )
        print(f"wrote {path}")


if __name__ == "__main__":
    main()

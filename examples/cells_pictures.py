"""Explain a survival GIN on synthetic tissue cores and draw what a pathologist looks at.

    python examples/cells_pictures.py                      # quick model, into cells_pictures/
    python examples/cells_pictures.py --model cells-gin    # the shipped model
    python examples/cells_pictures.py --model gin.pt --out figures
    python examples/cells_pictures.py --model cells-gin --out docs/images/cells --palette

Without ``--model`` a small GIN is trained for a few epochs on a synthetic cohort of 80
cores of about 600 cells (seconds), so the example runs anywhere. The cohort is
synthetic (planted motifs, :func:`symxai.data.cells.synthetic_cohort`); relevance
explains the model, not the biology. Writes: cells by phenotype, per-cell relevance,
the 10 x 10 tile map, the phenotype bars, the phenotype-pair interaction heatmap and
the Kaplan-Meier curves of the predicted risk groups (median split). ``--palette``
rewrites every picture as a 256-colour PNG (about a third of the size; the README's
copies in ``docs/images/cells`` are made so).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from symxai.data.cells import survival_graphs, synthetic_cohort
from symxai.domains.cells import (
    explain_tissue,
    interaction_matrix,
    phenotype_bars,
    plot_cell_relevance,
    plot_interaction_matrix,
    plot_kaplan_meier,
    plot_phenotype_bars,
    plot_phenotypes,
    plot_tile_map,
    risk_groups,
    tile_values,
)
from symxai.domains.registry import get_domain
from symxai.training.cells import predict_log_hazard, train_survival_gin


def to_palette(folder: Path) -> None:
    """Rewrite every PNG in ``folder`` with a 256-colour palette (no dithering)."""
    from PIL import Image

    for path in sorted(folder.glob("*.png")):
        with Image.open(path) as picture:
            palette = picture.convert("RGB").quantize(256, dither=Image.Dither.NONE)
        palette.save(path, optimize=True)


QUERIES = ["Cancer & Treg & ~Tc", "Tc & Cancer", "T_cells", 'tile:"4,4"']


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="cells-gin or a SurvivalGIN weights file")
    parser.add_argument("--out", type=Path, default=Path("cells_pictures"))
    parser.add_argument("--image", type=int, default=0, help="which core to draw")
    parser.add_argument("--palette", action="store_true", help="write 256-colour PNGs")
    args = parser.parse_args()
    torch.manual_seed(0)
    cohort = synthetic_cohort(80, 600, seed=0)
    graphs = survival_graphs(cohort)
    if args.model:
        model = get_domain("cells").load_model(args.model)
    else:
        model = train_survival_gin(graphs[:60], graphs[60:], epochs=15, seed=0).model
    tissue = cohort.tissues[args.image]
    stage = float(cohort.clinical["stage"].iloc[args.image])
    explanation = explain_tissue(tissue, model, stage=stage)
    print(
        f"{tissue.image_id}: {tissue.n_cells} cells, graph part g = {explanation.prediction:+.4f}"
    )
    print(f"v(all cells) = {explanation.value():+.4f}")
    for query, value in explanation.relevances(QUERIES, missing="absent").items():
        print(f"  R({query}) = {value:+.5f}")
    out = args.out
    plot_phenotypes(tissue, out / "phenotypes.png")
    plot_cell_relevance(tissue, explanation.feature_relevance(), out / "relevance.png")
    plot_tile_map(tissue, tile_values(explanation), explanation.space.grid, out / "tiles.png")
    plot_phenotype_bars(phenotype_bars(explanation), out / "bars.png")
    plot_interaction_matrix(interaction_matrix(explanation), out / "interactions.png")
    hazard = predict_log_hazard(model, graphs)
    clinical = cohort.clinical
    plot_kaplan_meier(clinical["os_months"], clinical["event"], risk_groups(hazard), out / "km.png")
    if args.palette:
        to_palette(out)
    print(f"pictures in {out}/")


if __name__ == "__main__":
    main()

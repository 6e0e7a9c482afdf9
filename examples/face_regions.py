"""Which parts of a face make the ViT say "face"? Region queries on LFW crops.

Uses the ViT shipped with symxai (faces vs non-faces from scikit-image's lfw_subset,
5x5-pixel patches as features), explains a held-out face with the transformer LRP
backend and with patch occlusion (perturbation backend), prints the relevance of
`eyes`, `mouth`, `eyes & mouth` and `eyes & ~mouth`, and writes patch heatmaps to
symxai-output/ (LRP relevance per patch; for occlusion, R(#p) = v(all) - v(all but p)),
both on one colour scale.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from symxai.domains.vision import explain_face, faces_dataset, patch_heatmap

QUERIES = ["eyes", "mouth", "nose", "eyes & mouth", "eyes & ~mouth", "eyes | mouth"]


def main(output: Path = Path("symxai-output")) -> None:
    data = faces_dataset()
    faces = [i for i in data.test if int(data.labels[i]) == 1]
    image = data.images[faces[0]]
    output.mkdir(parents=True, exist_ok=True)
    pictures = {}
    for backend in ("lrp", "perturbation"):
        explanation = explain_face(image, backend=backend)
        print(f"\n{backend}: f_face - f_non_face = {explanation.prediction:+.3f}")
        for query, value in explanation.relevances(QUERIES).items():
            print(f"  {query:<16} {value:+.3f}")
        shares = explanation.relevances(
            ["eyes", "nose", "mouth", "rest"],
            mode="shapley",
            query_set=["eyes", "nose", "mouth", "rest"],
        )
        print("  shapley shares: " + ", ".join(f"{q} {v:+.3f}" for q, v in shares.items()))
        per_patch = (
            explanation.feature_relevance()
            if backend == "lrp"
            else explanation.relevances([f"#{p}" for p in range(25)]).to_numpy()
        )
        pictures[backend] = np.asarray(per_patch, dtype=float)
    # One colour scale for both pictures, so that their colours compare.
    vmax = max(float(np.abs(values).max()) for values in pictures.values()) or 1.0
    for backend, per_patch in pictures.items():
        path = patch_heatmap(
            per_patch,
            image,
            output / f"face_{backend}.png",
            title=f"{backend}: patch relevance for 'face'",
            vmax=vmax,
        )
        print(f"wrote {path}")


if __name__ == "__main__":
    main()

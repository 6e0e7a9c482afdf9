"""Vision: a small ViT that tells faces from non-faces, and its image patches as features.

* :mod:`~symxai.domains.vision.patches`: :func:`patch_space` (patches ``p0 .. p24`` with
  the regions ``eyes``, ``nose``, ``mouth``, ``rest``), :func:`token_groups`;
* :mod:`~symxai.domains.vision.image`: :class:`FaceImage`, the input
  :func:`symxai.explain` takes;
* :mod:`~symxai.domains.vision.explain`: :func:`explain_face`;
* :mod:`~symxai.domains.vision.heatmap`: :func:`patch_heatmap`;
* :mod:`~symxai.domains.vision.domain`: :class:`FaceDomain`, the registry's ``faces``
  domain (``lfw-subset`` or image files, the shipped ViT, ``lrp``/``perturbation``;
  imported by the registry on first use, not here).

Re-exported from the layers below: the faces (:mod:`symxai.data.faces`), the ViT
(:mod:`symxai.models.vit`) and the shipped weights :func:`load_faces_vit`
(:mod:`symxai.training.faces`).
"""

from symxai.data.faces import (
    FACE,
    IMAGE_SIZE,
    NON_FACE,
    FacesData,
    faces_dataset,
    to_pixel_values,
)
from symxai.domains.vision.explain import explain_face
from symxai.domains.vision.heatmap import REGION_COLOURS, UPSCALE, patch_heatmap
from symxai.domains.vision.image import FaceImage
from symxai.domains.vision.patches import (
    GRID,
    REGION_BOXES,
    REGIONS,
    patch_bounds,
    patch_regions,
    patch_space,
    token_groups,
)
from symxai.models.vit import PATCH_SIZE, VIT_CONFIG, faces_vit
from symxai.training.faces import TrainedVision, load_faces_vit

__all__ = [
    "FACE",
    "GRID",
    "IMAGE_SIZE",
    "NON_FACE",
    "PATCH_SIZE",
    "REGIONS",
    "REGION_BOXES",
    "REGION_COLOURS",
    "UPSCALE",
    "VIT_CONFIG",
    "FaceImage",
    "FacesData",
    "TrainedVision",
    "explain_face",
    "faces_dataset",
    "faces_vit",
    "load_faces_vit",
    "patch_bounds",
    "patch_heatmap",
    "patch_regions",
    "patch_space",
    "to_pixel_values",
    "token_groups",
]

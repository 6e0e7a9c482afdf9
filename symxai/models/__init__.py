"""Models assembled from ecosystem layers: a PyG GIN (:mod:`~symxai.models.gin`) and its
node-level form (:mod:`~symxai.models.node_gin`), a survival GIN for cell graphs
(:mod:`~symxai.models.survival_gin`), a molecular property predictor on PyG's
``from_smiles`` features (:mod:`~symxai.models.property_gnn`), a schnetpack SchNet
(:mod:`~symxai.models.schnet`), BERT/MiniLM (:mod:`~symxai.models.minilm`) and a ViT
(:mod:`~symxai.models.vit`) from ``transformers``. Training and weights live in
:mod:`symxai.training`."""

from symxai.models.gin import GIN
from symxai.models.node_gin import NodeGIN
from symxai.models.property_gnn import PropertyGNN
from symxai.models.survival_gin import SurvivalGIN

__all__ = ["GIN", "NodeGIN", "PropertyGNN", "SurvivalGIN"]

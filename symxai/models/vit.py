"""A small Hugging Face ViT for the 25x25 faces.

:func:`faces_vit` builds a ``transformers.ViTForImageClassification`` with
:data:`VIT_CONFIG` (25x25 input, 5x5 patches, one channel, hidden 64, 4 layers, 4 heads,
MLP 128, 2 labels) and eager attention, so that the attention softmax is an explicit op
that the transformer LRP backend can hook. The sequence has 26 tokens: token 0 is [CLS],
token ``1 + p`` is patch ``p`` (row-major).
"""

from __future__ import annotations

from typing import Any

from symxai.data.faces import IMAGE_SIZE

__all__ = ["PATCH_SIZE", "VIT_CONFIG", "faces_vit"]

PATCH_SIZE = 5
"""Height and width of a ViT patch, in pixels."""

VIT_CONFIG: dict[str, Any] = {
    "image_size": IMAGE_SIZE,
    "patch_size": PATCH_SIZE,
    "num_channels": 1,
    "hidden_size": 64,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "intermediate_size": 128,
    "num_labels": 2,
}
"""Configuration of the faces ViT (``transformers.ViTConfig`` keyword arguments)."""


def faces_vit(config: dict[str, Any] | None = None) -> Any:
    """A fresh ``ViTForImageClassification`` (default :data:`VIT_CONFIG`) with eager
    attention: the softmax over attention scores is an explicit op."""
    from transformers import ViTConfig, ViTForImageClassification

    vit_config = ViTConfig(**(config or VIT_CONFIG))
    vit_config._attn_implementation = "eager"
    model = ViTForImageClassification(vit_config)
    model.config._attn_implementation = "eager"
    return model

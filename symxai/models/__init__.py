"""Small models assembled from ecosystem layers, with their training and cached weights."""

from symxai.models.gin import GIN

__all__ = ["GIN"]

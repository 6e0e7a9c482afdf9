"""Data sets shipped inside the package (nothing is downloaded at run time)."""

from symxai.data.tu import TUDataset, TUGraph, load_tu_dataset

__all__ = ["TUDataset", "TUGraph", "load_tu_dataset"]

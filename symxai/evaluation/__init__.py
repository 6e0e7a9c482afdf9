"""Evaluation of explainers: faithfulness measures and peer explainers run side by side."""

"""Domains: data loading, feature naming and drawing for one kind of model input."""

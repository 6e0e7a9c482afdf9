"""Adapters of the built-in domains for the domain registry (:mod:`symxai.domains.registry`)."""

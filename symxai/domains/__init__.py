"""Domains: one package per kind of model input, each a thin layer over
:func:`symxai.explain` (input objects, feature naming, defaults, drawing).

:mod:`~symxai.domains.molecules` (molecular graphs), :mod:`~symxai.domains.text`
(sentences), :mod:`~symxai.domains.vision` (face images), :mod:`~symxai.domains.structures`
(3-D structures); :mod:`~symxai.domains.colours` is their shared colour scale. Data sets
live in :mod:`symxai.data`, models in :mod:`symxai.models`, training and the shipped
weights in :mod:`symxai.training`.
"""

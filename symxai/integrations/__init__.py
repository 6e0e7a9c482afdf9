"""Interop with the field's explainability tools, on symxai's public layer only.

* :mod:`symxai.integrations.pyg`: :class:`~symxai.integrations.pyg.SymbolicExplainer`,
  a PyTorch Geometric ``ExplainerAlgorithm`` (node masks from per-node relevance, edge
  masks from the bond relevance ``v({i, j})``), so that PyG's ``Explainer`` and its
  metrics run on symxai unchanged;
* :mod:`symxai.integrations.shapiq`: :class:`~symxai.integrations.shapiq.SymxaiGame`, a
  symxai set function as a ``shapiq.Game``, and
  :func:`~symxai.integrations.shapiq.explanation_from_interaction_values`, an
  explanation whose dividends are the Möbius values of a shapiq approximator.

Nothing is imported here: each module imports its library (torch_geometric, shapiq)
when it is imported itself.
"""

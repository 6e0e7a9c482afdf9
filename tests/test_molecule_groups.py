"""Named functional groups on molecules: the vocabulary parses and matches known
molecules with explicit and implicit hydrogens, counts occurrences, resolves as query
atoms equal to the SMARTS atom, keeps ``missing=`` semantics, suggests close names,
reads users' files with located errors, and is listed by ``symxai groups``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from rdkit import Chem

from symxai.domains.molecules import explain_molecule, load_molecules, molecule_from_smiles
from symxai.domains.molecules.domain import MoleculeDomain
from symxai.domains.molecules.groups import (
    BUILTIN_GROUPS,
    GroupFileError,
    UnknownGroupError,
    count_group,
    group_atoms,
    load_groups,
    parse_groups,
)
from symxai.domains.registry import DomainError, get_domain
from symxai.errors import UnknownAtomError
from symxai.query.parser import parse_query
from tests.conftest import NITROANILINE, invoke_cli

NITRO_SMARTS = 'smarts"[N+](=O)[O-]"'


def _both_forms(smiles: str) -> list[Chem.Mol]:
    """The molecule with hydrogens as atoms (as symxai builds it) and with implicit ones."""
    return [molecule_from_smiles(smiles).mol, Chem.MolFromSmiles(smiles)]


def test_every_builtin_pattern_compiles_and_has_a_description() -> None:
    assert len(BUILTIN_GROUPS) >= 30
    for group in BUILTIN_GROUPS.values():
        assert group.query.GetNumAtoms() > 0, group.name
        assert group.description, group.name
        atom = parse_query(group.name)  # a bare name of the query language
        assert atom.kind == "name" and atom.value == group.name


PRESENT = [
    ("hydroxyl", "CCO", 1),
    ("hydroxyl", "Oc1ccccc1", 1),
    ("hydroxyl", "OCCO", 2),
    ("carbonyl", "CC(C)=O", 1),
    ("ketone", "CC(C)=O", 1),
    ("aldehyde", "CC=O", 1),
    ("carboxylic_acid", "CC(=O)O", 1),
    ("ester", "CCOC(C)=O", 1),
    ("amide", "CC(N)=O", 1),
    ("primary_amine", "CN", 1),
    ("secondary_amine", "CNC", 1),
    ("tertiary_amine", "CN(C)C", 1),
    ("aromatic_amine", "Nc1ccccc1", 1),
    ("primary_amine", "NC1CCCCC1", 1),
    ("nitro", "O=[N+]([O-])c1ccccc1", 1),
    ("nitro", "O=N(=O)c1ccccc1", 1),
    ("aromatic_nitro", "O=[N+]([O-])c1ccccc1", 1),
    ("nitrile", "CC#N", 1),
    ("halogen", "FC(Cl)Br", 3),
    ("sulfonamide", "NS(=O)(=O)c1ccccc1", 1),
    ("aromatic_ring", "c1ccccc1", 1),
    ("aromatic_ring", "c1ccc2ccccc2c1", 2),
    ("aromatic_ring", "c1ccc2[nH]ccc2c1", 2),
    ("heteroaromatic_ring", "c1ccncc1", 1),
    ("heteroaromatic_ring", "c1ccc2[nH]ccc2c1", 1),
    ("polycyclic_aromatic", "c1ccc2cc3ccccc3cc2c1", 1),
    ("polycyclic_aromatic", "c1ccc2c(c1)ccc1ccccc12", 1),
    ("epoxide", "CC1CO1", 1),
    ("aziridine", "C1CN1", 1),
    ("azide", "CN=[N+]=[N-]", 1),
    ("aromatic_azo", "c1ccccc1N=Nc1ccccc1", 1),
    ("n_nitroso", "CN(C)N=O", 1),
    ("n_oxide", "[O-][n+]1ccccc1", 1),
    ("alkyl_halide", "CCCl", 1),
    ("michael_acceptor", "C=CC(C)=O", 1),
    ("acyl_halide", "CC(=O)Cl", 1),
]

ABSENT = [
    ("hydroxyl", "CCOCC"),
    ("hydroxyl", "CC(=O)O"),
    ("ketone", "CC=O"),
    ("aldehyde", "CC(C)=O"),
    ("carboxylic_acid", "CCOC(C)=O"),
    ("ester", "CC(=O)O"),
    ("primary_amine", "CC(N)=O"),
    ("primary_amine", "CNC"),
    ("secondary_amine", "CN(C)C"),
    ("aromatic_amine", "NC1CCCCC1"),
    ("tertiary_amine", "NS(=O)(=O)N(C)C"),
    ("nitro", "CN(C)N=O"),
    ("n_oxide", "O=[N+]([O-])c1ccccc1"),
    ("heteroaromatic_ring", "c1ccccc1"),
    ("aromatic_ring", "C1CCCCC1"),
    ("polycyclic_aromatic", "c1ccc2ccccc2c1"),
    ("alkyl_halide", "Clc1ccccc1"),
    ("michael_acceptor", "CCC(C)=O"),
]


@pytest.mark.parametrize(("name", "smiles", "count"), PRESENT)
def test_group_occurs_with_explicit_and_implicit_hydrogens(
    name: str, smiles: str, count: int
) -> None:
    explicit, implicit = _both_forms(smiles)
    assert count_group(explicit, name) == count_group(implicit, name) == count
    atoms = group_atoms(explicit, name)
    assert atoms == group_atoms(implicit, name)  # heavy atoms first, same indices
    assert all(explicit.GetAtomWithIdx(i).GetAtomicNum() > 1 for i in atoms)


@pytest.mark.parametrize(("name", "smiles"), ABSENT)
def test_group_is_absent(name: str, smiles: str) -> None:
    for mol in _both_forms(smiles):
        assert count_group(mol, name) == 0 and group_atoms(mol, name) == []


def test_group_atoms_are_the_atoms_of_the_group() -> None:
    mol = Chem.MolFromSmiles("OCC(=O)OC")
    assert group_atoms(mol, "hydroxyl") == [0]
    assert group_atoms(mol, "ester") == [2, 3, 4]
    assert group_atoms(Chem.MolFromSmiles(NITROANILINE), "nitro") == [0, 1, 2]


def test_nitro_on_a_tu_mutagenicity_molecule_with_hydrogen_nodes() -> None:
    molecules = load_molecules("Mutagenicity")
    hits = [m for m in molecules[:300] if m.match_smarts("[N+](=O)[O-]")]
    assert hits and any(m.elements.count("H") for m in hits)
    for molecule in hits[:10]:
        assert group_atoms(molecule.mol, "nitro") == molecule.match_smarts(
            "[$([NX3](=O)=O),$([NX3+](=O)[O-])]~[OX1]"
        )
        assert count_group(molecule.mol, "nitro") == len(molecule.match_smarts("[N+](=O)[O-]")) // 3


def test_unknown_group_name_suggests_close_names() -> None:
    with pytest.raises(UnknownGroupError, match="did you mean hydroxyl"):
        count_group(Chem.MolFromSmiles("CCO"), "hydroxl")


def test_group_query_relevance_equals_the_smarts_atom_on_the_shipped_gin() -> None:
    explanation = explain_molecule(NITROANILINE)
    values = explanation.relevances(
        [
            "group:nitro",
            "nitro",
            f'smarts"{BUILTIN_GROUPS["nitro"].smarts}"',
            NITRO_SMARTS,
            "group:nitro & group:aromatic_amine",
            f'{NITRO_SMARTS} & smarts"{BUILTIN_GROUPS["aromatic_amine"].smarts}"',
        ]
    ).to_numpy()
    assert values[0] == values[1] == values[2] == pytest.approx(values[3], abs=1e-12)
    assert values[4] == pytest.approx(values[5], abs=1e-12)
    assert abs(values[0]) > 1e-3


def test_missing_group_follows_missing_and_unknown_group_is_always_an_error() -> None:
    explanation = explain_molecule(NITROANILINE)
    for atom in ("group:hydroxyl", "hydroxyl"):
        with pytest.raises(UnknownAtomError, match="does not occur in this input"):
            explanation.relevances([atom])
        absent = explanation.resolve(parse_query(atom), missing="absent")
        assert [indices.size for indices in absent.values()] == [0]
        assert explanation.relevances([f"{atom} | N"], missing="absent").iloc[0] == (
            pytest.approx(explanation.relevances(["N"]).iloc[0])
        )
    for missing in ("error", "absent"):  # a group name outside the vocabulary
        with pytest.raises(UnknownAtomError) as caught:
            explanation.relevances(["group:hydroxl"], missing=missing)
        assert "hydroxyl" in caught.value.suggestions
    with pytest.raises(UnknownAtomError) as caught:  # a bare name: checked as any name
        explanation.relevances(["hydroxl"])
    assert "hydroxyl" in caught.value.suggestions


def test_molecule_domain_check_atom_knows_the_vocabulary() -> None:
    domain = get_domain("molecules")
    for text in ("group:nitro", "nitro", "aromatic_ring", "N", "C0", "element:Cl"):
        assert domain.check_atom(parse_query(text)) is None, text
    reason, suggestions = domain.check_atom(parse_query("group:hydroxl"))
    assert "no such group" in reason and "hydroxyl" in suggestions
    reason, suggestions = domain.check_atom(parse_query("hydroxl"))
    assert "or group name" in reason and "hydroxyl" in suggestions


def test_text_domain_keeps_its_group_semantics() -> None:
    with pytest.raises(DomainError, match="no named groups"):
        get_domain("text").with_groups("groups.txt")


GROUPS_FILE = """\
# my groups
phenol: [OX2H1]c1ccccc1  phenol OH with its ring

hydroxyl: [OX2H1;$(O[CX4])] aliphatic alcohols only
nitro_any: [#7](~[#8])~[#8]
"""


def test_user_groups_file_extends_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "groups.txt"
    path.write_text(GROUPS_FILE)
    vocabulary = load_groups(path)
    assert vocabulary["phenol"].description == "phenol OH with its ring"
    assert vocabulary["phenol"].source == f"{path}:2"
    assert vocabulary["nitro_any"].description == ""
    assert next(iter(vocabulary)) == "hydroxyl"  # replaced in place
    phenol = Chem.MolFromSmiles("OCc1ccc(O)cc1")
    assert group_atoms(phenol, "hydroxyl", vocabulary) == [0]
    assert group_atoms(phenol, "hydroxyl") == [0, 6]
    assert count_group(phenol, "phenol", vocabulary) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ok: C\nx: [C\n", "line 2: invalid SMARTS pattern '[C'"),
        ("just a line\n", "line 1: expected 'name: SMARTS"),
        ("Bad: C\n", "line 1: group name 'Bad' must be lower-case"),
        ("and: C\n", "line 1: group name .and. must be lower-case"),
        ("x:\n", "line 1: group 'x' has no SMARTS pattern"),
        ("x: C\nx: O\n", "line 2: group 'x' is defined twice"),
    ],
)
def test_bad_groups_file_lines_are_located(text: str, message: str) -> None:
    with pytest.raises(GroupFileError, match=f"^groups.txt, {message}".replace("[", r"\[")):
        parse_groups(text, "groups.txt")


def test_user_groups_reach_the_molecules_of_a_domain(tmp_path: Path) -> None:
    path = tmp_path / "groups.txt"
    path.write_text(GROUPS_FILE)
    domain = get_domain("molecules").with_groups(str(path))
    assert isinstance(domain, MoleculeDomain)
    assert domain.check_atom(parse_query("phenol")) is None
    assert get_domain("molecules").check_atom(parse_query("phenol")) is not None
    molecule = domain.prepare("Oc1ccccc1")
    space = molecule.feature_space()
    assert space.resolve(parse_query("phenol")).tolist() == [0, 1, 2, 3, 4, 5, 6]
    assert space.resolve(parse_query("group:hydroxyl"), missing="absent").size == 0
    batch = domain.explain_many(
        [molecule, domain.prepare("OCC")],
        [parse_query("phenol"), parse_query("hydroxyl")],
        domain.load_model("mutagenicity-gin"),
        backend="gnn-lrp",
        target=(0, 1),
        missing="absent",
    )
    assert batch.relevance[0, 1] == 0 and batch.relevance[1, 0] == 0
    assert np.all(np.isfinite(batch.relevance))


def test_cli_groups_lists_the_vocabulary_and_a_molecules_groups(tmp_path: Path) -> None:
    result = invoke_cli("groups")
    assert result.exit_code == 0, result.output
    for name in ("hydroxyl", "aromatic_nitro", "sulfonamide", "heteroaromatic_ring"):
        assert name in result.stdout
    assert BUILTIN_GROUPS["nitro"].smarts in result.stdout
    path = tmp_path / "groups.txt"
    path.write_text(GROUPS_FILE)
    rows = json.loads(invoke_cli("groups", "--group-file", path, "--json").stdout)
    by_name = {row["name"]: row for row in rows}
    assert by_name["phenol"]["source"] == f"{path}:2"
    assert by_name["hydroxyl"]["overrides"] == "built-in"
    result = invoke_cli("groups", "--smiles", NITROANILINE)
    assert result.exit_code == 0, result.output
    assert "nitro" in result.stdout and "atoms: O0 N1 O2" in result.stdout
    assert "hydroxyl" not in result.stdout


def test_cli_query_with_groups_file_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "groups.txt"
    path.write_text(GROUPS_FILE)
    result = invoke_cli("query", "Oc1ccccc1", "phenol", "group:hydroxyl", "--group-file", path)
    assert result.exit_code == 0, result.output
    assert "phenol" in result.stdout
    result = invoke_cli("query", "Oc1ccccc1", "phenol")
    assert result.exit_code == 2 and "or group name" in result.stderr
    result = invoke_cli("query", NITROANILINE, "group:nitroo")
    assert result.exit_code == 2 and "did you mean" in result.stderr and "'nitro'" in result.stderr
    bad = tmp_path / "bad.txt"
    bad.write_text("x: [C\n")
    result = invoke_cli("query", NITROANILINE, "nitro", "--group-file", bad)
    assert result.exit_code == 2 and f"{bad}, line 1: invalid SMARTS" in result.stderr


def test_report_spec_groups_key(tmp_path: Path) -> None:
    (tmp_path / "groups.txt").write_text(GROUPS_FILE)
    (tmp_path / "mols.smi").write_text("Oc1ccccc1 phenol\nOCC ethanol\n")
    (tmp_path / "spec.toml").write_text(
        'data = "mols.smi"\ngroups = "groups.txt"\nformats = ["csv"]\noutput = "out"\n'
        'queries = ["phenol", "hydroxyl & ~aromatic_ring"]\n'
    )
    result = invoke_cli("report", tmp_path / "spec.toml")
    assert result.exit_code == 0, result.output
    import pandas as pd

    table = pd.read_csv(tmp_path / "out" / "relevance.csv")
    assert set(table["input"]) == {"phenol", "ethanol"}


def test_docs_table_lists_every_builtin_group() -> None:
    docs = (Path(__file__).resolve().parent.parent / "docs" / "groups.md").read_text()
    table = docs.split("## The built-in vocabulary", 1)[1]
    listed = [line.split("`")[1] for line in table.splitlines() if line.startswith("| `")]
    assert listed == list(BUILTIN_GROUPS)

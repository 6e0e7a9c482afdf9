"""Named functional groups: SMARTS patterns chemists think in, as query atoms.

``group:hydroxyl`` (or the bare name ``hydroxyl``) on a molecule denotes the atoms covered
by any match of the group's SMARTS pattern, exactly as ``smarts"..."`` with the same
pattern would; a group that does not occur in the molecule is *absent* (an empty atom
set: an error with ``missing="error"``, false on every coalition with
``missing="absent"``), and a name outside the vocabulary is always an error naming the
closest names.

Conventions of the built-in vocabulary (:data:`BUILTIN_GROUPS`):

* **Heavy atoms only.** Hydrogen counts are written with ``H`` (total hydrogen count,
  which RDKit computes the same way whether hydrogens are graph nodes, as in the TU
  Mutagenicity graphs and SMILES molecules built with hydrogens, or implicit), and no
  pattern uses ``D`` (explicit degree, which differs between the two). Hydrogen atoms are
  never part of a group: ``group:hydroxyl`` is the oxygen of an O-H, so the same query
  selects the same atoms whichever way a featurizer lists hydrogens. Add them with
  ``group:hydroxyl | smarts"[OX2H1][#1]"`` where hydrogens are nodes.
* **Both nitro forms.** Nitro patterns match ``N(=O)=O`` and ``[N+](=O)[O-]``.
* **Hydroxyl** is the O-H of an alcohol or a phenol (on a carbon that is not double
  bonded to O, S or N): phenol OH counts, the OH of a carboxylic acid does not (it is
  part of ``carboxylic_acid``), nor N-OH, S-OH, P-OH or water.
* **Amines** are graded by substitution: ``primary_amine`` (NH2-C), ``secondary_amine``,
  ``tertiary_amine``, on an uncharged sp3/aryl nitrogen that is not an amide,
  sulfonamide, hydrazine or hydroxylamine nitrogen; aniline is a primary amine *and* an
  ``aromatic_amine`` (an amine nitrogen on an aromatic atom).
* **Rings.** ``aromatic_ring`` covers the atoms of aromatic 5- and 6-membered rings,
  ``heteroaromatic_ring`` those of aromatic 5- and 6-membered rings with a heteroatom;
  :func:`count_group` counts their rings (the SSSR rings whose atoms the group covers),
  so naphthalene has 2 aromatic rings.

The mutagenicity alerts follow Kazius, McGuire and Bursi, *Derivation and validation of
toxicophores for mutagenicity prediction*, J. Med. Chem. 48 (2005) 312-320, and the
Benigni-Bossa rulebase (Benigni and Bossa, *Mechanisms of chemical carcinogenicity and
mutagenicity*, Chem. Rev. 111 (2011) 2507-2536; ISS rules SA_1 .. SA_30): aromatic nitro,
aromatic amine, aromatic nitroso, N-nitroso, N-oxide, azide, aromatic azo, diazo,
triazene, hydrazine, aromatic hydroxylamine, alkyl nitrite, epoxide, aziridine, alkyl
halide, acyl halide, Michael acceptor (alpha,beta-unsaturated carbonyl) and polycyclic
aromatic system (three or more fused aromatic rings).

Users extend the vocabulary with a file of ``name: SMARTS [description]`` lines
(:func:`load_groups`); a user's group of the same name as a built-in one replaces it.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rdkit import Chem

from symxai.domains.molecules.smarts import compile_smarts
from symxai.errors import SymxaiError
from symxai.query.ast import KEYWORDS

__all__ = [
    "BUILTIN_GROUPS",
    "Group",
    "GroupFileError",
    "GroupVocabulary",
    "UnknownGroupError",
    "count_group",
    "group_atoms",
    "load_groups",
    "parse_groups",
]

Unit = Literal["match", "ring", "system"]
_MAX_MATCHES = 100_000
_NAME = re.compile(r"[a-z][a-z0-9_]*")

# Amine nitrogen: uncharged, three connections, not bonded to a multiply bonded C/S/P
# (amide, thioamide, amidine, sulfonamide, phosphoramide) nor to N, O or S (hydrazine,
# hydroxylamine, sulfenamide); aliphatic (pyrrole's aromatic nH is excluded).
_AMINE = "NX3;+0;!$(N[#6,#15,#16]=[#7,#8,#16]);!$(N-[#7,#8,#16])"
_NITRO = "NX3;$(N(=O)=O),$([N+](=O)[O-])"
_HETERO = "[a;!c]"


def _any_atom_of(*smiles: str) -> str:
    """Recursive SMARTS of an atom of any match of the ring systems ``smiles`` (aromatic
    atoms and bonds generalised to any aromatic atom): one alternative per class of
    symmetry-equivalent atoms, rooted at that atom."""
    alternatives: list[str] = []
    for text in smiles:
        mol = Chem.MolFromSmiles(text)
        ranks = list(Chem.CanonicalRankAtoms(mol, breakTies=False))
        for rank in sorted(set(ranks)):
            rooted = Chem.MolToSmiles(mol, rootedAtAtom=ranks.index(rank), canonical=False)
            alternatives.append(f"$({re.sub('[a-z]', 'a', rooted)})")
    return "[" + ",".join(alternatives) + "]"


def _closest_names(name: str, known: list[str]) -> list[str]:
    """Up to three names of ``known`` that contain ``name`` (case-folded; ``ring`` finds
    ``aromatic_ring``), else the closest by difflib ratio."""
    folded = name.casefold()
    containing = [candidate for candidate in known if folded and folded in candidate.casefold()]
    return containing[:3] or difflib.get_close_matches(folded, known, n=3, cutoff=0.5)


def _ring_atoms(size: int) -> str:
    """Recursive SMARTS of an atom in an aromatic ring of ``size`` atoms with at least
    one heteroatom (one alternative per position of the heteroatom up to symmetry)."""
    alternatives = []
    for position in range(size // 2 + 1):
        atoms = ["a"] * size
        atoms[position] = _HETERO
        alternatives.append(f"$({atoms[0]}1{''.join(atoms[1:])}1)")
    return ",".join(alternatives)


@dataclass(frozen=True)
class Group:
    """One named group: its SMARTS pattern, a one-line description, where it was defined
    (``built-in`` or ``file:line``) and what :func:`count_group` counts (``match``:
    non-overlapping matches; ``ring``: rings whose atoms the group covers; ``system``:
    connected parts of the covered atoms)."""

    name: str
    smarts: str
    description: str = ""
    source: str = "built-in"
    unit: Unit = "match"

    @property
    def query(self) -> Chem.Mol:
        """The compiled SMARTS pattern."""
        return compile_smarts(self.smarts)


_BUILTIN: tuple[Group, ...] = (
    Group(
        "hydroxyl",
        "[OX2H1;$(O[#6;!$([#6]=[#7,#8,#16])])]",
        "alcohol or phenol O-H (the O; not the OH of an acid)",
    ),
    Group("carbonyl", "[CX3]=[OX1]", "C=O of any kind (ketone, aldehyde, acid, ester, amide)"),
    Group("aldehyde", "[CX3;$([CH1][#6]),$([CH2])]=[OX1]", "aldehyde C=O (H-C=O)"),
    Group("ketone", "[CX3;$(C([#6])[#6])]=[OX1]", "ketone C=O between two carbons"),
    Group(
        "carboxylic_acid",
        "[CX3](=[OX1])[OX2H1,OX1-]",
        "carboxylic acid or carboxylate C(=O)O",
    ),
    Group(
        "ester",
        "[CX3;$(C[#6]),$([CH1])](=[OX1])[OX2H0;$(O[#6])]",
        "carboxylic ester C(=O)O-C (the C(=O)O)",
    ),
    Group("amide", "[CX3](=[OX1])[NX3]", "amide C(=O)N (also lactams, ureas)"),
    Group(
        "primary_amine",
        f"[{_AMINE};H2;$(N[#6])]",
        "primary amine N (R-NH2, aniline included)",
    ),
    Group(
        "secondary_amine",
        f"[{_AMINE};H1;$(N([#6])[#6])]",
        "secondary amine N (R2NH)",
    ),
    Group(
        "tertiary_amine",
        f"[{_AMINE};H0;$(N([#6])([#6])[#6])]",
        "tertiary amine N (R3N)",
    ),
    Group(
        "aromatic_amine",
        f"[{_AMINE};$(Na)]",
        "amine N on an aromatic atom (aniline N; alert)",
    ),
    Group("nitro", f"[{_NITRO}](~[OX1])~[OX1]", "nitro N(=O)=O or [N+](=O)[O-]"),
    Group(
        "aromatic_nitro",
        f"[{_NITRO};$(Na)](~[OX1])~[OX1]",
        "nitro group on an aromatic atom (alert)",
    ),
    Group("nitrile", "[CX2]#[NX1]", "nitrile C#N"),
    Group("halogen", "[F,Cl,Br,I]", "any F, Cl, Br or I atom"),
    Group("sulfonamide", "[SX4](=[OX1])(=[OX1])[NX3]", "sulfonamide S(=O)(=O)N"),
    Group(
        "aromatic_ring",
        "[$(a1aaaa1),$(a1aaaaa1)]",
        "atoms of aromatic 5- and 6-rings (counted as rings)",
        unit="ring",
    ),
    Group(
        "heteroaromatic_ring",
        f"[{_ring_atoms(5)},{_ring_atoms(6)}]",
        "atoms of aromatic 5- and 6-rings with a heteroatom (counted as rings)",
        unit="ring",
    ),
    Group("aromatic_nitroso", "[a][NX2]=[OX1]", "nitroso on an aromatic atom (alert)"),
    Group("nitroso", "[#6,#7][NX2]=[OX1]", "C- or N-nitroso N=O (alert)"),
    Group(
        "n_nitroso",
        "[NX3;!$(Na)][NX2]=[OX1]",
        "aliphatic N-nitroso N-N=O, nitrosamines (alert)",
    ),
    Group(
        "n_oxide",
        "[#7+;!$([#7](~[OX1])~[OX1])][OX1-]",
        "N-oxide N+-O- (aromatic or aliphatic; alert)",
    ),
    Group(
        "azide",
        "[NX2]=[NX2+]=[NX1-]",
        "azide N=[N+]=[N-] (alert)",
    ),
    Group("aromatic_azo", "[a][NX2]=[NX2][a]", "azo N=N between aromatic atoms (alert)"),
    Group("diazo", "[CX3]=[NX2+]=[NX1-]", "diazo C=[N+]=[N-] (alert)"),
    Group("triazene", "[NX2]=[NX2][NX3]", "triazene N=N-N (alert)"),
    Group(
        "hydrazine",
        "[NX3;!$(N[#6,#16]=[#7,#8,#16])][NX3;!$(N[#6,#16]=[#7,#8,#16])]",
        "hydrazine N-N, not acylated (alert)",
    ),
    Group(
        "aromatic_hydroxylamine",
        "[a][NX3][OX2]",
        "aromatic hydroxylamine or its ester a-N-O (alert)",
    ),
    Group("alkyl_nitrite", "[CX4][OX2][NX2]=[OX1]", "alkyl nitrite C-O-N=O (alert)"),
    Group("epoxide", "C1OC1", "epoxide (three-membered C-O-C ring; alert)"),
    Group("aziridine", "C1NC1", "aziridine (three-membered C-N-C ring; alert)"),
    Group(
        "alkyl_halide",
        "[CX4;!$(C([F,Cl,Br,I])([F,Cl,Br,I])[F,Cl,Br,I])][Cl,Br,I]",
        "aliphatic C-Cl, C-Br or C-I (not CX3 trihalides; alert)",
    ),
    Group("acyl_halide", "[CX3](=[OX1])[F,Cl,Br,I]", "acyl halide C(=O)X (alert)"),
    Group(
        "michael_acceptor",
        "[CX3]=[CX3][CX3;$(C=[OX1]);!$(C[OX2H1,OX1-])]=[OX1]",
        "alpha,beta-unsaturated aldehyde/ketone/ester C=C-C=O (alert)",
    ),
    Group(
        "polycyclic_aromatic",
        _any_atom_of("c1ccc2cc3ccccc3cc2c1", "c1ccc2c(c1)ccc1ccccc12"),
        "atoms of three or more fused aromatic rings (anthracene or phenanthrene "
        "type, hetero atoms allowed; counted as fused systems; alert)",
        unit="system",
    ),
)


class GroupFileError(SymxaiError, ValueError):
    """A file of named groups has a bad line: the message names the file and line."""


class UnknownGroupError(SymxaiError, LookupError):
    """A group name outside the vocabulary; ``suggestions`` holds the closest names."""

    def __init__(self, name: str, suggestions: Iterable[str]) -> None:
        self.suggestions = tuple(suggestions)
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown group {name!r}{hint} (symxai groups lists them)")


@dataclass(frozen=True)
class GroupVocabulary(Mapping[str, Group]):
    """Named groups by name (built-in ones first, then a user's, which replace built-in
    ones of the same name). Plain data: it pickles to worker processes."""

    groups: tuple[Group, ...]
    _by_name: dict[str, Group] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {group.name: group for group in self.groups})

    def __getitem__(self, name: str) -> Group:
        try:
            return self._by_name[name]
        except KeyError:
            raise UnknownGroupError(name, self.suggest(name)) from None

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def suggest(self, name: str) -> list[str]:
        """The closest group names: those containing ``name`` (``ring``:
        ``aromatic_ring``), else by difflib ratio."""
        return _closest_names(name, list(self._by_name))

    def extended(self, groups: Iterable[Group]) -> GroupVocabulary:
        """This vocabulary with ``groups`` added; a group of an existing name replaces it
        (in place, keeping the listing order)."""
        merged = dict(self._by_name)
        merged.update({group.name: group for group in groups})
        return GroupVocabulary(tuple(merged.values()))

    def atoms(self, mol: Chem.Mol, name: str) -> list[int]:
        """Sorted atom indices covered by any match of group ``name`` in ``mol``."""
        return group_atoms(mol, name, self)

    def resolvers(self, mol: Chem.Mol) -> Mapping[str, Callable[[], list[int]]]:
        """Per group name, a function giving its atoms in ``mol`` (evaluated on use; the
        mapping makes the function on lookup, so a molecule's feature space costs nothing
        per vocabulary group until a query names one)."""
        return _MoleculeGroupRules(mol, self)

    def present(self, mol: Chem.Mol) -> dict[str, list[int]]:
        """The groups that occur in ``mol``, with their atoms."""
        found = {name: group_atoms(mol, name, self) for name in self}
        return {name: atoms for name, atoms in found.items() if atoms}


class _MoleculeGroupRules(Mapping[str, Callable[[], list[int]]]):
    """The group rules of one molecule: ``rules[name]()`` is ``group_atoms(mol, name)``."""

    def __init__(self, mol: Chem.Mol, vocabulary: GroupVocabulary) -> None:
        self._mol = mol
        self._vocabulary = vocabulary

    def __getitem__(self, name: str) -> Callable[[], list[int]]:
        if name not in self._vocabulary:
            raise KeyError(name)
        return functools.partial(group_atoms, self._mol, name, self._vocabulary)

    def __contains__(self, name: object) -> bool:
        return name in self._vocabulary

    def __iter__(self) -> Iterator[str]:
        return iter(self._vocabulary)

    def __len__(self) -> int:
        return len(self._vocabulary)


BUILTIN_GROUPS = GroupVocabulary(_BUILTIN)
"""The built-in vocabulary (see the module docstring for its conventions)."""


def _matches(mol: Chem.Mol, group: Group) -> tuple[tuple[int, ...], ...]:
    return mol.GetSubstructMatches(group.query, uniquify=True, maxMatches=_MAX_MATCHES)


def group_atoms(
    mol: Chem.Mol, name: str, vocabulary: GroupVocabulary = BUILTIN_GROUPS
) -> list[int]:
    """Sorted atom indices covered by any match of group ``name`` (``[]`` when absent);
    :class:`UnknownGroupError` for a name outside ``vocabulary``."""
    return sorted({atom for match in _matches(mol, vocabulary[name]) for atom in match})


def count_group(mol: Chem.Mol, name: str, vocabulary: GroupVocabulary = BUILTIN_GROUPS) -> int:
    """How many distinct occurrences of group ``name`` ``mol`` has.

    For a ``match`` group: the largest set of matches chosen greedily in RDKit's match
    order with no atom in common (two hydroxyls, one nitro per NO2, one halogen per
    atom). For a ``system`` group (``polycyclic_aromatic``): the connected parts of the
    atoms it covers (one per fused ring system). For a ``ring`` group
    (``aromatic_ring``, ``heteroaromatic_ring``): the rings of RDKit's smallest set of
    smallest rings whose atoms the group covers entirely (naphthalene: 2 aromatic
    rings; indole: 1 heteroaromatic ring).
    """
    group = vocabulary[name]
    if group.unit == "system":
        return _connected_parts(mol, group_atoms(mol, name, vocabulary))
    if group.unit == "ring":
        covered = set(group_atoms(mol, name, vocabulary))
        if not covered:
            return 0
        rings = Chem.GetSymmSSSR(mol)
        return sum(1 for ring in rings if covered.issuperset(ring))
    used: set[int] = set()
    count = 0
    for match in _matches(mol, group):
        if used.isdisjoint(match):
            used.update(match)
            count += 1
    return count


def _connected_parts(mol: Chem.Mol, atoms: list[int]) -> int:
    """Number of connected parts of the subgraph of ``mol`` on ``atoms``."""
    left = set(atoms)
    parts = 0
    while left:
        parts += 1
        stack = [left.pop()]
        while stack:
            for neighbor in mol.GetAtomWithIdx(stack.pop()).GetNeighbors():
                if neighbor.GetIdx() in left:
                    left.remove(neighbor.GetIdx())
                    stack.append(neighbor.GetIdx())
    return parts


def parse_groups(text: str, source: str = "<groups>") -> list[Group]:
    """The groups of a text of ``name: SMARTS [description]`` lines.

    Blank lines and lines starting with ``#`` are skipped (``#`` later in a line belongs
    to the SMARTS, as in ``[#6]``). The SMARTS is the first whitespace-free word after
    the colon; the rest of the line is the description. A name is lower-case letters,
    digits and ``_``, starting with a letter (so no name is an element symbol or an atom
    name such as ``C0``) and not a query keyword. :class:`GroupFileError` names the
    source, the line and what is wrong (RDKit's reason for a SMARTS it cannot parse, a
    repeated name).
    """
    groups: dict[str, Group] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip().lstrip("\ufeff")
        if not stripped or stripped.startswith("#"):
            continue
        where = f"{source}, line {number}"

        def fail(reason: str, where: str = where, stripped: str = stripped) -> GroupFileError:
            return GroupFileError(f"{where}: {reason}\n  {stripped}")

        name, colon, rest = stripped.partition(":")
        name = name.strip()
        if not colon:
            raise fail("expected 'name: SMARTS [description]'")
        if not _NAME.fullmatch(name) or name in KEYWORDS:
            raise fail(
                f"group name {name!r} must be lower-case letters, digits and '_', "
                "starting with a letter, and not a query keyword"
            )
        words = rest.split(maxsplit=1)
        if not words:
            raise fail(f"group {name!r} has no SMARTS pattern")
        if name in groups:
            raise fail(f"group {name!r} is defined twice (first at {groups[name].source})")
        try:
            compile_smarts(words[0])
        except SymxaiError as error:
            raise fail(str(error).splitlines()[0]) from None
        description = words[1].strip() if len(words) > 1 else ""
        groups[name] = Group(name, words[0], description, source=f"{source}:{number}")
    return list(groups.values())


def load_groups(path: str | Path, base: GroupVocabulary = BUILTIN_GROUPS) -> GroupVocabulary:
    """``base`` (the built-in vocabulary) extended by the groups of a file of
    ``name: SMARTS [description]`` lines (:func:`parse_groups`); a user group named like
    a built-in one replaces it. The file is read as UTF-8 text."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise GroupFileError(f"{path}: a groups file must be UTF-8 text") from None
    except IsADirectoryError:
        raise GroupFileError(f"{path}: is a directory, not a groups file") from None
    return base.extended(parse_groups(text, str(path)))

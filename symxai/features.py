"""Feature spaces: what the features of one explained input are called, and how a
query atom resolves to a non-empty set of feature indices.

A feature is the unit a user reasons about: a word, an atom of a molecule, a cell, an
image region. A :class:`FeatureSpace` holds, for ``n`` features,

* ``names``: unique identifiers (``C0``, ``O3``, ``w4``, ``cell17``),
* ``texts``: optional surface text (the word ``"good"``), matched by quoted atoms,
* ``labels``: optional per-feature label columns (``element``, ``phenotype``,
  ``region``, ``kind`` ...), matched by qualified atoms ``element:O`` and, for bare
  names, as implicit groups (``O`` = every oxygen),
* ``groups``: optional explicitly named feature sets (``eyes``, ``ring1``),
* ``group_rules``: optional groups defined by a rule rather than listed, each a function
  giving its members, called on first use; a vocabulary group may be empty on an input
  (the molecules' functional groups: ``hydroxyl`` in a molecule without OH), which makes
  it absent there, not unknown,
* ``resolvers``: optional functions for pattern atoms ``prefix"..."`` (``smarts"..."``
  is registered by the molecules domain).

Resolution rules (an atom must resolve to at least one feature, otherwise
:class:`~symxai.errors.UnknownAtomError` names the closest candidates):

========================  ==========================================================
atom                      features
========================  ==========================================================
``"good"``                every position whose text equals ``good`` (case-folded)
``O3``                    the feature named ``O3``; else the group ``O3``; else every
                          feature with a label value ``O3`` (first label column that
                          has it, in declaration order); else the vocabulary group
                          ``O3``
``element:O``             every feature whose ``element`` label is ``O``; the
                          qualifiers ``name``, ``word``/``text`` and ``group`` are
                          built in, other qualifiers may name a resolver;
                          ``group:X`` is an explicit group, else a vocabulary group
                          (possibly empty: absent); a name that is neither is an
                          error even with ``missing="absent"``
``smarts"..."``           whatever the ``smarts`` resolver returns
``#3`` / ``#3..7``        feature index 3 / indices 3 to 7 inclusive
========================  ==========================================================
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from symxai.errors import FeatureSpaceError, QueryError, UnknownAtomError
from symxai.query.ast import Atom, Query

__all__ = ["Feature", "FeatureSpace", "Resolver"]

Resolver = Callable[[str], Iterable[int]]
"""A pattern-atom resolver: the pattern text in, feature indices out."""

_TEXT_QUALIFIERS = frozenset({"word", "text"})
MISSING = ("error", "absent")


@dataclass(frozen=True)
class Feature:
    """One feature: its index, name, optional text and labels."""

    index: int
    name: str
    text: str | None
    labels: Mapping[str, str | None]


class FeatureSpace:
    """Names, texts, labels and groups of ``n`` features, and atom resolution.

    Parameters
    ----------
    names:
        One unique name per feature.
    texts:
        Optional surface text per feature (words of a sentence); matched by quoted atoms.
    labels:
        Optional label columns, each a sequence of ``n`` values (``None`` for unlabelled).
    groups:
        Optional named feature sets; members given by index or by feature name.
    resolvers:
        Optional pattern resolvers keyed by prefix (``{"smarts": fn}``) or by qualifier.
    group_rules:
        Optional rule-defined groups: name -> function giving the members (possibly none).
    """

    def __init__(
        self,
        names: Sequence[str],
        *,
        texts: Sequence[str | None] | None = None,
        labels: Mapping[str, Sequence[str | None]] | None = None,
        groups: Mapping[str, Iterable[int | str]] | None = None,
        resolvers: Mapping[str, Resolver] | None = None,
        group_rules: Mapping[str, Callable[[], Iterable[int]]] | None = None,
    ) -> None:
        self.names: tuple[str, ...] = tuple(str(name) for name in names)
        n = len(self.names)
        duplicates = sorted({name for name in self.names if self.names.count(name) > 1})
        if duplicates:
            raise FeatureSpaceError(f"feature names must be unique; repeated: {duplicates[:5]}")
        self._index_of = {name: i for i, name in enumerate(self.names)}
        if texts is not None and len(texts) != n:
            raise FeatureSpaceError(f"texts has {len(texts)} entries for {n} features")
        self.texts: tuple[str | None, ...] | None = tuple(texts) if texts is not None else None
        self.labels: dict[str, tuple[str | None, ...]] = {}
        for column, values in (labels or {}).items():
            if len(values) != n:
                raise FeatureSpaceError(
                    f"label column {column!r} has {len(values)} entries for {n} features"
                )
            self.labels[column.lower()] = tuple(None if v is None else str(v) for v in values)
        self.groups: dict[str, np.ndarray] = {}
        for group, members in (groups or {}).items():
            indices = self.indices(members, what=f"group {group!r}")
            if indices.size == 0:
                raise FeatureSpaceError(f"group {group!r} has no members")
            self.groups[group] = indices
        self.resolvers: dict[str, Resolver] = {
            prefix.lower(): fn for prefix, fn in (resolvers or {}).items()
        }
        self.group_rules: Mapping[str, Callable[[], Iterable[int]]] = (
            {} if group_rules is None else group_rules
        )
        self._vocabulary_members: dict[str, np.ndarray] = {}

    # ------------------------------------------------------------------ basics
    @classmethod
    def indexed(cls, n: int, prefix: str = "f") -> FeatureSpace:
        """``n`` features named ``f0 .. f{n-1}``."""
        return cls([f"{prefix}{i}" for i in range(n)])

    @classmethod
    def from_words(cls, words: Sequence[str], **kwargs: object) -> FeatureSpace:
        """Features that are the words of a sentence: named ``w0 ..``, text = the word."""
        return cls([f"w{i}" for i in range(len(words))], texts=list(words), **kwargs)  # type: ignore[arg-type]

    @classmethod
    def from_elements(cls, symbols: Sequence[str]) -> FeatureSpace:
        """Atoms as features: names ``C0 C1 O2 ..`` (element symbol + index), label column
        ``element``, so ``O`` or ``element:O`` names every oxygen and ``O2`` one atom."""
        symbols = [str(symbol) for symbol in symbols]
        return cls(
            [f"{symbol}{index}" for index, symbol in enumerate(symbols)],
            labels={"element": symbols},
        )

    def __len__(self) -> int:
        return len(self.names)

    @property
    def n(self) -> int:
        """Number of features."""
        return len(self.names)

    def __iter__(self):
        return (self[i] for i in range(self.n))

    def __getitem__(self, index: int) -> Feature:
        return Feature(
            index=index,
            name=self.names[index],
            text=None if self.texts is None else self.texts[index],
            labels={column: values[index] for column, values in self.labels.items()},
        )

    def __repr__(self) -> str:
        shown = ", ".join(self.names[:6]) + (", ..." if self.n > 6 else "")
        return f"FeatureSpace(n={self.n}: {shown})"

    @property
    def display_names(self) -> tuple[str, ...]:
        """Labels for tables and printed dividends: a feature's text (the word) when it
        has one, followed by ``@index`` where the same text (case-folded) occurs more than
        once (``not``, ``good``, ``the@3``, ``the@7``); otherwise its name.

        Display labels only: in a query a word is the quoted atom ``"not"`` (every
        occurrence of it), one position ``#3`` or its name (``w3``).
        """
        texts = self.texts or (None,) * self.n
        folded = [None if text is None else text.casefold() for text in texts]
        counts: dict[str, int] = {}
        for text in folded:
            if text is not None:
                counts[text] = counts.get(text, 0) + 1
        return tuple(
            name if text is None else (text if counts[folded[index]] == 1 else f"{text}@{index}")  # type: ignore[index]
            for index, (name, text) in enumerate(zip(self.names, texts, strict=True))
        )

    def label(self, index: int) -> str:
        """Display label of a feature: its text when it has one, else its name."""
        if self.texts is not None and self.texts[index] is not None:
            return str(self.texts[index])
        return self.names[index]

    def indices(self, subset: Iterable[int | str] | np.ndarray, what: str = "subset") -> np.ndarray:
        """Sorted unique indices of a subset given by indices, feature names or a bool mask."""
        if isinstance(subset, np.ndarray) and subset.dtype == bool:
            if subset.shape != (self.n,):
                raise FeatureSpaceError(
                    f"{what}: mask of shape {subset.shape}, expected ({self.n},)"
                )
            return np.flatnonzero(subset)
        out: list[int] = []
        for item in subset:
            if isinstance(item, str):
                if item not in self._index_of:
                    close = difflib.get_close_matches(item, self.names, n=3, cutoff=0.5)
                    hint = f"; did you mean {', '.join(close)}?" if close else ""
                    raise FeatureSpaceError(f"{what}: no feature named {item!r}{hint}")
                out.append(self._index_of[item])
            else:
                index = int(item)
                if not 0 <= index < self.n:
                    raise FeatureSpaceError(
                        f"{what}: feature index {index} out of range 0..{self.n - 1}"
                    )
                out.append(index)
        return np.unique(np.asarray(out, dtype=np.int64))

    def mask(self, subset: Iterable[int | str] | np.ndarray) -> np.ndarray:
        """Bool mask of length ``n`` for a subset (indices, names or a mask)."""
        mask = np.zeros(self.n, dtype=bool)
        mask[self.indices(subset)] = True
        return mask

    # -------------------------------------------------------------- resolution
    def resolve(self, atom: Atom, source: str = "", missing: str = "error") -> np.ndarray:
        """Sorted indices of the features an atom denotes.

        ``source`` is the query text the atom was parsed from, used to point at the atom
        with a caret when it matches nothing. ``missing="error"`` (default) raises
        :class:`~symxai.errors.UnknownAtomError` for an atom that matches no feature;
        ``missing="absent"`` returns an empty set instead (the atom is then false on
        every coalition), which batch runs over many inputs want for atoms such as a
        substructure that only some molecules contain. Malformed atoms (unknown
        qualifier, index out of range) raise in both modes.
        """
        if missing not in MISSING:
            raise ValueError(f"missing must be one of {MISSING}, got {missing!r}")
        try:
            indices = self._resolve(atom)
        except UnknownAtomError as error:
            raise self._located(error, atom, source) from None
        if indices.size == 0 and missing == "error":
            if self._names_vocabulary_group(atom):
                problem = UnknownAtomError(f"group {atom.value} does not occur in this input")
            else:
                problem = UnknownAtomError(
                    f"atom {atom} matches no feature", suggestions=self._suggest(atom)
                )
            raise self._located(problem, atom, source)
        return indices

    def _names_vocabulary_group(self, atom: Atom) -> bool:
        """Whether ``atom`` is a vocabulary group (``group:X`` or bare ``X``)."""
        by_group = atom.kind == "qualified" and (atom.qualifier or "").lower() == "group"
        return (by_group or atom.kind == "name") and str(atom.value) in self.group_rules

    def resolve_query(
        self, query: Query, source: str = "", missing: str = "error"
    ) -> dict[Atom, np.ndarray]:
        """Index set of every atom of ``query``, in the order of ``query.atoms()``."""
        return {atom: self.resolve(atom, source, missing) for atom in query.atoms()}

    def _resolve(self, atom: Atom) -> np.ndarray:
        kind = atom.kind
        if kind == "index":
            return self._index_range(atom, int(atom.value), int(atom.value))  # type: ignore[arg-type]
        if kind == "range":
            start, end = atom.value  # type: ignore[misc]
            return self._index_range(atom, int(start), int(end))
        if kind == "text":
            return self._match_text(str(atom.value))
        if kind == "name":
            return self._match_name(str(atom.value))
        if kind in ("qualified", "pattern"):
            return self._match_qualified(atom)
        raise QueryError(f"unsupported atom kind {kind!r}")

    def _index_range(self, atom: Atom, start: int, end: int) -> np.ndarray:
        if start < 0 or end >= self.n:
            raise UnknownAtomError(
                f"atom {atom} is out of range: the features are #0..#{self.n - 1}"
            )
        return np.arange(start, end + 1, dtype=np.int64)

    def _match_text(self, text: str) -> np.ndarray:
        if self.texts is None:
            raise UnknownAtomError(
                f'quoted atom "{text}" needs features with text, and these features have none'
                " (use a bare name or #index)"
            )
        wanted = text.casefold()
        return np.asarray(
            [i for i, t in enumerate(self.texts) if t is not None and t.casefold() == wanted],
            dtype=np.int64,
        )

    def _match_name(self, name: str) -> np.ndarray:
        if name in self._index_of:
            return np.asarray([self._index_of[name]], dtype=np.int64)
        if name in self.groups:
            return self.groups[name]
        for values in self.labels.values():
            hits = [i for i, value in enumerate(values) if value == name]
            if hits:
                return np.asarray(hits, dtype=np.int64)
        if name in self.group_rules:
            return self._vocabulary_group(name)
        return np.empty(0, dtype=np.int64)

    def _vocabulary_group(self, name: str) -> np.ndarray:
        """Members of a vocabulary group (computed once per feature space)."""
        if name not in self._vocabulary_members:
            members = np.asarray(list(self.group_rules[name]()), dtype=np.int64)
            self._vocabulary_members[name] = np.unique(members)
        return self._vocabulary_members[name]

    def _match_qualified(self, atom: Atom) -> np.ndarray:
        qualifier = (atom.qualifier or "").lower()
        value = str(atom.value)
        if atom.kind == "qualified":
            if qualifier == "name":
                hit = self._index_of.get(value)
                return np.asarray([] if hit is None else [hit], dtype=np.int64)
            if qualifier in _TEXT_QUALIFIERS:
                return self._match_text(value)
            if qualifier == "group":
                return self._group(atom, value)
            if qualifier in self.labels:
                return np.asarray(
                    [i for i, v in enumerate(self.labels[qualifier]) if v == value], dtype=np.int64
                )
        if qualifier in self.resolvers:
            found = self.resolvers[qualifier](value)
            return np.unique(np.asarray(list(found), dtype=np.int64))
        known = sorted({"name", "word", "text", "group", *self.labels, *self.resolvers})
        form = "pattern prefix" if atom.kind == "pattern" else "qualifier"
        raise UnknownAtomError(
            f"unknown {form} {qualifier!r} in atom {atom}; this feature space knows "
            + ", ".join(known),
            suggestions=difflib.get_close_matches(qualifier, known, n=3),
        )

    def _group(self, atom: Atom, value: str) -> np.ndarray:
        """Members of a named group; an unknown group name is an error in every
        ``missing`` mode (it is a typo or a group this kind of input never has, not an
        atom that some inputs happen to lack), listing the groups that exist. A
        vocabulary group may be empty on this input: absent, not unknown."""
        if value in self.groups:
            return self.groups[value]
        if value in self.group_rules:
            return self._vocabulary_group(value)
        known = [*self.groups, *self.group_rules]
        if not known:
            others = [f"{column}:..." for column in self.labels]
            others += [f'{prefix}"..."' for prefix in self.resolvers]
            instead = f"; name features by {', '.join(others)} or feature names" if others else ""
            raise UnknownAtomError(
                f"unknown group {value!r} in atom {atom}: these features have no named "
                f"groups{instead}"
            )
        shown = ", ".join(known[:20]) + (f" and {len(known) - 20} more" if len(known) > 20 else "")
        raise UnknownAtomError(
            f"unknown group {value!r} in atom {atom}; the groups are {shown}",
            suggestions=self._group_suggestions(value, known),
        )

    def _group_suggestions(self, value: str, known: list[str]) -> list[str]:
        """Rule groups whose name contains ``value`` (``ring``: ``aromatic_ring``), then
        the closest group names by difflib ratio; three at most."""
        folded = value.casefold()
        containing = [name for name in self.group_rules if folded and folded in name.casefold()]
        close = difflib.get_close_matches(value, known, n=3, cutoff=0.5)
        return list(dict.fromkeys([*containing, *close]))[:3]

    def _vocabulary(self, atom: Atom) -> list[str]:
        """Candidate spellings for suggestions, depending on the atom's kind."""
        texts = sorted({t for t in (self.texts or ()) if t is not None})
        names = [*self.names, *self.groups, *self.group_rules]
        for values in self.labels.values():
            names.extend(sorted({v for v in values if v is not None}))
        if atom.kind == "text" or (atom.qualifier or "").lower() in _TEXT_QUALIFIERS:
            return texts
        if atom.kind == "qualified" and (atom.qualifier or "").lower() in self.labels:
            return sorted({v for v in self.labels[atom.qualifier.lower()] if v is not None})  # type: ignore[union-attr]
        return names + texts

    def _suggest(self, atom: Atom) -> list[str]:
        vocabulary = self._vocabulary(atom)
        value = str(atom.value)
        close = difflib.get_close_matches(value, vocabulary, n=3, cutoff=0.5)
        if not close:
            folded = {v.casefold(): v for v in vocabulary}
            close = [folded[c] for c in difflib.get_close_matches(value.casefold(), folded, n=3)]
        return close

    @staticmethod
    def _located(error: UnknownAtomError, atom: Atom, source: str) -> UnknownAtomError:
        if not source or atom.span is None:
            return error
        start, end = atom.span
        return UnknownAtomError(
            error.reason,
            query=source,
            column=start + 1,
            suggestions=error.suggestions,
            width=max(1, end - start),
        )

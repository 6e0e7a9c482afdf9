"""The query language: grammar, AST, canonical printing, semantics and errors."""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy.logic import boolalg
from sympy.logic.inference import satisfiable

from symxai.errors import LINE_LIMIT, QueryError
from symxai.query import And, Atom, Constant, Implies, Not, Or, Query, Xor, parse_query
from symxai.query.ast import KEYWORDS, is_bare_name
from symxai.query.parser import MAX_NESTING, grammar_resource

a, b, c, d, e = (Atom("name", x) for x in "abcde")


def text(value: str) -> Atom:
    return Atom("text", value)


# --------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------

TRICKY_NAMES = ["android", "order", "nota", "and_x", "true1", "Treg", "O3", "ñandú", "_x", "日本"]
names = st.one_of(
    st.from_regex(r"[^\W\d]\w{0,6}", fullmatch=True),
    st.sampled_from(TRICKY_NAMES),
).filter(is_bare_name)
qualifiers = names.filter(lambda name: is_bare_name(name.lower()))
texts = st.one_of(
    st.text(max_size=8),
    st.text(alphabet="\"'\\ ab\n&|()#:", max_size=8),
    st.sampled_from(["not", "and", "", "\\", '\\"', "a\\Fb", "日本語", "é ü"]),
)
qualified_values = st.one_of(texts, names, st.from_regex(r"[0-9]\w{0,3}", fullmatch=True))
indices = st.integers(min_value=0, max_value=10**6)

atoms = st.one_of(
    st.builds(Atom, st.just("text"), texts),
    st.builds(Atom, st.just("name"), names),
    st.builds(Atom, st.just("qualified"), qualified_values, qualifiers),
    st.builds(Atom, st.just("pattern"), texts, qualifiers),
    st.builds(Atom, st.just("index"), indices),
    st.builds(
        Atom, st.just("range"), st.lists(indices, min_size=2, max_size=2).map(sorted).map(tuple)
    ),
)
leaves = st.one_of(atoms, st.booleans().map(Constant))


def compound(children: st.SearchStrategy[Query]) -> st.SearchStrategy[Query]:
    operands = st.lists(children, min_size=2, max_size=4)
    return st.one_of(
        children.map(Not),
        operands.map(And),
        operands.map(Or),
        operands.map(Xor),
        st.builds(Implies, children, children),
    )


queries = st.recursive(leaves, compound, max_leaves=12)

# Queries over a small pool of atoms, so that random pairs share atoms and are
# sometimes equivalent.
small_queries = st.recursive(
    st.one_of(st.sampled_from([a, b, c]), st.booleans().map(Constant)), compound, max_leaves=6
)

# Queries whose text has no quotes (an inserted character always lands outside strings).
quote_free_queries = st.recursive(
    st.one_of(
        st.builds(Atom, st.just("name"), names),
        st.builds(Atom, st.just("index"), indices),
        st.booleans().map(Constant),
    ),
    compound,
    max_leaves=8,
)


def sympy_of(*qs: Query) -> tuple[dict[Atom, sympy.Symbol], list[boolalg.Boolean]]:
    """Shared symbols for the union of the atoms of ``qs`` and the sympy form of each."""
    union = dict.fromkeys(atom for q in qs for atom in q.atoms())
    symbols = {atom: sympy.Symbol(f"x{i}") for i, atom in enumerate(union)}
    return symbols, [q.to_sympy(symbols) for q in qs]


def sympy_equivalent(p: Query, q: Query) -> bool:
    _, (sp, sq) = sympy_of(p, q)
    return satisfiable(boolalg.Xor(sp, sq)) is False


def parse_error(source: str) -> QueryError:
    with pytest.raises(QueryError) as info:
        parse_query(source)
    return info.value


def assert_points_at(error: QueryError, source: str, column: int) -> None:
    """The error names ``column`` and its message ends with ``source`` and carets there
    (a long ``source`` cut to a window of at most ``LINE_LIMIT`` characters around the
    column, the caret still under the character it points at)."""
    assert error.column == column
    assert error.query == source
    flat = source.replace("\n", " ").replace("\t", " ").replace("\r", " ")
    *_, query_line, caret_line = str(error).split("\n")
    if len(flat) + 2 <= LINE_LIMIT:
        assert query_line == "  " + flat
        assert caret_line == "  " + " " * (column - 1) + "^" * max(1, error.width)
    else:
        assert len(query_line) <= LINE_LIMIT and len(caret_line) <= LINE_LIMIT
    if column <= len(flat):
        assert query_line[caret_line.index("^")] == flat[column - 1]


# --------------------------------------------------------------------------------------
# Syntax: precedence, associativity, keywords, atoms
# --------------------------------------------------------------------------------------

PRECEDENCE_TABLE = [
    ("a | b & c", Or(a, And(b, c))),
    ("a & b | c", Or(And(a, b), c)),
    ("a ^ b | c", Or(Xor(a, b), c)),
    ("a | b ^ c", Or(a, Xor(b, c))),
    ("a ^ b & c", Xor(a, And(b, c))),
    ("a & b ^ c", Xor(And(a, b), c)),
    ("~a & b", And(Not(a), b)),
    ("~(a & b)", Not(And(a, b))),
    ("~~a", Not(Not(a))),
    ("~!not a", Not(Not(Not(a)))),
    ("a -> b -> c", Implies(a, Implies(b, c))),
    ("(a -> b) -> c", Implies(Implies(a, b), c)),
    ("a | b -> c & d", Implies(Or(a, b), And(c, d))),
    ("a -> b | c", Implies(a, Or(b, c))),
    ("a & b & c", And(a, b, c)),
    ("a | b | c | d", Or(a, b, c, d)),
    ("a ^ b ^ c", Xor(a, b, c)),
    ("(a & b) & c", And(a, b, c)),
    ("a & (b & c)", And(a, b, c)),
    ("a & (b | c)", And(a, Or(b, c))),
    ("not a and b or c", Or(And(Not(a), b), c)),
    ("a xor b implies c", Implies(Xor(a, b), c)),
    ("NOT a AND b Or c XOR d IMPLIES e", Implies(Or(And(Not(a), b), Xor(c, d)), e)),
    ("!a", Not(a)),
    ('not"x"', Not(text("x"))),
    ("((a))", a),
    ("true & false", And(Constant(True), Constant(False))),
    ("TRUE | False", Or(Constant(True), Constant(False))),
    ("a->b", Implies(a, b)),
    ("\ta\n&\r\nb  ", And(a, b)),
]


@pytest.mark.parametrize(("source", "expected"), PRECEDENCE_TABLE)
def test_precedence_and_associativity(source: str, expected: Query) -> None:
    assert parse_query(source) == expected


def test_word_operators_equal_symbolic_operators() -> None:
    assert parse_query("not a and b or c xor d implies e") == parse_query("~a & b | c ^ d -> e")
    assert parse_query("!a") == parse_query("~a") == parse_query("not a") == parse_query("NoT a")


def test_quoted_not_is_an_atom_not_the_operator() -> None:
    q = parse_query('"not" & ("good" | "great")')
    assert q == And(text("not"), Or(text("good"), text("great")))
    assert parse_query("'not'") == text("not")
    assert parse_query('~"not"') == Not(text("not"))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("N", Atom("name", "N")),
        ("O3", Atom("name", "O3")),
        ("Cancer", Atom("name", "Cancer")),
        ("_x1", Atom("name", "_x1")),
        ("ñandú", Atom("name", "ñandú")),
        ("element:O", Atom("qualified", "O", "element")),
        ("Element:O", Atom("qualified", "O", "element")),
        ("element : O", Atom("qualified", "O", "element")),
        ("name:O3", Atom("qualified", "O3", "name")),
        ("name:12", Atom("qualified", "12", "name")),
        ('name:"and"', Atom("qualified", "and", "name")),
        ("word:'it''s'", None),
        ('smarts"[N+](=O)[O-]"', Atom("pattern", "[N+](=O)[O-]", "smarts")),
        ("smarts'c1ccccc1'", Atom("pattern", "c1ccccc1", "smarts")),
        ('SMARTS"C"', Atom("pattern", "C", "smarts")),
        ("#3", Atom("index", 3)),
        ("#03", Atom("index", 3)),
        ("#3..7", Atom("range", (3, 7))),
        ("#4..4", Atom("range", (4, 4))),
        ('"a\\"b"', text('a"b')),
        ("'a\\'b'", text("a'b")),
        ('"a\\\\b"', text("a\\b")),
        ('"F/C=C\\F"', text("F/C=C\\F")),
        ('""', text("")),
    ],
)
def test_atoms(source: str, expected: Atom | None) -> None:
    if expected is None:
        parse_error(source)
    else:
        assert parse_query(source) == expected


def test_qualified_values_quoted_or_bare_are_the_same_atom() -> None:
    assert parse_query("word:good") == parse_query('word:"good"') == parse_query("word:'good'")
    assert parse_query("WORD:good") == Atom("qualified", "good", "word")
    assert Atom("qualified", "O", "Element") == Atom("qualified", "O", "element")
    assert parse_query("word:Good") != parse_query("word:good")  # values keep their case


def test_pattern_needs_the_quote_right_after_the_name() -> None:
    assert parse_query('smarts"c"') == Atom("pattern", "c", "smarts")
    # With a space it is a name followed by a text atom: two juxtaposed atoms.
    assert_points_at(parse_error('smarts "c"'), 'smarts "c"', 8)


@pytest.mark.parametrize("name", ["android", "order", "nota", "and_x", "true1", "Xorn", "notify"])
def test_keywords_are_whole_words(name: str) -> None:
    assert parse_query(name) == Atom("name", name)
    assert parse_query(f"{name} & {name}x") == And(Atom("name", name), Atom("name", name + "x"))


@pytest.mark.parametrize("keyword", [*KEYWORDS, "AND", "Not", "tRUE", "Implies"])
def test_keywords_are_reserved(keyword: str) -> None:
    with pytest.raises(ValueError):
        Atom("name", keyword)
    assert parse_query(f'name:"{keyword}"') == Atom("qualified", keyword, "name")
    source = f"a & {keyword}"
    if keyword.lower() not in ("not", "true", "false"):
        assert_points_at(parse_error(source), source, 5)


def test_constants_are_case_insensitive() -> None:
    assert parse_query("TRUE") == parse_query("true") == Constant(True)
    assert parse_query("False") == Constant(False)


def test_spans_locate_atoms_in_the_text() -> None:
    source = ' "not" &  element:O | smarts"c1"|#3..7 '
    q = parse_query(source)
    spans = [atom.span for atom in q.atoms()]
    assert [source[s:t] for s, t in spans] == ['"not"', "element:O", 'smarts"c1"', "#3..7"]
    # Spans do not take part in equality or hashing.
    assert q.atoms()[1] == Atom("qualified", "O", "element")
    assert hash(q.atoms()[1]) == hash(Atom("qualified", "O", "element"))
    assert {q.atoms()[1]: 1}[Atom("qualified", "O", "element")] == 1


def test_grammar_file_is_found_in_the_checkout() -> None:
    path = grammar_resource()
    assert path.is_file()
    assert path.name == "query.lark"
    assert "NAME" in path.read_text(encoding="utf-8")


def test_parse_results_are_cached_and_immutable() -> None:
    assert parse_query("a & b") is parse_query("a & b")
    q = parse_query("a & b")
    with pytest.raises(AttributeError):
        q.operands = ()  # type: ignore[misc]


def test_non_string_input_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse_query(3)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------
# AST construction
# --------------------------------------------------------------------------------------


def test_nary_constructors_flatten_and_need_two_operands() -> None:
    assert And(a, And(b, c)) == And((a, b, c)) == And([a, b, c])
    assert And(a, And(b, c)).operands == (a, b, c)
    assert Or(Or(a, b), Or(c, d)).operands == (a, b, c, d)
    assert Xor(a, Or(b, c)).operands == (a, Or(b, c))  # only the same operator flattens
    for cls in (And, Or, Xor):
        with pytest.raises(ValueError):
            cls(a)
        with pytest.raises(ValueError):
            cls(())
        with pytest.raises(TypeError):
            cls(a, "b")  # type: ignore[arg-type]
    assert And.of() == Constant(True)
    assert Or.of() == Constant(False) == Xor.of()
    assert And.of(a) == a
    assert And.of(a, b) == And(a, b)


def test_python_operators_build_the_ast() -> None:
    assert (a & b) | ~c == Or(And(a, b), Not(c))
    assert a ^ b == Xor(a, b)
    assert (a >> b) == Implies(a, b)
    assert a & b & c == And(a, b, c)
    with pytest.raises(TypeError):
        a & "b"  # type: ignore[operator]


@pytest.mark.parametrize(
    ("kind", "value", "qualifier"),
    [
        ("name", "1a", None),
        ("name", "a b", None),
        ("name", "", None),
        ("name", "a", "x"),
        ("qualified", "O", None),
        ("qualified", "O", "el ement"),
        ("qualified", "O", "and"),
        ("pattern", "c", "1x"),
        ("index", -1, None),
        ("index", True, None),
        ("index", "3", None),
        ("range", (5, 2), None),
        ("range", (1, 2, 3), None),
        ("colour", "red", None),
        ("text", 3, None),
    ],
)
def test_invalid_atoms_are_rejected(kind: str, value: object, qualifier: str | None) -> None:
    with pytest.raises((TypeError, ValueError)):
        Atom(kind, value, qualifier)  # type: ignore[arg-type]


def test_atoms_in_first_occurrence_order() -> None:
    q = parse_query("c & (a | ~c) -> b ^ a")
    assert q.atoms() == (c, a, b)
    assert Constant(True).atoms() == ()


# --------------------------------------------------------------------------------------
# Canonical printing and round trips
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        (Or(a, And(b, c)), "a | b & c"),
        (And(a, Or(b, c)), "a & (b | c)"),
        (Implies(a, Implies(b, c)), "a -> b -> c"),
        (Implies(Implies(a, b), c), "(a -> b) -> c"),
        (Not(Not(a)), "~~a"),
        (Not(And(a, b)), "~(a & b)"),
        (Xor(Or(a, b), c), "(a | b) ^ c"),
        (And(text('say "hi"'), text("back\\slash")), '"say \\"hi\\"" & "back\\\\slash"'),
        (Atom("qualified", "and", "name"), 'name:"and"'),
        (Atom("qualified", "a b", "word"), 'word:"a b"'),
        (Atom("qualified", "12", "name"), "name:12"),
        (Atom("pattern", "[N+](=O)[O-]", "smarts"), 'smarts"[N+](=O)[O-]"'),
        (Atom("range", (3, 7)), "#3..7"),
        (Or(Constant(True), Not(Constant(False))), "true | ~false"),
    ],
)
def test_canonical_text(query: Query, canonical: str) -> None:
    assert str(query) == canonical
    assert parse_query(canonical) == query


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries)
def test_round_trip(q: Query) -> None:
    canonical = str(q)
    parsed = parse_query(canonical)
    assert parsed == q
    assert str(parsed) == canonical
    assert sympy_equivalent(parsed, q)
    assert parsed.to_sympy() == q.to_sympy()


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=6), names, st.sampled_from([*KEYWORDS, "AND", "falſe"])))
def test_bare_names_are_exactly_what_the_grammar_reads_as_names(source: str) -> None:
    try:
        q = parse_query(source)
        read_as_name = isinstance(q, Atom) and q.kind == "name" and q.value == source
    except QueryError:
        read_as_name = False
    assert read_as_name == is_bare_name(source)


# --------------------------------------------------------------------------------------
# Semantics: evaluate, truth tables, equivalence, sympy
# --------------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(queries, st.randoms(use_true_random=False))
def test_evaluate_agrees_with_sympy(q: Query, rng: random.Random) -> None:
    symbols, (expr,) = sympy_of(q)
    assignment = {atom: rng.random() < 0.5 for atom in q.atoms()}
    expected = expr.subs({symbols[atom]: value for atom, value in assignment.items()})
    assert q.evaluate(assignment) is bool(expected)


@settings(max_examples=100, deadline=None)
@given(queries, st.integers(min_value=0, max_value=2**32 - 1))
def test_vectorised_evaluate_matches_rowwise(q: Query, seed: int) -> None:
    rng = np.random.default_rng(seed)
    assignment = {atom: rng.random(7) < 0.5 for atom in q.atoms()}
    assignment[Atom("name", "unused")] = np.zeros(7, dtype=bool)
    result = q.evaluate(assignment)
    assert isinstance(result, np.ndarray)
    assert result.dtype == bool
    assert result.shape == (7,)
    rows = [q.evaluate({atom: bool(v[i]) for atom, v in assignment.items()}) for i in range(7)]
    assert result.tolist() == rows


def test_evaluate_details() -> None:
    x = np.array([True, True, False, False])
    y = np.array([True, False, True, False])
    assert (a & b).evaluate({a: x, b: y}).tolist() == [True, False, False, False]
    assert (a | b).evaluate({a: x, b: y}).tolist() == [True, True, True, False]
    assert (a ^ b).evaluate({a: x, b: y}).tolist() == [False, True, True, False]
    assert (a >> b).evaluate({a: x, b: y}).tolist() == [True, False, True, True]
    assert Xor(a, b, c).evaluate({a: True, b: True, c: True}) is True  # odd parity
    mixed = (a & Constant(True)).evaluate({a: x})
    assert mixed.tolist() == x.tolist()
    assert Constant(False).evaluate({a: x}).tolist() == [False] * 4
    assert Constant(True).evaluate({}) is True
    assert (a | b).evaluate({a: False, b: True}) is True
    with pytest.raises(KeyError) as missing:
        (a & b).evaluate({a: True})
    assert missing.value.args[0] == "no truth value for atom b"


def test_truth_table() -> None:
    table = parse_query("a -> b").truth_table()
    assert list(table.columns) == ["a", "b", "value"]
    assert table.shape == (4, 3)
    # Row r gives atom i the bit i of r.
    assert table["a"].tolist() == [False, True, False, True]
    assert table["b"].tolist() == [False, False, True, True]
    assert table["value"].tolist() == [True, False, True, True]
    assert all(table[col].dtype == bool for col in table.columns)

    q = parse_query('"not" & element:O & ~#3..7')
    table = q.truth_table()
    assert list(table.columns) == ['"not"', "element:O", "#3..7", "value"]
    assert len(table) == 8
    assert table["value"].sum() == 1
    assert table.loc[3, "value"]  # not, element:O true, range false

    assert Constant(True).truth_table()["value"].tolist() == [True]
    clash = Atom("name", "value")
    assert list((clash & a).truth_table().columns) == ["value", "a", "_value_"]


@settings(max_examples=60, deadline=None)
@given(queries.filter(lambda q: len(q.atoms()) <= 6))
def test_truth_table_matches_evaluate(q: Query) -> None:
    table = q.truth_table()
    atoms = q.atoms()
    assert len(table) == 2 ** len(atoms)
    for r in range(len(table)):
        assignment = {atom: bool((r >> i) & 1) for i, atom in enumerate(atoms)}
        assert [table.loc[r, str(atom)] for atom in atoms] == list(assignment.values())
        assert table.loc[r, "value"] == q.evaluate(assignment)


@settings(max_examples=250, deadline=None)
@given(small_queries, small_queries)
def test_equivalent_agrees_with_sympy_satisfiability(p: Query, q: Query) -> None:
    assert p.equivalent(q) == sympy_equivalent(p, q)
    assert q.equivalent(p) == p.equivalent(q)
    assert p.equivalent(p)


@pytest.mark.parametrize(
    ("left", "right", "equivalent"),
    [
        ("~(a & b)", "~a | ~b", True),
        ("~(a | b)", "~a & ~b", True),
        ("~(a & b & c)", "~a | ~b | ~c", True),
        ("a -> b", "~a | b", True),
        ("a ^ b", "(a | b) & ~(a & b)", True),
        ("a & (b | c)", "a & b | a & c", True),
        ("a | ~a", "true", True),
        ("a & ~a", "false", True),
        ("a -> b -> c", "a & b -> c", True),
        ("a -> b", "b -> a", False),
        ("a & b", "a | b", False),
        ("a", "a & b", False),  # b is a variable of the union: differs where b is false
        ("#3", "#3..3", False),  # different atoms are independent variables
        ('"a"', "a", False),
    ],
)
def test_known_equivalences(left: str, right: str, equivalent: bool) -> None:
    p, q = parse_query(left), parse_query(right)
    assert p.equivalent(q) is equivalent
    assert sympy_equivalent(p, q) is equivalent


def test_equivalent_beyond_the_table_limit_uses_sympy() -> None:
    many = [Atom("index", i) for i in range(22)]
    p = Not(And(many))
    q = Or([Not(x) for x in many])
    assert p.equivalent(q)
    assert not p.equivalent(Or(many))


@settings(max_examples=80, deadline=None)
@given(small_queries)
def test_simplify_is_equivalent(q: Query) -> None:
    simplified = q.simplify()
    assert simplified.equivalent(q)
    assert parse_query(str(simplified)) == simplified


def test_simplify_examples() -> None:
    assert parse_query("a & b | a & ~b").simplify() == a
    assert parse_query("a | ~a").simplify() == Constant(True)
    assert parse_query("~~a").simplify() == a


def test_to_sympy_maps_operators() -> None:
    x, y = sympy.symbols("x y")
    symbols = {a: x, b: y}
    assert (a & b).to_sympy(symbols) == sympy.And(x, y)
    assert (a | ~b).to_sympy(symbols) == sympy.Or(x, sympy.Not(y))
    assert (a ^ b).to_sympy(symbols) == sympy.Xor(x, y)
    assert (a >> b).to_sympy(symbols) == sympy.Implies(x, y)
    assert Constant(True).to_sympy() is sympy.true
    assert text("not").to_sympy() == sympy.Symbol('"not"')
    with pytest.raises(KeyError):
        c.to_sympy(symbols)


@pytest.mark.parametrize(
    "build",
    [
        lambda x, y, z: boolalg.Equivalent(x, y),
        lambda x, y, z: boolalg.Equivalent(x, y, z),
        lambda x, y, z: boolalg.ITE(x, y, z),
        lambda x, y, z: boolalg.Nand(x, y, z),
        lambda x, y, z: boolalg.Nor(x, y),
        lambda x, y, z: boolalg.Xnor(x, y, z),
        lambda x, y, z: boolalg.Implies(x, boolalg.Xor(y, z)),
        lambda x, y, z: boolalg.And(x, boolalg.Or(y, sympy.false)),
    ],
)
def test_from_sympy(build: Callable[..., boolalg.Boolean]) -> None:
    x, y, z = (sympy.Symbol(f"s{i}") for i in range(3))
    expr = build(x, y, z)
    q = Query.from_sympy(expr, {x: a, y: b, z: c})
    symbols = {a: x, b: y, c: z}
    assert satisfiable(boolalg.Xor(q.to_sympy(symbols), expr)) is False
    assert parse_query(str(q)) == q


def test_from_sympy_rejects_unknown_input() -> None:
    x = sympy.Symbol("x")
    with pytest.raises(KeyError):
        Query.from_sympy(x, {})
    with pytest.raises(TypeError):
        Query.from_sympy(x + 1, {x: a})


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "column", "reason", "expected"),
    [
        ("a & & b", 5, "unexpected '&'", ("an atom", "'('", "'not'")),
        ("(a | b", 7, "unexpected end of query", ("')'",)),
        ("a $ b", 3, "unexpected character '$'", ("'&'", "end of query")),
        ("#5..2", 1, "empty range", ()),
        ('"abc', 1, "unterminated string", ()),
        ("a & 'abc", 5, "unterminated string", ()),
        ('smarts"abc', 7, "unterminated string", ()),
        ("a &", 4, "unexpected end of query", ("an atom",)),
        ("a b", 3, "unexpected 'b'", ("'&'", "'|'", "'^'", "'->'", "end of query")),
        ("a)", 2, "unexpected ')'", ("end of query",)),
        ("()", 2, "unexpected ')'", ("an atom",)),
        ("a & and", 5, "unexpected 'and'", ("an atom",)),
        ("element:", 9, "unexpected end of query", ("a name, number or quoted string",)),
        ("element:and", 9, "unexpected 'and'", ("a name, number or quoted string",)),
        ("a -> ", 6, "unexpected end of query", ("an atom",)),
        ("~", 2, "unexpected end of query", ("an atom",)),
        ("a - b", 3, "unexpected character '-'", ()),
        ("a & #", 5, "unexpected character '#'", ("an atom",)),
    ],
)
def test_error_columns_and_messages(
    source: str, column: int, reason: str, expected: tuple[str, ...]
) -> None:
    error = parse_error(source)
    assert_points_at(error, source, column)
    assert error.reason.startswith(reason)
    assert set(expected) <= set(error.expected)


def test_expected_lists_only_what_fits_the_context() -> None:
    top = parse_error("a b")
    assert "')'" not in top.expected  # no parenthesis is open
    nested = parse_error("(a b)")
    assert "')'" in nested.expected
    assert "end of query" not in nested.expected
    assert str(parse_error("a & & b")).splitlines()[0] == (
        "unexpected '&' at column 5; expected an atom, '(' or 'not'"
    )


@pytest.mark.parametrize("source", ["", " ", "\t\n  "])
def test_empty_query(source: str) -> None:
    error = parse_error(source)
    assert error.reason == "empty query"


def test_nesting_limit() -> None:
    deepest = parse_query("~" * (MAX_NESTING - 1) + "a")
    assert str(deepest) == "~" * (MAX_NESTING - 1) + "a"
    assert deepest.evaluate({a: np.array([True, False])}).tolist() == [False, True]
    assert deepest.equivalent(Not(a))
    assert hash(deepest) == hash(parse_query(str(deepest)))
    assert "nested too deeply" in parse_error("~" * MAX_NESTING + "a").reason
    # Redundant parentheses add no nesting to the tree.
    assert parse_query("(" * 10_000 + "a" + ")" * 10_000) == a
    alternating = "a"
    for i in range(MAX_NESTING):
        alternating = f"({alternating} & b{i}) | c{i}"
    for source in ["~" * 10_000 + "a", "a -> " * 5_000 + "a", alternating]:
        error = parse_error(source)
        assert "nested too deeply" in error.reason
        assert error.column is not None
    # Long flat chains are not nesting.
    assert len(parse_query(" & ".join(["a"] * 5_000)).operands) == 5_000  # type: ignore[attr-defined]


BINARY_OPERATORS = ["&", "|", "^", "->", "and", "or", "xor", "implies", "AND"]


@settings(max_examples=250, deadline=None)
@given(queries, st.sampled_from(BINARY_OPERATORS), st.sampled_from(["", " ", "  "]))
def test_dangling_operator_is_an_error_at_the_end(q: Query, op: str, space: str) -> None:
    source = f"{q} {op}{space}"
    error = parse_error(source)
    assert_points_at(error, source, len(source) + 1)
    assert error.reason == "unexpected end of query"


@settings(max_examples=250, deadline=None)
@given(queries, st.booleans())
def test_unbalanced_parentheses(q: Query, open_left: bool) -> None:
    if open_left:
        source = f"({q}"
        assert_points_at(parse_error(source), source, len(source) + 1)
    else:
        source = f"{q})"
        assert_points_at(parse_error(source), source, len(source))


@settings(max_examples=250, deadline=None)
@given(quote_free_queries, st.sampled_from("$@%`?;=,"), st.data())
def test_inserted_illegal_character(q: Query, char: str, data: st.DataObject) -> None:
    canonical = str(q)
    position = data.draw(st.integers(min_value=0, max_value=len(canonical)))
    source = canonical[:position] + char + canonical[position:]
    error = parse_error(source)
    # The parser stops at the inserted character or, when the insertion split a
    # token (`an$d`, `#3.$.7`, `-$>`), at the first piece that no longer fits.
    assert error.column is not None
    assert 1 <= error.column <= position + 1
    assert_points_at(error, source, error.column)


@settings(max_examples=250, deadline=None)
@given(queries, atoms, st.sampled_from([" ", "  ", "\n"]))
def test_juxtaposed_atoms(q: Query, atom: Atom, space: str) -> None:
    source = f"{q}{space}{atom}"
    error = parse_error(source)
    assert_points_at(error, source, len(str(q)) + len(space) + 1)


LANGUAGE_ALPHABET = "ab N ()&|^~!-><#.:019\"'\\\t\nnotrueandxor"


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=LANGUAGE_ALPHABET)))
def test_any_text_parses_or_raises_query_error(source: str) -> None:
    try:
        q = parse_query(source)
    except QueryError as error:
        if error.column is not None:
            assert 1 <= error.column <= len(source) + 1
            assert_points_at(error, source, error.column)
        else:
            assert error.reason in ("empty query",) or "nested" in error.reason
        return
    assert isinstance(q, Query)
    assert parse_query(str(q)) == q


def test_error_is_a_value_error_with_structured_fields() -> None:
    error = parse_error("a & & b")
    assert isinstance(error, ValueError)
    assert (error.query, error.column, error.width) == ("a & & b", 5, 1)
    wide = parse_error("a android")
    assert wide.width == len("android") and wide.column == 3
    assert re.search(r"\n  a android\n    \^{7}$", str(wide))


def test_all_short_token_sequences_parse_or_raise_query_error() -> None:
    tokens = ["a", "~", "&", "|", "^", "->", "(", ")", "true", '"x"', "#1", "#1..2", "e:O", "$"]
    parsed = 0
    for n in (1, 2, 3):
        for combo in itertools.product(tokens, repeat=n):
            source = " ".join(combo)
            try:
                q = parse_query(source)
            except QueryError as error:
                assert error.column is not None
                assert_points_at(error, source, error.column)
                continue
            parsed += 1
            assert parse_query(str(q)) == q
    assert parsed > 50

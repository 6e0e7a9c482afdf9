"""Logical queries over features: the language, its AST and the parser.

``parse_query('"not" & ("good" | "great")')`` gives an immutable tree of
:class:`Query` nodes (:class:`Atom`, :class:`Not`, :class:`And`, :class:`Or`,
:class:`Xor`, :class:`Implies`, :class:`Constant`) that evaluates under truth
assignments, converts to and from sympy, and prints back to canonical text.
The grammar is ``grammar/query.lark``; the README describes the language.
"""

from symxai.query.ast import And, Atom, Constant, Implies, Not, Or, Query, Xor
from symxai.query.parser import parse_query

__all__ = ["And", "Atom", "Constant", "Implies", "Not", "Or", "Query", "Xor", "parse_query"]

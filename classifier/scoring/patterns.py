"""The page scorer's pattern tables: provenance phrases and news agencies, compiled.

The phrases and agencies are data, not code: `classifier/patterns/provenance.tsv` and
`agencies.tsv` (package data; README.md there). `load_patterns()` compiles them once; the
scorer (`classifier.scoring.scorer.PageScorer`) holds the result. Each phrase comes with the
literals every match of it contains (the table's `literals` cell, derived by
`python -m training.pattern_literals`): one Aho-Corasick pass over a page's folded text finds
which literals are there, and only the phrases that have all of theirs are searched with their
regular expression.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import ahocorasick


@dataclass(frozen=True, slots=True)
class Agency:
    name: str
    aliases: tuple[str, ...]
    dateline: str
    own_domains: tuple[str, ...]
    # The aliases that name the agency only as written or in capitals ("AP", "dpa"/"DPA"),
    # never in another case ("ap", "Ap", "NaN"): see `exact_case_aliases`.
    exact_case: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Phrase:
    """One row of provenance.tsv, compiled, with the literals every match must contain."""

    code: str
    pattern: re.Pattern[str]
    # What every match contains, lower-cased with whitespace runs as one space (a space at
    # either end stands for whitespace the pattern requires there): each entry is a set of
    # alternatives, one of which must be in the text.
    literals: tuple[tuple[str, ...], ...]

    def possible(self, present: set[str] | str) -> bool:
        """Whether a text contains every literal a match needs; `present` is the text's `fold`
        with a space at each end, or the set of this phrase's literals found in it."""
        for alternatives in self.literals:
            for literal in alternatives:
                if literal in present:
                    break
            else:
                return False
        return True


@dataclass(frozen=True, slots=True)
class Patterns:
    """The compiled pattern tables."""

    provenance: tuple[Phrase, ...]
    # Every literal of every phrase in one Aho-Corasick automaton, with the conditions it
    # meets (each phrase's entries of `Phrase.literals`, numbered across the table), so that
    # one pass over a page finds the phrases worth searching (`phrases_in`).
    literals: Any  # ahocorasick.Automaton (literal -> frozenset of condition numbers), or None when there are none
    agencies: tuple[Agency, ...]
    dateline: re.Pattern[str]  # an agency marker and its dash (see `signals.find_dateline`)
    alias_exact: dict[str, Agency]  # lower-cased alias -> agency
    alias_search: re.Pattern[str]  # any alias as a whole word, as written or in capitals
    own_domains: dict[str, Agency]
    # Lower-cased exact-case alias -> the spellings that name the agency (as written, capitals).
    alias_spellings: dict[str, frozenset[str]] = field(default_factory=dict)
    # The numbers of each phrase's conditions, in `provenance` order (see `literals`).
    conditions: tuple[frozenset[int], ...] = ()

    def agency_named(self, name: str) -> Agency | None:
        """The agency `name` is an alias of, as `alias_exact` gives it, except that an
        exact-case alias counts only as written or in capitals: "AP" and "dpa" name agencies,
        "ap", "Ap" and "NaN" do not."""
        key = name.lower()
        agency = self.alias_exact.get(key)
        spellings = self.alias_spellings.get(key)
        return agency if agency is None or spellings is None or name in spellings else None

    def phrases(self, code: str) -> tuple[Phrase, ...]:
        """The phrases of one code, in table order."""
        return tuple(phrase for phrase in self.provenance if phrase.code == code)


class PatternError(ValueError):
    """A pattern table that cannot be read."""


def phrases_in(folded: str, patterns: Patterns) -> list[Phrase]:
    """The phrases (in table order) whose literals are all in `folded`, the `fold` of a text:
    the only ones whose pattern can match in that text or any part of it. (The text is read
    with a space at each end, where a literal's edge space may stand for whitespace that
    `fold` took off.)"""
    if not patterns.literals:
        return [phrase for phrase in patterns.provenance if not phrase.literals]
    met: set[int] = set().union(*{conditions for _, conditions in patterns.literals.iter(f" {folded} ")})
    return [phrase for phrase, needed in zip(patterns.provenance, patterns.conditions) if needed <= met]


def patterns_folder() -> Path:
    """The folder holding the pattern tables (package data)."""
    return Path(str(resources.files(__package__.rpartition(".")[0]).joinpath("patterns")))


def _rows(path: Path) -> Iterable[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if line.strip() and not line.startswith("#"))
        yield from csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)


def provenance_rows(folder: Path | None = None) -> list[dict[str, str]]:
    """The rows of provenance.tsv, as written (cells: code, language, pattern, literals,
    example; in an example `\\n` stands for a line break and `\\\\` for a backslash)."""
    return list(_rows((folder or patterns_folder()) / "provenance.tsv"))


def fold(text: str) -> str:
    """`text` lower-cased, with every run of whitespace as one space: what the prefilter of a
    `Phrase` looks into."""
    return " ".join(text.lower().split())


def _literals(cell: str, where: str) -> tuple[tuple[str, ...], ...]:
    try:
        entries = json.loads(cell)
    except ValueError as error:
        raise PatternError(f"{where}: the literals cell is not JSON ({error})") from None
    if not isinstance(entries, list) or not all(
        isinstance(entry, list) and entry and all(isinstance(item, str) and item for item in entry) for entry in entries
    ):
        raise PatternError(f"{where}: the literals cell must be a list of lists of strings")
    return tuple(tuple(entry) for entry in entries)


def compile_phrase(code: str, pattern: str, literals: tuple[tuple[str, ...], ...]) -> Phrase:
    """A case-insensitive pattern with the literals its matches need."""
    return Phrase(code, re.compile(pattern, re.IGNORECASE), literals)


def _alternation(parts: Iterable[str]) -> str:
    return "|".join(f"(?:{part})" for part in parts if part)


def trie_pattern(words: Iterable[str]) -> str:
    """One pattern matching any of `words`, longest first, as a trie ("A(?:FP|NSA|P)"):
    Python's `re` tries the alternatives of a flat alternation one by one at every
    position, a trie only the branches that fit."""
    trie: dict[str, dict[str, Any]] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, dict[str, Any]]) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(trie)


def _has_top_level_alternation(pattern: str) -> bool:
    """Whether `pattern` has a `|` outside every group and character class."""
    depth, in_class, escaped = 0, False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
    return False


def markers_pattern(markers: Iterable[str]) -> str:
    """An alternation of dateline markers, those opening with a parenthesis ("\\(AP\\)",
    "\\(dpa(?:/[a-z]{2,4})*\\)") under one shared "\\(": the parenthesis is then checked
    once per position instead of once per agency. A marker with an alternation at its top
    level ("\\(X\\)|Y") keeps its own parenthesis."""
    parenthesised, others = [], []
    for marker in filter(None, markers):
        if marker.startswith("\\(") and not _has_top_level_alternation(marker):
            parenthesised.append(marker[2:])
        else:
            others.append(marker)
    shared = [rf"\((?:{_alternation(parenthesised)})"] if parenthesised else []
    return _alternation(shared + others)


def _literal_automaton(provenance: tuple[Phrase, ...]) -> tuple[Any, tuple[frozenset[int], ...]]:
    """The automaton of `Patterns.literals` and the phrases' condition numbers."""
    met_by: dict[str, set[int]] = {}
    conditions = []
    number = 0
    for phrase in provenance:
        own = []
        for alternatives in phrase.literals:
            for literal in alternatives:
                met_by.setdefault(literal, set()).add(number)
            own.append(number)
            number += 1
        conditions.append(frozenset(own))
    if not met_by:
        return None, tuple(conditions)
    automaton = ahocorasick.Automaton()
    for literal, numbers in met_by.items():
        automaton.add_word(literal, frozenset(numbers))
    automaton.make_automaton()
    return automaton, tuple(conditions)


SHORT_ALIAS = 4  # aliases of up to this many characters are exact-case whatever the `case` cell


def exact_case_aliases(aliases: Iterable[str], case: str) -> tuple[str, ...]:
    """The aliases of an agencies.tsv row that match only as written or in capitals: all of
    them when the row's `case` cell is "exact", else those of at most `SHORT_ALIAS`
    characters ("AP", "dpa", "ČTK"; not "Reuters")."""
    if case not in ("", "exact"):
        raise PatternError(f"agencies.tsv: unknown case {case!r} (empty or 'exact')")
    return tuple(alias for alias in aliases if case == "exact" or len(alias) <= SHORT_ALIAS)


def _agency(row: dict[str, str]) -> Agency:
    aliases = tuple(a.strip() for a in row["aliases"].split("|") if a.strip())
    return Agency(
        name=row["agency"].strip(),
        aliases=aliases,
        dateline=row["dateline_regex"].strip(),
        own_domains=tuple(d.strip().lower() for d in row["own_domains"].split("|") if d.strip()),
        exact_case=exact_case_aliases(aliases, (row.get("case") or "").strip()),
    )


def _agencies(path: Path) -> tuple[Agency, ...]:
    return tuple(_agency(row) for row in _rows(path))


def load_patterns(folder: str | Path | None = None) -> Patterns:
    """Compile the tables in `folder` (default: `patterns_folder()`)."""
    base = Path(folder) if folder else patterns_folder()
    provenance = tuple(
        compile_phrase(row["code"].strip(), row["pattern"], _literals(row["literals"], f"provenance.tsv: {row['pattern'][:40]}"))
        for row in provenance_rows(base)
    )
    agencies = _agencies(base / "agencies.tsv")
    # An agency's dateline marker followed by a dash or colon ("(AP) —", "(dpa/lby) -");
    # `signals.find_dateline` checks that only a city (and date) stands before it.
    dateline = re.compile(rf"(?:{markers_pattern(agency.dateline for agency in agencies)})\s*[-–—:]")
    alias_exact = {alias.lower(): agency for agency in agencies for alias in agency.aliases}
    # Mentions are matched case-sensitively (as written, or in capitals): "Mehr" and "mehr"
    # are German words, "AP" is the agency and "ap" is not.
    spellings = {form for agency in agencies for alias in agency.aliases for form in (alias, alias.upper())}
    alias_search = re.compile(r"(?<!\w)" + trie_pattern(spellings) + r"(?!\w)")
    own_domains = {domain: agency for agency in agencies for domain in agency.own_domains}
    exact: dict[str, set[str]] = {}
    for agency in agencies:
        for alias in agency.exact_case:
            exact.setdefault(alias.lower(), set()).update((alias, alias.upper()))
    automaton, conditions = _literal_automaton(provenance)
    return Patterns(
        provenance,
        automaton,
        agencies,
        dateline,
        alias_exact,
        alias_search,
        own_domains,
        {alias: frozenset(forms) for alias, forms in exact.items()},
        conditions,
    )

"""`python -m training.pattern_literals [--write]`: the literals column of the provenance table.

Each phrase of `classifier/patterns/provenance.tsv` carries, in its `literals` cell, what every
match of its pattern contains (JSON: a list of conditions, each a list of alternatives, one of
which must be in the page's folded text). The page scorer reads the cell to skip phrases whose
literals are not on a page (one Aho-Corasick pass finds them all); it never parses regular
expressions itself. This tool derives the cells with Python's regular-expression parser (a
private module of the standard library, used here at development time only); a test checks
that the table's cells are what it derives.
"""

from __future__ import annotations

import argparse
import json
import re
import re._constants as _re_constants
import re._parser as _re_parser
import sys
from collections.abc import Sequence
from typing import Any

from classifier.scoring.patterns import patterns_folder

_LITERAL, _SUBPATTERN, _BRANCH = _re_constants.LITERAL, _re_constants.SUBPATTERN, _re_constants.BRANCH
_AT, _IN, _CATEGORY = _re_constants.AT, _re_constants.IN, _re_constants.CATEGORY
_ASSERT, _ASSERT_NOT = _re_constants.ASSERT, _re_constants.ASSERT_NOT
_MAX_REPEAT, _MIN_REPEAT = _re_constants.MAX_REPEAT, _re_constants.MIN_REPEAT
_CATEGORY_SPACE = _re_constants.CATEGORY_SPACE


def required_literals(pattern: str) -> tuple[tuple[str, ...], ...]:
    """What every match of `pattern` contains, read with the `re` parser, as lower-cased
    literals of 2 or more characters besides spaces (`fold`ed, but a space that the pattern
    requires at either end is kept: `phrases_in` pads the page's text with one). Each entry of
    the result is a tuple of alternatives, one of which every match contains; a text lacking an
    entry need not be searched.

    Runs of literal characters make the entries: a whitespace class or a literal space counts
    as one space, a class of a few characters as each of them ("[-–]"), and a zero-width
    assertion does not break a run. A group of literal alternatives continues the run in each
    of its forms ("(?:Press|PR) contact" needs "press contact" or "pr contact"); other
    alternatives give one literal each ("th(?:is|e)\\s+\\w" needs "this" or "the"). A group or a
    repetition (at least once) of anything continues the run before it with its own leading
    run, and its trailing run goes on into what follows ("(?:\\w+\\s+){1,5}via" needs " via")."""
    conditions: list[tuple[str, ...]] = []
    _walk(_re_parser.parse(pattern, re.IGNORECASE).data, conditions)
    unique = dict.fromkeys(conditions)
    return tuple(sorted(unique, key=lambda entry: -min(map(len, entry))))


_MAX_FORMS = 32  # spelled-out forms of one run, before alternatives stop extending it
_MAX_CLASS = 4  # characters of a class spelled out as alternatives


def _walk(items: Sequence[tuple[Any, Any]], out: list[tuple[str, ...]]) -> tuple[tuple[str, ...], bool, tuple[str, ...]]:
    """Append the conditions of a parsed sequence to `out`. Return the forms of its leading
    run, whether the sequence is all literal (its forms are then all it can match), and the
    forms of its trailing run (which what follows the sequence directly continues)."""
    runs: tuple[str, ...] = ("",)
    leading: tuple[str, ...] | None = None
    for op, argument in items:
        if op is _LITERAL and not chr(argument).isspace():
            runs = tuple(run + chr(argument) for run in runs)
            continue
        if _is_space(op, argument):  # one space in the folded text, however long the run
            runs = tuple(run if run.endswith(" ") else run + " " for run in runs)
            continue
        if _is_optional_space(op, argument) and 2 * len(runs) <= _MAX_FORMS:  # no space, or one
            runs = tuple(dict.fromkeys(form for run in runs for form in (run, run.rstrip(" ") + " ")))
            continue
        if op is _AT or op is _ASSERT or op is _ASSERT_NOT:
            continue  # zero-width: the characters around it are next to each other
        chars = _class_chars(op, argument)
        if chars and len(runs) * len(chars) <= _MAX_FORMS:
            runs = tuple(run + char for run in runs for char in chars)
            continue
        optional = _optional_forms(op, argument)
        if optional and len(runs) * (len(optional) + 1) <= _MAX_FORMS:
            runs = tuple(dict.fromkeys(run + form for run in runs for form in ("", *optional)))
            continue
        after: tuple[str, ...] = ("",)
        if op is _BRANCH or op is _SUBPATTERN:
            branches = []  # per alternative: its leading forms, whether all literal, its trailing forms, its conditions
            for branch in argument[1] if op is _BRANCH else [argument[3]]:
                inner: list[tuple[str, ...]] = []
                branches.append((*_walk(branch.data, inner), inner))
            if all(literal for _, literal, _, _ in branches) and len(runs) * sum(
                len(forms) for forms, _, _, _ in branches
            ) <= _MAX_FORMS:
                runs = tuple(run + form for run in runs for forms, _, _, _ in branches for form in forms)
                continue
            if op is _SUBPATTERN:
                forms, _, after, inner = branches[0]
                out.extend(inner)
                runs = _continued(runs, forms)
            else:
                # Each alternative's best condition: its leading run joined to ours, or its own.
                options: list[str] = []
                for forms, _, _, inner in branches:
                    joined = tuple(_fold_run(run + form) for run in runs for form in forms)
                    options.extend(max([joined, *inner], key=lambda entry: min(map(len, entry))))
                if all(_strong(option) for option in options):
                    out.append(_least(set(options)))
                after = tuple(dict.fromkeys(form for _, _, trailing, _ in branches for form in trailing))
        elif op in (_MAX_REPEAT, _MIN_REPEAT) and argument[0] >= 1:
            # At least once: the first time continues the run, the last one leads into what follows.
            inner = []
            forms, _, after = _walk(argument[2].data, inner)
            out.extend(inner)
            runs = _continued(runs, forms)
        if leading is None:
            leading = runs
        _keep(runs, out)
        runs = after if len(after) <= _MAX_FORMS else ("",)
    _keep(runs, out)
    return (runs, True, runs) if leading is None else (leading, False, runs)


def _continued(runs: tuple[str, ...], forms: tuple[str, ...]) -> tuple[str, ...]:
    """The runs continued by each of `forms`, or as they are where that makes too many."""
    return tuple(run + form for run in runs for form in forms) if len(runs) * len(forms) <= _MAX_FORMS else runs


def _class_chars(op: Any, argument: Any) -> tuple[str, ...] | None:
    """The characters of a class of at most `_MAX_CLASS` literal characters, none a space
    ("[-–—]"); None for any other item."""
    if op is not _IN or len(argument) > _MAX_CLASS:
        return None
    if not all(kind is _LITERAL and not chr(value).isspace() for kind, value in argument):
        return None
    return tuple(dict.fromkeys(chr(value) for _, value in argument))


def _optional_forms(op: Any, argument: Any) -> tuple[str, ...] | None:
    """The forms of an optional item that is all literal ("s?", "(?:the\\s+)?"); None for
    any other item."""
    if op not in (_MAX_REPEAT, _MIN_REPEAT) or argument[0] != 0 or argument[1] != 1:
        return None
    forms, literal, _ = _walk(argument[2].data, [])
    return forms if literal else None


def _fold_run(run: str) -> str:
    """A run lower-cased, each run of spaces as one; a space at either end is kept (it stands
    for whitespace the pattern requires there)."""
    return _SPACES.sub(" ", run.lower())


def _strong(literal: str) -> bool:
    """Whether a literal is worth looking for: 2 or more characters besides its edge spaces."""
    return len(literal.strip(" ")) >= 2


_SPACES = re.compile(" {2,}")


def _is_space(op: Any, argument: Any) -> bool:
    """Whether the parsed item matches only whitespace, at least one character of it
    (" ", `\\s`, `[ \\t]`, `\\s+`)."""
    if op is _LITERAL:
        return chr(argument).isspace()
    if op is _IN:
        return all(
            (kind is _LITERAL and chr(value).isspace()) or (kind is _CATEGORY and value is _CATEGORY_SPACE)
            for kind, value in argument
        )
    if op in (_MAX_REPEAT, _MIN_REPEAT):
        low, _, item = argument
        return low >= 1 and len(item.data) == 1 and _is_space(*item.data[0])
    return False


def _is_optional_space(op: Any, argument: Any) -> bool:
    """Whether the parsed item is a run of whitespace that may be empty (`\\s*`, `[ \\t]*`)."""
    if op in (_MAX_REPEAT, _MIN_REPEAT):
        low, _, item = argument
        return low == 0 and len(item.data) == 1 and _is_space(*item.data[0])
    return False


def _keep(runs: tuple[str, ...], out: list[tuple[str, ...]]) -> None:
    forms = _least({_fold_run(run) for run in runs})
    if all(_strong(form) for form in forms):
        out.append(forms)


def _least(alternatives: set[str]) -> tuple[str, ...]:
    """The alternatives that hold none of the others (a text holding "contacts" holds
    "contact"), sorted."""
    return tuple(sorted(a for a in alternatives if not any(b != a and b in a for b in alternatives)))



def literals_cell(pattern: str) -> str:
    """The `literals` cell of a phrase: `required_literals` as compact JSON."""
    return json.dumps([list(entry) for entry in required_literals(pattern)], ensure_ascii=False, separators=(",", ":"))


def rewritten_table(text: str) -> str:
    """The provenance table with every `literals` cell derived from its pattern."""
    lines = text.split("\n")
    header_seen = False
    out = []
    for line in lines:
        if not line.strip() or line.startswith("#"):
            out.append(line)
            continue
        cells = line.split("\t")
        if not header_seen:
            header_seen = True
            columns = cells
            out.append(line)
            continue
        row = dict(zip(columns, cells))
        row["literals"] = literals_cell(row["pattern"])
        out.append("\t".join(row[name] for name in columns))
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.pattern_literals", description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite the table's literals cells")
    args = parser.parse_args(argv)
    path = patterns_folder() / "provenance.tsv"
    text = path.read_text(encoding="utf-8")
    rewritten = rewritten_table(text)
    if args.write:
        path.write_text(rewritten, encoding="utf-8")
        print(f"wrote {path}")
        return 0
    if rewritten != text:
        print(f"{path}: literals cells are out of date: run python -m training.pattern_literals --write")
        return 1
    print(f"{path}: literals cells are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())

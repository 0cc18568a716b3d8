"""Page evidence of unreviewed auto-publication: pattern tables -> `Signal`s and a feature row.

Reads the page's labelled blocks (content or boilerplate, from the block model) and its
metadata, and finds what a reader would point at: the site's own provenance statement, an agency
dateline, byline, signature or copyright line attached to the story, press-release wire
boilerplate, chatbot strings, metadata that names another source (canonical URL, JSON-LD,
syndication meta tags), and counter-evidence (the agency's own site, "with inputs from
agencies", agency names only in photo credits). Each signal carries the snippet it was found in.

The phrases and agencies are data, not code: `data/patterns/provenance.tsv` and
`data/patterns/agencies.tsv` (installed as `classifier.patterns`), loaded once per process.
Each phrase is compiled with the literals every match of it contains (`required_literals`);
one Aho-Corasick pass over a page's folded text finds which literals are there, and only the
phrases that have all of theirs are searched with their regular expression.
"""

from __future__ import annotations

import csv
import math
import re
import re._constants as _re_constants  # the `re` parser: to find a pattern's required literal
import re._parser as _re_parser
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import Any

import ahocorasick

from .dom import IN_FIGURE, IN_FOOTER, IN_HEADER, IN_NAV, RawBlock
from .hosts import registered_domain
from .metadata import names_of

_LITERAL, _SUBPATTERN, _BRANCH = _re_constants.LITERAL, _re_constants.SUBPATTERN, _re_constants.BRANCH
_AT, _IN, _CATEGORY = _re_constants.AT, _re_constants.IN, _re_constants.CATEGORY
_MAX_REPEAT, _MIN_REPEAT = _re_constants.MAX_REPEAT, _re_constants.MIN_REPEAT
_CATEGORY_SPACE = _re_constants.CATEGORY_SPACE

EVIDENCE_CODES = (
    "disclaimer",
    "agency_dateline",
    "agency_byline",
    "agency_signature",
    "agency_copyright",
    "agency_author",
    "press_release",
    "machine_text",
    "cross_domain_canonical",
    "syndication_meta",
    "based_on_other_source",
    "same_text_on_N_domains",
)
COUNTER_EVIDENCE_CODES = (
    "agency_own_site",
    "with_agency_inputs",
    "agency_in_credit_only",
    "staff_byline",
    "datelined_teasers",
)
# Stable codes of `PageScore.reasons`: evidence (positive weights) and counter-evidence.
REASON_CODES = EVIDENCE_CODES + COUNTER_EVIDENCE_CODES
AGENCY_KINDS = ("agency_dateline", "agency_byline", "agency_signature", "agency_copyright", "agency_author")
# The scorer's features: every reason (the cross-crawl one as ln N), plus aggregates.
SIGNAL_NAMES = (
    *(code for code in EVIDENCE_CODES if code != "same_text_on_N_domains"),
    "agency_evidence",
    "log_dup_domains",
    *COUNTER_EVIDENCE_CODES,
    "press_release_weak",
    "agency_mentions",
    "content_share",
)
_LEAD_CHARS = 240
_SEGMENT_GAP = 4
_DATELINE_REACH = 120
_DATELINE_PARAGRAPHS = 25  # paragraphs read for datelines (several: a list of teasers)
_MENTION_REACH = 2_500
_CREDIT_HINT = re.compile(r"photo|image|picture|foto|bild|credit|getty|file|pic|scanpix|via |/")  # in lower case
_DATELINE_CITY = re.compile(r"[^\W\d_][^\n()]{0,60}?\s*")
_DATELINE_WORDS = 5  # "SANTA FE, N.M.", "WASHINGTON, Aug. 20": a city and a date, no sentence
_NOTE_CHARS = 600
_COPYRIGHT_LINE = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:\d{4}\s*)?(?:[-–,]\s*)?(?P<who>[^\n.;|]{2,60})", re.IGNORECASE
)
_EVIDENCE_CHARS = 200
_WIRE_MARKER_PATTERN = (
    r"/\s*PRNewswire|GLOBE\s+NEWSWIRE|\(\s*BUSINESS\s+WIRE\s*\)|EIN\s*Presswire|Media\s+OutReach"
    r"|ACCESS\s*WIRE|Newsfile\s+Corp|\(\s*PRWEB\s*\)|news\s+aktuell|OTS-ORIGINALTEXT"
)
_WITH_INPUTS_PATTERN = (
    r"with\s+(?:inputs?|input)\s+from\s+(?:agencies|news\s+agencies|\w+)"
    r"|additional\s+reporting\s+(?:by|from)\s+"
    r"|mit\s+Material\s+(?:von|der)\s+"
    r"|con\s+informaci[oó]n\s+de\s+"
)
_CREDIT_WORDS = re.compile(
    r"\b(?:photo|image|picture|foto|bild|credits?|getty|file|pic|scanpix)\b", re.IGNORECASE
)
_CREDIT = re.compile(_CREDIT_WORDS.pattern + r"|\bvia\s|/\s*(?:AP|AFP|Reuters|dpa|EPA)\b", re.IGNORECASE)
_EXPLICIT_SIGNATURE = re.compile(
    r"^\s*(?:\(?\s*(?:Quelle|Source|Fuente|Fonte|Bron|Kilde|Kaynak)\s*:|(?:by|von|par|por|di|af|av|door)\s)",
    re.IGNORECASE,
)
_BYLINE_PREFIX = re.compile(r"^\s*(?:by|von|par|por|di|af|av|door|de)\s+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Agency:
    name: str
    aliases: tuple[str, ...]
    dateline: str
    own_domains: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Phrase:
    """One row of provenance.tsv, compiled, with the literals every match must contain."""

    code: str
    pattern: re.Pattern[str]
    # What every match contains, lower-cased with whitespace runs as one space: each entry
    # is a set of alternatives, one of which must be in the text (see `required_literals`).
    literals: tuple[tuple[str, ...], ...]

    def possible(self, present: set[str] | str) -> bool:
        """Whether a text contains every literal a match needs; `present` is the text's `fold`,
        or the set of this phrase's literals found in it."""
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
    # Every literal of every phrase in one Aho-Corasick automaton, so that one pass over a
    # page finds the phrases worth searching (`phrases_in`).
    literals: Any  # ahocorasick.Automaton (literal -> literal), or None when there are none
    agencies: tuple[Agency, ...]
    dateline: re.Pattern[str]  # an agency marker and its dash (see `find_dateline`)
    alias_exact: dict[str, Agency]  # lower-cased alias -> agency
    alias_search: re.Pattern[str]  # any alias as a whole word (case-sensitive for short ones)
    own_domains: dict[str, Agency]


def phrases_in(folded: str, patterns: Patterns) -> list[Phrase]:
    """The phrases (in table order) whose literals are all in `folded`, the `fold` of a text:
    the only ones whose pattern can match in that text or any part of it."""
    present = {literal for _, literal in patterns.literals.iter(folded)} if patterns.literals else set()
    return [phrase for phrase in patterns.provenance if phrase.possible(present)]


@dataclass(frozen=True, slots=True)
class Signal:
    """One finding: a reason code, the text it was found in, and its strength (feature value)."""

    code: str
    evidence: str
    value: float = 1.0


def patterns_folder() -> Path:
    """The folder holding the pattern tables (installed package data, else the source tree)."""
    try:
        folder = resources.files("classifier.patterns")
        if folder.joinpath("provenance.tsv").is_file():
            return Path(str(folder))
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parent.parent / "data" / "patterns"


def _rows(path: Path) -> Iterable[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if line.strip() and not line.startswith("#"))
        yield from csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)


def fold(text: str) -> str:
    """`text` lower-cased, with every run of whitespace as one space: what the prefilter of a
    `Phrase` looks into."""
    return " ".join(text.lower().split())


def required_literals(pattern: str) -> tuple[tuple[str, ...], ...]:
    """What every match of `pattern` contains, read with the `re` parser, as `fold`ed
    literals of 2 or more characters. Each entry of the result is a tuple of alternatives,
    one of which every match contains; a text lacking an entry need not be searched.

    Runs of literal characters make the entries: a whitespace class or a literal space counts
    as one space and a zero-width assertion does not break a run. A group of literal
    alternatives continues the run in each of its forms ("(?:Press|PR) contact" needs "press
    contact" or "pr contact"); other alternatives give one literal each ("th(?:is|e)\\s+\\w"
    needs "this" or "the")."""
    conditions: list[tuple[str, ...]] = []
    _walk(_re_parser.parse(pattern, re.IGNORECASE).data, conditions)
    unique = dict.fromkeys(conditions)
    return tuple(sorted(unique, key=lambda entry: -min(map(len, entry))))


_MAX_FORMS = 32  # spelled-out forms of one run, before alternatives stop extending it


def _walk(items: Sequence[tuple[Any, Any]], out: list[tuple[str, ...]]) -> tuple[tuple[str, ...], bool]:
    """Append the conditions of a parsed sequence to `out`. Return the forms of its leading
    run, and whether the sequence is all literal (its forms are then all it can match)."""
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
        if op is _AT:
            continue
        if op is _BRANCH or op is _SUBPATTERN:
            branches = []  # per alternative: its leading forms, whether all literal, its conditions
            for branch in argument[1] if op is _BRANCH else [argument[3]]:
                inner: list[tuple[str, ...]] = []
                branches.append((*_walk(branch.data, inner), inner))
            if all(literal for _, literal, _ in branches) and len(runs) * sum(
                len(forms) for forms, _, _ in branches
            ) <= _MAX_FORMS:
                runs = tuple(run + form for run in runs for forms, _, _ in branches for form in forms)
                continue
            if op is _SUBPATTERN:
                out.extend(branches[0][2])
            else:
                # Each alternative's best condition: its leading run joined to ours, or its own.
                options: list[str] = []
                for forms, _, inner in branches:
                    joined = tuple(fold(run + form) for run in runs for form in forms)
                    options.extend(max([joined, *inner], key=lambda entry: min(map(len, entry))))
                if all(len(option) >= 2 for option in options):
                    out.append(tuple(sorted(set(options))))
        if leading is None:
            leading = runs
        _keep(runs, out)
        runs = ("",)
    _keep(runs, out)
    return (runs, True) if leading is None else (leading, False)


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
    forms = tuple(sorted({fold(run) for run in runs}))
    if all(len(form) >= 2 for form in forms):
        out.append(forms)


def compile_phrase(code: str, pattern: str) -> Phrase:
    """A case-insensitive pattern with the literals its matches need."""
    return Phrase(code, re.compile(pattern, re.IGNORECASE), required_literals(pattern))


# Searched in a part of the page only where the page's folded text has their literals.
_WIRE_MARKER = compile_phrase("press_release", _WIRE_MARKER_PATTERN)
_WITH_INPUTS = compile_phrase("with_agency_inputs", _WITH_INPUTS_PATTERN)


def _alternation(parts: Iterable[str]) -> str:
    return "|".join(f"(?:{part})" for part in parts if part)


def _trie_pattern(words: Iterable[str]) -> str:
    """One pattern matching any of `words`, longest first, as a trie ("A(?:FP|NSA|P)"):
    Python's `re` tries the alternatives of a flat alternation one by one at every
    position, a trie only the branches that fit."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, dict]) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(trie)


def _markers_pattern(markers: Iterable[str]) -> str:
    """An alternation of dateline markers, those opening with a parenthesis ("\\(AP\\)",
    "\\(dpa(?:/[a-z]{2,4})*\\)") under one shared "\\(": the parenthesis is then checked
    once per position instead of once per agency."""
    parenthesised, others = [], []
    for marker in filter(None, markers):
        rest = marker[2:]
        # The same pattern with its parenthesis taken out (not so for "\\(X\\)|Y").
        if marker.startswith("\\(") and _parsed(marker) == _parsed(rf"\((?:{rest})"):
            parenthesised.append(rest)
        else:
            others.append(marker)
    shared = [rf"\((?:{_alternation(parenthesised)})"] if parenthesised else []
    return _alternation(shared + others)


def _parsed(pattern: str) -> str:
    return repr(_re_parser.parse(pattern).data)


@cache
def load_patterns(folder: str | None = None) -> Patterns:
    """Compile the tables in `folder` (default: `patterns_folder()`); cached per folder."""
    base = Path(folder) if folder else patterns_folder()
    provenance = tuple(compile_phrase(row["code"].strip(), row["pattern"]) for row in _rows(base / "provenance.tsv"))
    literals = None
    if any(phrase.literals for phrase in provenance):
        literals = ahocorasick.Automaton()
        for phrase in provenance:
            for alternatives in phrase.literals:
                for literal in alternatives:
                    literals.add_word(literal, literal)
        literals.make_automaton()
    agencies = tuple(
        Agency(
            name=row["agency"].strip(),
            aliases=tuple(a.strip() for a in row["aliases"].split("|") if a.strip()),
            dateline=row["dateline_regex"].strip(),
            own_domains=tuple(d.strip().lower() for d in row["own_domains"].split("|") if d.strip()),
        )
        for row in _rows(base / "agencies.tsv")
    )
    # An agency's dateline marker followed by a dash or colon ("(AP) —", "(dpa/lby) -");
    # `find_dateline` checks that only a city (and date) stands before it.
    dateline = re.compile(rf"(?:{_markers_pattern(agency.dateline for agency in agencies)})\s*[-–—:]")
    alias_exact = {alias.lower(): agency for agency in agencies for alias in agency.aliases}
    # Mentions are matched case-sensitively (as written, or in capitals): "Mehr" and "mehr"
    # are German words, "AP" is the agency and "ap" is not.
    spellings = {form for agency in agencies for alias in agency.aliases for form in (alias, alias.upper())}
    alias_search = re.compile(r"(?<!\w)" + _trie_pattern(spellings) + r"(?!\w)")
    own_domains = {domain: agency for agency in agencies for domain in agency.own_domains}
    return Patterns(provenance, literals, agencies, dateline, alias_exact, alias_search, own_domains)


def find_dateline(text: str, patterns: Patterns) -> re.Match[str] | None:
    """An agency dateline opening `text`: "INDIANAPOLIS (AP) —", "WASHINGTON, Aug. 20
    (Yonhap) --", "(ANSA) - ROMA": the marker within the first characters, with nothing
    but a city and date before it. (Searching for the marker first keeps it fast: most
    positions cannot start a marker.)"""
    match = patterns.dateline.search(text, 0, _DATELINE_REACH)
    if match is None or match.start() == 0:
        return match
    prefix = text[: match.start()]
    if len(prefix.split()) > _DATELINE_WORDS or not _DATELINE_CITY.fullmatch(prefix):
        return None
    return match


def _snippet(text: str, start: int = 0, end: int | None = None) -> str:
    end = len(text) if end is None else end
    left = max(0, start - 60)
    right = min(len(text), max(end, start) + 100)
    snippet = text[left:right].strip()
    return snippet[:_EVIDENCE_CHARS]


def _is_chrome(block: RawBlock) -> bool:
    return bool(block.flags & (IN_NAV | IN_FOOTER | IN_HEADER))


def _agency_in(text: str, patterns: Patterns) -> Agency | None:
    match = patterns.alias_search.search(text)
    return patterns.alias_exact.get(match.group(0).lower()) if match else None


def _only_agencies(text: str, patterns: Patterns) -> Agency | None:
    """The agency when every "/"-separated part of `text` is one ("APA/sda/dpa"); None for
    a credit or a shared byline that names someone else too ("dpa/Spektrum", "AFP/The Local")."""
    parts = [part.strip(" .,;:()") for part in re.split(r"\s*/\s*", text.strip())]
    agencies = [patterns.alias_exact.get(part.lower()) for part in parts if part]
    return agencies[0] if agencies and all(agencies) else None


def _byline_agency(text: str, patterns: Patterns, *, bare_short: bool = True) -> Agency | None:
    """An agency named as the author of a short byline ("By Associated Press", "Reuters",
    "PTI, Washington, Nov 20", "Reuters March 16, 2020", "Gary B. Graves, AP Sports Writer",
    "Af Ritzau")."""
    prefixed = bool(_BYLINE_PREFIX.match(text))
    head = _BYLINE_PREFIX.sub("", text.strip())
    head = re.split(r"[|•·\n]|\s[-–—]\s", head, maxsplit=1)[0].strip(" ,.-–—")
    if "/" in head:
        return _only_agencies(head, patterns)
    agency = patterns.alias_exact.get(head.lower())
    if agency:
        # A bare two-letter block ("AA", "AP") is as often a font-size button as a byline.
        return agency if prefixed or bare_short or len(head) > 2 else None
    # An alias at the start, followed by nothing a name would continue with.
    match = re.match(
        r"(?P<alias>[^\W\d_][\w.&' -]{0,40}?)"
        r"(?:\s*(?:[,;/|–—-]|\(|$)|\s+(?:in|aus|en|a|staff|\d|"
        r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b))",
        head,
    )
    if match:
        agency = patterns.alias_exact.get(match.group("alias").strip().lower())
        if agency:
            return agency
    writer = re.search(
        r",\s*(\w[\w-]*)\s+(?:[A-Z]\w+\s+){0,2}(?:Writer|Correspondent|Reporter)\b", head
    )
    if writer:
        return patterns.alias_exact.get(writer.group(1).lower())
    return None


def _signature_agency(text: str, patterns: Patterns) -> tuple[Agency, str] | None:
    """An agency signing off the story: "— AFP", "(ANSA).", "PTI", "(Quelle: APA/sda/dpa)"."""
    tail = text.strip()[-80:]
    if _CREDIT_WORDS.search(tail):
        return None
    if len(tail) <= 40 and _BYLINE_PREFIX.match(tail) and (agency := _byline_agency(tail, patterns)):
        return agency, tail  # "Af Ritzau", "By Reuters" closing the story
    match = re.search(
        r"(?:^|[\s(—–-])\(?(?:(?:Quelle|Source|Fuente|Fonte|Bron|Kilde|Kaynak)\s*:\s*)?"
        r"([\w/ .-]{2,40}?)\)?\s*\.?\s*$",
        tail,
    )
    if not match:
        return None
    preceding = tail[: match.start(1)]
    if not re.search(r"(?:[—–-]|\(|:)\s*\(?$|^\s*\(?$|[.!?\"”]\s*\(?$", preceding):
        return None
    # "APA/sda/dpa" is a signature; "Nathan Ellgren/AP" or "Reuters/Corbis" is a photo credit.
    parts = re.split(r"\s*/\s*", match.group(1).strip(" ./"))
    agencies = [patterns.alias_exact.get(part.lower()) for part in parts]
    if not all(agencies):
        return None
    part, agency = parts[0], agencies[0]
    if part.isupper() or len(part) > 3 or part.lower() in ("dpa", "sda", "ats", "epd"):
        return agency, tail
    return None


def _is_credit(text: str) -> bool:
    return bool(_CREDIT_HINT.search(text.lower()) and _CREDIT.search(text))


def main_segment(blocks: Sequence[RawBlock], is_content: Sequence[bool]) -> tuple[int, int]:
    """First and last block of the page's main run of content: consecutive content blocks
    (gaps of up to `_SEGMENT_GAP` others allowed) with the most text. Robust to a stray
    content block elsewhere (a cookie notice, a teaser)."""
    best, best_chars = (0, len(blocks) - 1), -1
    start = previous = -1
    chars = 0
    for i, keep in enumerate(is_content):
        if not keep:
            continue
        if start < 0 or i - previous > _SEGMENT_GAP + 1:
            start, chars = i, 0
        chars += len(blocks[i].text)
        previous = i
        if chars > best_chars:
            best, best_chars = (start, i), chars
    if best_chars < 0 and blocks:
        longest = max(range(len(blocks)), key=lambda i: len(blocks[i].text))
        return longest, longest
    return best


def find_signals(
    blocks: Sequence[RawBlock],
    is_content: Sequence[bool],
    *,
    meta: dict[str, str],
    canonical: str,
    json_ld: list[dict[str, Any]],
    url: str | None,
    patterns: Patterns | None = None,
) -> list[Signal]:
    """Every piece of evidence on the page (see the module docstring)."""
    patterns = patterns or load_patterns()
    signals: list[Signal] = []
    if not blocks:
        return signals
    first, last = main_segment(blocks, is_content)
    story = [i for i in range(first, last + 1) if is_content[i] or first == last]
    # News stories start under their headline: the first <h1> outside page chrome anchors the
    # lead (dateline, byline) even where the content labels start too late or too early.
    anchor = next(
        (i for i, b in enumerate(blocks) if b.tag == "h1" and not _is_chrome(b)), first
    )
    lead_start = min(anchor, first)
    story_text = "\n".join(blocks[i].text for i in story)
    # The story and what sits right around it: bylines above, signatures and notes below.
    around = [
        i for i in range(max(0, first - 10), min(len(blocks), last + 7)) if not _is_chrome(blocks[i])
    ]
    around_text = "\n".join(blocks[i].text for i in around)
    page_domain = registered_domain(url) if url else ""
    own_site = patterns.own_domains.get(page_domain) if page_domain else None

    # One pass over the whole page finds the phrases that can occur; each is then searched in
    # its own part of the page: provenance notes are short paragraphs of their own anywhere
    # outside the page chrome, machine text is in the story.
    page_folded = fold("\n".join(block.text for block in blocks))
    phrases = phrases_in(page_folded, patterns)
    notes_text = (
        "\n".join(block.text for block in blocks if len(block.text) <= _NOTE_CHARS and not _is_chrome(block))
        if any(phrase.code == "disclaimer" for phrase in phrases)
        else ""
    )
    for phrase in phrases:
        if phrase.code in ("disclaimer", "machine_text"):
            source = notes_text if phrase.code == "disclaimer" else story_text
            match = phrase.pattern.search(source)
            if match:
                signals.append(Signal(phrase.code, _snippet(source, match.start(), match.end())))

    agency_signals: list[Signal] = []
    # A dateline at the start of one of the story's first paragraphs.
    paragraphs = islice(
        (
            i
            for i in range(lead_start, len(blocks))
            if len(blocks[i].text) >= 60
            and blocks[i].tag not in ("li", "td")
            and not _is_chrome(blocks[i])
            and blocks[i].link_chars < 0.5 * len(blocks[i].text)
        ),
        _DATELINE_PARAGRAPHS,
    )
    datelines = [
        (rank, blocks[i].text, match)
        for rank, i in enumerate(paragraphs)
        if (match := find_dateline(blocks[i].text, patterns))
    ]
    if datelines and datelines[0][0] < 6:
        _, text, match = datelines[0]
        agency_signals.append(Signal("agency_dateline", _snippet(text, match.start(), match.end())))
    # Several datelined paragraphs: a list of teasers (a topic page), not one story, and
    # its first dateline is not the story's.
    datelined = len(datelines)
    if datelined >= 2:
        agency_signals = [s for s in agency_signals if s.code != "agency_dateline"]
        signals.append(Signal("datelined_teasers", f"{datelined} paragraphs start with a dateline", float(datelined)))
    # A byline: a short block just above or at the top of the story that names an agency.
    for i in range(max(0, lead_start - 3), min(len(blocks), max(first, anchor) + 6)):
        block = blocks[i]
        if len(block.text) <= 90 and not _is_chrome(block) and not block.flags & IN_FIGURE:
            agency = _byline_agency(block.text, patterns, bare_short=False)
            if agency:
                agency_signals.append(Signal("agency_byline", f"{block.text.strip()[:120]} ({agency.name})"))
                break
    # A signature closing the story, or an agency's copyright line attached to it.
    closing = [j for j in around if j >= last - 3][:10]
    explicit = [j for j in story if len(blocks[j].text) <= 40 and _EXPLICIT_SIGNATURE.match(blocks[j].text)]
    for i in closing + explicit:
        if blocks[i].flags & IN_FIGURE:
            continue
        found = _signature_agency(blocks[i].text, patterns)
        if found:
            agency_signals.append(Signal("agency_signature", f"{found[1].strip()} ({found[0].name})"))
            break
    for match in _COPYRIGHT_LINE.finditer(around_text):
        holder = match.group("who").strip()
        agency = _only_agencies(holder, patterns) if "/" in holder else _agency_in(holder, patterns)
        if agency:
            agency_signals.append(
                Signal("agency_copyright", _snippet(around_text, match.start(), match.end()))
            )
            break
    # Authors in metadata.
    authors = [meta.get("author", ""), meta.get("article:author", "")]
    for obj in json_ld:
        authors.extend(names_of(obj.get("author")))
    human = None
    for name in authors:
        agency = _byline_agency(name, patterns) if name else None
        if agency:
            agency_signals.append(Signal("agency_author", f"author: {name[:80]} ({agency.name})"))
            break
        if name and human is None and not name.startswith("http") and not _agency_in(name, patterns):
            human = name
    else:
        if human:
            signals.append(Signal("staff_byline", f"author: {human[:80]}"))
    mentions = list(patterns.alias_search.finditer(story_text, 0, _MENTION_REACH))
    if mentions:
        agency_signals.append(Signal("agency_mentions", mentions[0].group(0), math.log1p(len(mentions))))
    if own_site:
        # An agency's own marks on its own site are not evidence of republication.
        signals.append(Signal("agency_own_site", f"{page_domain} ({own_site.name})"))
    else:
        signals.extend(agency_signals)

    # Press-release wires (strong) and press-release boilerplate (weak, counted).
    wire = _WIRE_MARKER.pattern.search(story_text) if _WIRE_MARKER.possible(page_folded) else None
    if wire:
        signals.append(Signal("press_release", _snippet(story_text, wire.start(), wire.end())))
    weak = [m for phrase in phrases if phrase.code == "press_release" and (m := phrase.pattern.search(around_text))]
    if weak:
        signals.append(
            Signal("press_release_weak", _snippet(around_text, weak[0].start(), weak[0].end()), float(len(weak)))
        )

    # Metadata that names another source.
    if url and canonical.startswith(("http://", "https://")):
        canonical_domain = registered_domain(canonical)
        if canonical_domain and page_domain and canonical_domain != page_domain:
            signals.append(Signal("cross_domain_canonical", f"canonical: {canonical[:150]}"))
    for key in ("syndication-source", "original-source"):
        value = meta.get(key, "")
        if value.startswith(("http://", "https://")) and registered_domain(value) != page_domain:
            signals.append(Signal("syndication_meta", f'<meta name="{key}" content="{value[:120]}">'))
            break
    for obj in json_ld:
        for key in ("isBasedOn", "sourceOrganization", "isBasedOnUrl"):
            value = obj.get(key)
            names = [str(n) for n in names_of(value)] if value else []
            if isinstance(value, dict) and not names and isinstance(value.get("url"), str):
                names = [value["url"]]
            others = [n for n in names if not page_domain or registered_domain(n) != page_domain]
            if others and not own_site:
                signals.append(Signal("based_on_other_source", f"{key}: {', '.join(others)[:120]}"))
                break

    # Counter-evidence.
    inputs = _WITH_INPUTS.pattern.search(around_text) if _WITH_INPUTS.possible(page_folded) else None
    if inputs:
        signals.append(Signal("with_agency_inputs", _snippet(around_text, inputs.start(), inputs.end())))
    if not mentions:
        credited = [
            block.text
            for block in blocks
            if (block.flags & IN_FIGURE or (len(block.text) <= 200 and _is_credit(block.text)))
            and patterns.alias_search.search(block.text)
        ]
        if credited:
            signals.append(Signal("agency_in_credit_only", credited[0][:120]))
    return signals


def signal_vector(signals: Iterable[Signal], *, content_share: float, dup_domains: int = 0) -> list[float]:
    """The scorer's feature row (`SIGNAL_NAMES`) from the page's signals."""
    values = dict.fromkeys(SIGNAL_NAMES, 0.0)
    for signal in signals:
        if signal.code in values:
            values[signal.code] = max(values[signal.code], signal.value)
    values["agency_evidence"] = float(sum(values[kind] > 0 for kind in AGENCY_KINDS))
    values["log_dup_domains"] = math.log(dup_domains) if dup_domains >= 2 else 0.0
    values["content_share"] = content_share
    return [values[name] for name in SIGNAL_NAMES]

"""Attribution lines: the grammar of the lines in which a page names the agency its text comes from.

This module owns the reading of single lines and short blocks that attribute a story to a news
agency or wire, and of the lines that name an agency without being evidence of agency copy:

- bylines: "By Jane Doe, Reuters", "Gary B. Graves, AP Sports Writer", "Af Ritzau", "By JANE DOE AP",
  "Associated Press November 19, 2019, 9:02 AM", "By JANE DOE" over "(AP)";
- datelines: "SANTA FE, N.M. (AP) —", "( Reuters )-", "Madrid, 1 may (EFE).-", "(ANSA) - ROMA",
  "BERLIN (Tagesspiegel / dpa - 12. März) -", "MOSCOW, May 1. /TASS/.", a marker closing a
  city or date line ("New Delhi, Nov 20 (IANS)"), "CNN via Reuters -";
- sign-offs: "— AFP", "--IANS", "(ANSA).", "PTI", "(Quelle: APA/sda/dpa)", and Reuters' credits
  "(Reporting by Jane Doe; Editing by John Smith)";
- copyright and licence lines: "© 2019 The Associated Press", "may not be published, broadcast,
  rewritten or redistributed";
- story IDs: "dpa:201227-99-123456/3", "AP-US--Trump-Impeachment, 4th Ld-Writethru";
- counter-evidence: photo, table and teaser credits ("Joshua Roberts/Reuters", "Credit: EPA",
  "[File: Reuters]") and "(With inputs from PTI)".

The grammar is made of small parts (agency reference, person name, separator, role, label
prefix in several languages, date and time, city) composed into one regular expression per form
of line. `Grammar.of(patterns)` compiles them once from the agency table; its `parse_*` and
`find_*` methods each return an `Attribution` (kind, agency, span, form) or None. Agency names
of two to four letters ("AP", "NAN", "dpa") count only as written in the table or in capitals.

Every reader looks at a bounded part of its text (the first lines, the last line, the end of a
caption), so it costs tens of microseconds on a typical line and under a millisecond on any
input; `find_copyright` and `find_story_ids` scan the whole text in linear time. No pattern
nests unbounded quantifiers or lets two unbounded runs in a row split the same characters
between them (tests/classifier/scoring/test_attribution.py times 100 KB of repeated units).
Where a line sits on the page (under a photo, closing the story, in the metadata) and what it
is worth are the caller's business (`signals`): the same words "Quelle: dpa" are a sign-off
under a story and a credit under a teaser image, so both readers accept them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from .patterns import Agency, Patterns, markers_pattern, trie_pattern

KINDS = ("byline", "dateline", "signoff", "copyright", "licence", "credit", "story_id", "via", "with_inputs")


@dataclass(frozen=True, slots=True)
class Attribution:
    """One attribution line found in a text.

    `kind` is one of `KINDS`; `agency` the agency named (None for a licence line or a "with
    inputs from agencies" note that names none); `start`/`end` the span of the evidence in the
    text given; `form` a short stable name of the form that matched; `exact_case` whether the
    agency was written as in the table or in capitals."""

    kind: str
    agency: Agency | None
    start: int
    end: int
    form: str
    exact_case: bool
    person: str | None = None
    role: str | None = None


# ---------------------------------------------------------------------------------------------
# Parts that do not depend on the agency table.


def _char_class(predicate: Callable[[str], bool], blocks: Iterable[tuple[int, int]]) -> str:
    """A character class of the characters of `blocks` (code point ranges) that satisfy
    `predicate`, as ranges: Python's `re` has no Unicode property classes."""
    ranges: list[tuple[int, int]] = []
    for low, high in blocks:
        start = None
        for code in range(low, high + 2):
            inside = code <= high and predicate(chr(code))
            if inside and start is None:
                start = code
            elif not inside and start is not None:
                ranges.append((start, code - 1))
                start = None
    body = "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges)
    return f"[{body}]"


def _words(text: str) -> list[str]:
    return text.split()


def _any_case(words: Iterable[str]) -> str:
    """Any of `words`, longest first, in any case."""
    return f"(?i:{trie_pattern({word.lower() for word in words})})"


_S = r"[^\S\n]"  # a space within a line
_LETTER = r"[^\W\d_]"
# Capitals of Latin, Greek and Cyrillic (Latin Extended-A, whose cases alternate, whole).
_UPPER = _char_class(lambda c: c.isupper() or "\u0100" <= c <= "\u017f", [(0x41, 0x5A), (0xC0, 0x17F), (0x391, 0x3A9), (0x400, 0x42F)])

_MONTH_WORDS = _words(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre ene ago dic "
    "janeiro fevereiro março maio junho julho setembro outubro novembro dezembro fev mai set out dez "
    "gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre gen mag giu lug ott "
    "janvier février mars avril juin juillet août septembre octobre décembre janv févr avr juil déc "
    "januar jänner februar märz juni juli oktober dezember mrz okt januari februari maart mei augustus "
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"
)
_WEEKDAY_WORDS = _words("monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun")
_MONTH = rf"{_any_case(_MONTH_WORDS)}\.?(?!{_LETTER})"
_WEEKDAY = rf"{_any_case(_WEEKDAY_WORDS)}\.?(?!{_LETTER})"
_DAY = r"\d{1,2}(?:st|nd|rd|th|\.|º)?"
_YEAR = r"(?:19|20)\d\d(?!\d)"
# "Aug. 20", "Dec 20, 2025", "1 may", "28 LUG", "1st May, 2024", "12. März", "Monday, Nov. 18",
# "20.11.2019", "2019", and a bare day ("MADRID, 1 (EUROPA PRESS)").
_DATE = (
    rf"(?:{_WEEKDAY},?{_S}{{1,2}})?"
    rf"(?:(?:{_DAY}{_S}{{0,2}}(?:de{_S})?)?{_MONTH}(?:{_S}{{0,2}}{_DAY})?(?:{_S}?,?{_S}{{0,2}}(?:de{_S})?{_YEAR})?"
    rf"|\d{{1,2}}[./-]\d{{1,2}}(?:[./-]\d{{2,4}})?(?!\d)"
    rf"|{_YEAR}|\d{{1,2}}(?!\d))"
)
_TIME = rf"\d{{1,2}}[:.]\d\d(?:{_S}?[AaPp]\.?[Mm]\.?)?(?:{_S}[A-Z]{{2,4}}(?!\w))?"
_DATETIME = (
    rf"(?:{_any_case(['updated', 'last updated', 'published', 'posted', 'on'])}{_S}?:?{_S}{{0,2}})?"
    rf"(?:{_DATE}(?:{_S}?,?{_S}{{0,2}}(?:at{_S})?{_TIME})?|{_TIME})"
)

# A city ("SANTA FE", "Frankfurt/Main", "Rio de Janeiro"), then states or countries
# (", N.M.", " [China]"): the place of a dateline or after a byline.
_CITY_WORD = rf"{_UPPER}[\w'’.&-]{{0,30}}"
_CITY_PARTICLE = r"(?:de|del|la|le|les|am|an|der|sur|upon|on|da|do|dos|das|di|al|el|en)"
_CITY = rf"{_CITY_WORD}(?:(?:{_S}{{1,2}}|{_S}?/{_S}?)(?:{_CITY_PARTICLE}{_S})?{_CITY_WORD}){{0,2}}"
_REGION = rf"(?:{_S}?\[[^\]\n]{{1,30}}\])?"
_PLACE = rf"{_CITY}{_REGION}(?:{_S}?,{_S}{{0,2}}{_CITY}{_REGION}){{0,2}}"
# What may stand before a dateline marker: a place and a date, or a date.
_DATELINE_PREFIX = rf"{_S}*(?:{_PLACE}(?:{_S}?[,.]?{_S}{{0,3}}{_DATETIME})?|{_DATETIME}){_S}?[,.]?{_S}*"
# What follows a dateline marker: "-", "--", "–", "—", ":", ".-", or a full stop.
_DASH = rf"(?:{_S}{{0,3}}(?:\.{_S}?)?(?:--?|[–—:])|\.(?=\s|$))"

_ROLE_HEADS = _words(
    "writer writers correspondent correspondents reporter reporters editor editors columnist staff journalist "
    "photographer producer critic analyst contributor correspondant correspondante corresponsal correspondente "
    "corrispondente korrespondent korrespondentin redakteur redakteurin reporterin redaktion redazione redacción"
)
# "Sports Writer", "National Security Writer", "Chief Political Correspondent", "Staff".
_ROLE = rf"(?:(?:{_UPPER}[\w&'’.-]{{0,20}}|and|of|for|&){_S}{{1,2}}){{0,4}}{_any_case(_ROLE_HEADS)}(?!\w)"

_BYLINE_LABELS = [
    "by", "written by", "posted by", "reported by", "published by", "story by", "text by", "words by",
    "article from", "from", "von", "par", "por", "di", "af", "av", "door", "de", "da", "od",
    "text", "texte", "texto", "tekst", "author", "autor", "autorin", "auteur", "autore",
]  # fmt: skip
_SOURCE_LABELS = _words("source sources quelle quellen fuente fonte bron kilde källa lähde kaynak izvor źródło zdroj forrás")
_SOURCE = rf"{_any_case(_SOURCE_LABELS)}{_S}?:{_S}{{0,2}}"
# "By ", "Von ", "Par ", "Article from: ", and "Quelle: " (a source label needs its colon).
_LABEL = rf"(?P<label>{_any_case(_BYLINE_LABELS)}(?:{_S}?:{_S}{{0,2}}|{_S}{{1,2}})|{_SOURCE})"

# A person's name: one to four capitalised words or initials ("Gary B. Graves", "JANE DOE",
# "O'Brien", "Ludwig van Beethoven"), and up to three such names joined by "and", "&", ",".
_NAME_WORD = rf"{_UPPER}(?:(?:\.{_UPPER}){{1,2}}\.?|{_LETTER}{{0,20}}(?:['’-]{_LETTER}{{1,20}}){{0,2}}\.?)"
_NAME_PARTICLE = r"(?:van|von|der|den|de|del|della|di|da|du|la|le|dos|das|do|bin|ibn|al|el|ter|ten|zu|y)"
_NAME = rf"{_NAME_WORD}(?:{_S}{{1,2}}(?:{_NAME_PARTICLE}{_S}){{0,2}}{_NAME_WORD}){{0,3}}"
_NAME_JOIN = rf"(?:{_S}?,{_S}{{1,2}}|{_S}{{1,2}}(?:&|and|und|y|et|e|og|och|en){_S}{{1,2}})"
# Up to eight words (names of up to four words, up to three names), as few as will do: in
# "Jane Doe The Associated Press" the name is "Jane Doe".
_NAMES = rf"(?P<person>{_NAME_WORD}(?:(?:{_S}{{1,2}}(?:{_NAME_PARTICLE}{_S}){{0,2}}|{_NAME_JOIN}){_NAME_WORD}){{0,7}}?)"
# Between a name and its agency: ", ", " - ", " – ", " — ", " / ", "/", " | ", ", for ".
_SEP = rf"(?P<sep>{_S}?(?:,|--|[-–—|/]){_S}{{0,2}}(?:(?i:for){_S}{{1,2}})?|{_S}{{1,2}}(?i:for){_S}{{1,2}})"
_PLACE_WORDS = ["in", "aus", "en", "à", "a", "em", "da", "från", "fra"]
# After the evidence: punctuation, then anything after a bar ("| Updated ...", "• 3 min read").
_TRAILER = r"[\s,.;:–—-]*(?:[|•·][^\n]*)?"

_CREDIT_LABEL = _any_case(
    _words(
        "photo photos photograph photographs photographer foto fotos fotografie fotografía bild bilder image images "
        "picture pictures pic pics credit credits crédit crédits crédito illustration grafik graphic video abb."
    )
)
_CREDIT_AFTER = _any_case(_words("photo photos foto fotos pic pics image images file pool graphic grafik video"))
# Credit words at a word's start ("Photographer", "Getty" but not "European Pressphoto Agency").
_CREDIT_NEAR = re.compile(
    r"(?<!\w)(?i:photo|foto|bild|image|picture|pics?\b|credit|getty|file\b|scanpix|shutterstock|imago|pool\b|illustration)"
)

_COPY = r"(?:©|\((?i:c)\)|(?i:copyright|copr\.))"
_COPY_SIGN = re.compile(_COPY)
# A copyright holder that goes on into a company's name is another company: "Nexstar Media
# Inc.", "Dow Jones & Company" (but "Reuters Limited" is Reuters).
_LONGER_NAME = re.compile(
    rf"{_S}{{0,2}}&|(?:{_S}{{1,2}}{_UPPER}[\w.-]{{0,20}}){{1,2}},?{_S}{{1,2}}"
    r"(?:Inc|LLC|Ltd|Limited|Co|Company|Corp|Corporation|GmbH|AG|plc|S\.A|SpA|Group)\b"
)
_LICENCE = re.compile(
    r"(?i:may\s{1,3}not\s{1,3}be\s{1,3}(?:re)?published,?\s{1,3}broadcast,?\s{1,3}rewritten,?\s{1,3}"
    r"(?:or\s{1,3})?redistributed(?:\s{1,3}in\s{1,3}whole\s{1,3}or\s{1,3}in\s{1,3}part)?)"
)
# A literal first (then the boundary behind it), so that `re` scans for the literal.
_DPA_ID = re.compile(r"(?P<alias>dpa)(?<![\w-]dpa):\s?\d{6}-\d{2}-\d{3,7}(?:/\d{1,3})?(?!\d)")
# AP transmission slugs: "AP-US--Trump-Impeachment, 4th Ld-Writethru", "BC-EU--Britain-Brexit".
_AP_SLUG = re.compile(
    r"(?P<alias>AP|BC)(?<![\w-]AP)(?<![\w-]BC)-[A-Z]{2,4}(?:-[A-Z]{2,4})?--[A-Z0-9][\w'&.]{0,30}(?:-[\w'&.]{1,30}){0,8}"
    r"(?:,\s?(?:\d{1,2}(?:st|nd|rd|th)\s)?(?:Ld|Lead|Writethru|Add|Adds|Sub|Urgent|Correction|Update|Advisory|"
    r"Box|Sidebar|Glance|Bulletin|Insert)[\w-]{0,20})?"
)

_BYLINE_LINE_CHARS = 160  # a longer line is not a byline
_BYLINE_LINES = 3  # lines of a block read for a byline
_BYLINE_WINDOW = 600  # characters of a block read for a byline
_DATELINE_WINDOW = 400  # characters of a paragraph read for a dateline
_MARKER_REACH = 150  # how far into its line a dateline marker may stand
_MARKER_LINES = 3  # lines read for a marker closing a city or date line
_SIGNOFF_CHARS = 120  # characters of the last line read for a sign-off
_INPUTS_CHARS = 300  # characters of the end read for "with inputs from"
_TRAILER_CHARS = 600  # characters of the end read for the credits of a Reuters story
_TRAILER_AGENCY = "reuters"  # whose form those credits are (named by none)
_CREDIT_CHARS = 400  # characters of a caption read for a credit
_CREDIT_LOOKBACK = 40  # characters before a sign-off checked for credit words
_LICENCE_LOOKBACK = 300  # how far before a licence line its copyright holder may stand
_COPYRIGHT_SIGNS = 200  # copyright signs of a text read for a copyright line (photo credits carry them too)


# ---------------------------------------------------------------------------------------------
# Agency references, built from the table.

# A later item of a list of agencies ("/sda", "-epa", "/lby"): any word, checked against the
# table in code (`Grammar._list_ok`); the table's names are spelled out in patterns only once.
_ITEM = r"[^\W_]\w{0,24}"
_LIST_ITEMS = re.compile(rf"{_S}?([/,;-]){_S}{{0,2}}(\w+)")


@dataclass(frozen=True, slots=True)
class _Refs:
    """Patterns of one agency name (no boundaries) under the case rules of each context."""

    strict: str  # as written or in capitals; names of five letters or more in any case
    role: str  # also a capitalised abbreviation ("Ap"): only right before a role
    any_case: str  # any case: inside a dateline's brackets
    nosep: str  # names of several words: after a person's name with no separator
    capitals: str  # short names in capitals ("AP", "DPA"): after a labelled name with no separator
    abbrev: str  # abbreviations as written or in capitals: closing a sentence ("... he said. PTI")

    @classmethod
    def of(cls, agencies: Iterable[Agency]) -> _Refs:
        aliases = {alias for agency in agencies for alias in agency.aliases}
        short = {alias for alias in aliases if len(alias) <= _SHORT}
        long = aliases - short
        spelled = {form for alias in short for form in (alias, alias.upper())}
        abbreviations = {
            form
            for alias in aliases
            if " " not in alias and len(alias) <= 9 and (alias.isupper() or alias.islower())
            for form in (alias, alias.upper())
        }
        capitalised = {alias.capitalize() for alias in short if alias.isupper()}
        return cls(
            strict=_either(long, spelled),
            role=_either(long, spelled | capitalised),
            any_case=_either(aliases, set()),
            nosep=_either({alias for alias in long if " " in alias}, set()),
            capitals=trie_pattern({alias.upper() for alias in short if alias.upper().isupper()}),
            abbrev=trie_pattern(abbreviations),
        )


_SHORT = 4  # names of up to four characters count only as written or in capitals


def _either(any_case: set[str], exact: set[str]) -> str:
    """Aliases in any case (those whose lower case changes length, such as "İHA", also as
    written), else exact spellings; the longest first within each."""
    parts = []
    if any_case:
        odd = {alias for alias in any_case if len(alias.lower()) != len(alias)}
        parts.append(f"(?i:{trie_pattern({alias.lower() for alias in any_case} | odd)})")
    if exact:
        parts.append(trie_pattern(exact))
    return "(?:" + "|".join(parts) + ")" if parts else "(?!)"


def _ref(name: str) -> str:
    """One agency name as a whole word, not glued to a brand ("Reuters-Gazette", "AFP-Something")."""
    return rf"(?<!\w)(?<!\w-)(?P<alias>{name})(?!\w)(?!-\w)"


def _ref_list(name: str) -> str:
    """One or more agency names joined by "/" or "-" ("APA/sda/dpa", "efe-epa", "dpa/lby"): the
    first is the group `alias`, the others the group `more`, which `Grammar._list_ok` checks
    (so "Reuters-Gazette", "dpa/Spektrum" and "REUTERS / POOL" are no lists of agencies)."""
    return rf"(?<!\w)(?<!\w-)(?P<alias>{name})(?!\w)(?P<more>(?:(?:{_S}?/{_S}?|-){_ITEM}(?!\w)){{0,4}})"


def _tail(*, role: bool) -> str:
    """What may follow the agency in a byline: a role, a place, a date and time; `end` marks
    where the evidence ends, before any "| Updated ..."."""
    role_part = rf"(?:(?:{_S}?,{_S}{{0,2}}|{_S}{{1,2}})(?P<role>{_ROLE}))?" if role else ""
    place_sep = rf"(?:{_S}?,{_S}{{0,2}}|{_S}{{1,2}}{_any_case(_PLACE_WORDS)}{_S}{{1,2}})"
    return role_part + rf"(?:{place_sep}{_PLACE})?" + rf"(?:{_S}?[,–—-]?{_S}{{0,2}}{_DATETIME})?(?P<end>){_TRAILER}"


# ---------------------------------------------------------------------------------------------
# The compiled forms, one family per kind of line.


@dataclass(frozen=True, slots=True)
class _Bylines:
    role: re.Pattern[str]  # "[By] [NAME, ]AGENCY ROLE ...": "Tom Krisher, Ap Auto Writer"
    named: re.Pattern[str]  # "[By] [NAME SEP ]AGENCY ...": "By Jane Doe, Reuters", "Reuters, Washington,"
    nosep: re.Pattern[str]  # "[By] NAME AGENCY ...": "Tom Davies Associated Press"
    capitals: re.Pattern[str]  # "By NAME AGENCY ...": "By JANE DOE AP", "By Jane Doe AFP"
    name_line: re.Pattern[str]  # "By JANE DOE" (over an agency line)
    paren_line: re.Pattern[str]  # "(AP)" (under a name line)
    label: re.Pattern[str]  # a line opening with a byline label

    @classmethod
    def of(cls, refs: _Refs) -> _Bylines:
        start = rf"{_S}*{_LABEL}?"
        return cls(
            role=re.compile(
                rf"{start}(?:{_NAMES}(?:{_SEP}|{_S}{{1,2}}))??{_ref(refs.role)}{_S}{{1,2}}(?P<role>{_ROLE}){_tail(role=False)}"
            ),
            named=re.compile(rf"{start}(?:{_NAMES}{_SEP})??{_ref_list(refs.strict)}{_tail(role=True)}"),
            nosep=re.compile(rf"{start}{_NAMES}{_S}{{1,2}}{_ref(refs.nosep)}{_tail(role=True)}"),
            capitals=re.compile(rf"{_S}*{_LABEL}{_NAMES}{_S}{{1,2}}{_ref(refs.capitals)}{_tail(role=True)}"),
            name_line=re.compile(rf"{_S}*{_LABEL}{_NAMES}{_S}*(?:[,;]{_S}*)?"),
            paren_line=re.compile(rf"{_S}*\({_S}?{_ref_list(refs.strict)}{_S}?\){_S}*"),
            label=re.compile(rf"{_S}*{_LABEL}"),
        )


@dataclass(frozen=True, slots=True)
class _Datelines:
    marker: re.Pattern[str]  # "(AP)", "( Reuters )", "(dpa/lby)", "(efe-epa)", "(Site / dpa - date)"
    after_first: re.Pattern[str]  # after a marker opening a paragraph: " - ROMA, 28 LUG -", " —"
    outlet_via: re.Pattern[str]  # "CNN via Reuters -"
    prefix: re.Pattern[str]  # a place and date before a marker
    date_line: re.Pattern[str]  # a line that is only a date
    dash: re.Pattern[str]
    table: re.Pattern[str] | None  # the table's own markers ("/TASS/", "- RIA Novosti")
    table_markers: tuple[tuple[Agency, re.Pattern[str]], ...]

    @classmethod
    def of(cls, refs: _Refs, agencies: tuple[Agency, ...]) -> _Datelines:
        # Others may share the brackets: "(Tagesspiegel / dpa - 12. März)", "(CNN via Reuters)".
        pre = rf"(?:(?P<pre>[^()\n]{{1,40}}?){_S}?(?:[/,;|]|{_S}[-–—]|{_S}via){_S}{{0,2}})??"
        post = rf"(?:{_S}?(?:[/,;|]|[-–—]{_S}){_S}{{0,2}}(?P<post>[^()\n]{{1,40}}?))?"
        outlet = rf"(?:{_UPPER}|\d)[\w.&'’-]{{0,30}}(?:{_S}{_UPPER}[\w.&'’-]{{0,30}}){{0,3}}"
        table = markers_pattern(agency.dateline for agency in agencies)
        return cls(
            marker=re.compile(rf"\({_S}{{0,3}}{pre}{_ref_list(refs.any_case)}{post}{_S}{{0,3}}\)"),
            after_first=re.compile(rf"{_DASH}(?:{_S}{{0,2}}{_DATELINE_PREFIX}{_DASH})?|{_S}{{1,2}}{_DATELINE_PREFIX}{_DASH}"),
            outlet_via=re.compile(rf"{_S}*(?P<outlet>{outlet}){_S}{{1,2}}(?i:via){_S}{{1,2}}{_ref_list(refs.strict)}{_DASH}"),
            prefix=re.compile(_DATELINE_PREFIX),
            date_line=re.compile(rf"{_S}*{_DATETIME}{_S}*[,.]?{_S}*"),
            dash=re.compile(_DASH),
            table=re.compile(table) if table else None,
            table_markers=tuple((agency, re.compile(agency.dateline)) for agency in agencies if agency.dateline),
        )


@dataclass(frozen=True, slots=True)
class _Signoffs:
    with_inputs: tuple[tuple[str, re.Pattern[str]], ...]  # counter-evidence, searched first
    closing: re.Pattern[str]  # "— AFP", "(ANSA).", "(Quelle: APA/sda/dpa)", "Af Ritzau", "PTI"
    initials: re.Pattern[str]  # "... he said. PTI SKL RHL"
    sentence: re.Pattern[str]  # "... he said. PTI"
    trailer: re.Pattern[str]  # "(Reporting by Jane Doe; Editing by John Smith)"

    @classmethod
    def of(cls, refs: _Refs) -> _Signoffs:
        names = _ref_list(refs.strict)
        generic = _any_case(
            ["agency", "agencies", "news agencies", "wires", "wire services", "agency reports", "agences", "agencias", "agenturen"]
        )
        intro = _any_case(
            ["with inputs from", "with input from", "with additional inputs from", "additional reporting by",
             "additional reporting from", "with additional reporting by", "with additional reporting from",
             "mit material von", "mit material der", "con información de", "con informacion de", "avec"]
        )  # fmt: skip
        wires = rf"(?:[\w.]+{_S}{{1,2}}){{0,2}}(?:wires|wire{_S}services|wire{_S}reports|agency{_S}reports)"
        contributed = rf"(?i:contributed{_S}{{1,2}}to{_S}{{1,2}}this{_S}{{1,2}}(?:report|story|article))"
        with_inputs = (
            ("with_inputs", rf"(?<!\w){intro}{_S}{{1,2}}(?:(?i:the){_S})?(?:{names}|{generic}(?=\s*(?:[).;,]|$)))"),
            ("with_wires", rf"(?<!\w)(?i:with{_S}{{1,2}}{wires})(?!\w)"),
            ("source_agencies", rf"(?<!\w){_SOURCE}(?:(?i:news){_S})?{generic}(?=\s*(?:[).;,]|$))"),
            ("contributed", rf"{names}{_S}{{1,2}}{contributed}"),
        )
        line_start = r"(?m:^)"
        lead = (
            rf"{line_start}{_S}*(?P<dash>--?|[–—]){_S}{{0,2}}|(?<=[\s.!?\"”’)])(?P<dash2>--?|[–—]){_S}{{0,2}}"
            rf"|(?:{line_start}|(?<=[\s.!?]))(?P<open>\(){_S}{{0,3}}(?P<source>{_SOURCE})?"
            rf"|(?:{line_start}|(?<=[\s.!?]))(?P<source2>{_SOURCE})"
            rf"|{line_start}{_S}*{_LABEL}"
            rf"|{line_start}{_S}*"
        )
        others = rf"(?P<others>(?:{_S}?[,;]{_S}{{0,2}}{_ITEM}(?!\w)){{0,3}})"
        after_sentence = r"(?<=[.!?\"”’])"
        return cls(
            with_inputs=tuple((form, re.compile(pattern)) for form, pattern in with_inputs),
            closing=re.compile(rf"(?:{lead}){names}{others}(?P<close>{_S}{{0,3}}\))?{_S}*(?:(?P<dot>\.){_S}*)?$"),
            initials=re.compile(rf"(?:{line_start}{_S}*|{after_sentence}{_S}+){_ref(refs.abbrev)}(?:{_S}+[A-Z]{{2,4}}){{1,4}}{_S}*$"),
            sentence=re.compile(rf"{after_sentence}{_S}+{_ref(refs.abbrev)}{_S}*(?:\.{_S}*)?$"),
            trailer=re.compile(_trailer()),
        )


def _trailer() -> str:
    """Reuters' credits closing a story: who reported, wrote, compiled, and last who edited, one
    team after another ("(Reporting by Jane Doe in London and John Roe; Writing by Ann Lee;
    Editing by Tom Brown)"), in brackets or not, on a line of their own or after a sentence."""
    team = rf"{_NAME}(?:{_S}{{1,2}}(?i:in|from){_S}{{1,2}}{_PLACE})?"
    team = rf"{team}(?:{_NAME_JOIN}{team}){{0,5}}"
    by = rf"{_S}{{1,2}}(?i:by){_S}{{1,2}}"
    step = rf"(?i:(?:additional{_S}{{1,2}})?reporting|writing|compiled|compiling|graphics|fact{_S}?checking){by}{team}"
    start = r"(?:(?m:^)|(?<=[\s.!?\"”’]))"
    return (
        rf"{start}(?:(?P<open>\(){_S}*)?{step}(?:{_S}?;{_S}{{0,2}}{step}){{0,5}}{_S}?;{_S}{{0,2}}(?i:editing){by}{team}"
        rf"{_S}*(?P<close>\))?(?P<end>){_S}*\.?{_S}*$"
    )


@dataclass(frozen=True, slots=True)
class _Credits:
    line: re.Pattern[str]  # a whole line: "Quelle: dpa", "Source: AP", "(AP)"
    copyright_person: re.Pattern[str]  # "© dpa | Photographer", "© Reuters / David Mercado"
    photo_label: re.Pattern[str]  # "Photo: X/AFP via Getty", "Credit: EPA", "Photographs by ... /AP"
    agency_first: re.Pattern[str]  # "AP Photo/...", "AFP via Getty", "REUTERS / POOL", "EFE/Juan"
    agency_after: re.Pattern[str]  # "[File: Reuters]", "... via AP", "Joshua Roberts/Reuters", ".../Invision/AP"
    caption_tail: re.Pattern[str]  # "... in New York. Reuters", "... in Surabaya, Indonesia (EPA)"
    copyright: re.Pattern[str]  # "© 2019 The Associated Press", "Copyright @ 2019 Reuters"
    credit_rest: re.Pattern[str]  # "| Photographer" after a copyright sign: a photo credit

    @classmethod
    def of(cls, refs: _Refs) -> _Credits:
        name = _ref(refs.strict)
        names = _ref_list(refs.strict)
        who = rf"(?P<who>{_NAME_WORD})"
        return cls(
            line=re.compile(rf"^\s*(?:(?P<open>\(){_S}*)?(?P<source>{_SOURCE})?{names}(?P<close>{_S}*\))?\s*(?:\.\s*)?$"),
            copyright_person=re.compile(
                rf"(?:©|\((?i:c)\)){_S}{{0,2}}(?:{_YEAR}{_S}{{0,2}})?{name}{_S}{{0,2}}[|/]{_S}{{0,2}}(?P<who>{_NAME}){_S}*(?=$|[,;)\n])"
            ),
            photo_label=re.compile(rf"(?<!\w){_CREDIT_LABEL}(?!\w)(?:{_S}+(?i:by)(?!\w)|{_S}{{0,2}}[:|©/–-])[^\n]{{0,80}}?{name}"),
            agency_first=re.compile(
                rf"{name}(?:{_S}{{0,2}}/?{_S}{{0,2}}(?P<photo>{_CREDIT_AFTER})(?!\w)"
                rf"|{_S}{{1,2}}(?i:via){_S}{{1,2}}(?P<via>{_UPPER})|(?<=\w\w\w){_S}?/{_S}?{who})"
            ),
            agency_after=re.compile(
                rf"(?:(?<!\w)(?P<file>(?i:file)){_S}*:|(?<!\w)(?P<via>(?i:via))"
                rf"|(?<![\w/])(?P<who>{_NAME}){_S}?/(?:{_S}?(?P<who2>{_NAME_WORD}){_S}?/)?){_S}{{0,2}}{name}"
            ),
            caption_tail=re.compile(
                rf"(?:(?<=[.!?]){_S}+(?:\({_S}?)?|(?<=[^\W_]){_S}{{1,2}}\({_S}?(?=\w)){names}(?:{_S}?\))?\s*(?:\.\s*)?$"
            ),
            copyright=re.compile(
                rf"{_COPY}(?:{_S}{{0,2}}(?:{_COPY}|@))?{_S}{{0,3}}"
                rf"(?:{_YEAR}(?:{_S}?[-–]{_S}?{_YEAR})?{_S}{{0,3}}[,–-]?{_S}{{0,3}})?"
                rf"{names}(?:{_S}{{0,3}},?{_S}?{_YEAR})?"
            ),
            credit_rest=re.compile(rf"{_S}*[|/]{_S}*(?P<who>{_NAME}){_S}*(?:$|[,;)])"),
        )


# ---------------------------------------------------------------------------------------------
# The grammar.


@dataclass(frozen=True, slots=True)
class Grammar:
    """The attribution grammar compiled for one agency table. Build it once (`Grammar.of`)
    and keep it beside the `Patterns` it was built from."""

    lookup: dict[str, Agency]  # every alias, as written and in capitals, lower-cased -> agency
    spellings: frozenset[str]  # every alias as written and in capitals
    bylines: _Bylines
    datelines: _Datelines
    signoffs: _Signoffs
    credits: _Credits
    # Any agency name, in any case, as a whole word: what every byline form and every sign-off
    # form but Reuters' credits holds (their names are spellings of the same aliases), so a line
    # without one is none of them.
    mention: re.Pattern[str]

    @classmethod
    def of(cls, patterns: Patterns) -> Grammar:
        refs = _Refs.of(patterns.agencies)
        return cls(
            # "ANADOLU AJANSI".lower() is not "anadolu ajansı": both spellings are keys.
            lookup={form.lower(): a for a in patterns.agencies for alias in a.aliases for form in (alias, alias.upper())},
            spellings=frozenset(form for a in patterns.agencies for alias in a.aliases for form in (alias, alias.upper())),
            bylines=_Bylines.of(refs),
            datelines=_Datelines.of(refs, patterns.agencies),
            signoffs=_Signoffs.of(refs),
            credits=_Credits.of(refs),
            mention=re.compile(rf"(?<!\w){refs.any_case}(?!\w)"),
        )

    # -- bylines ---------------------------------------------------------------------------

    def parse_byline(self, text: str) -> Attribution | None:
        """A byline block or a metadata author value naming an agency: "By Jane Doe, Reuters",
        "Tom Krisher, Ap Auto Writer", "Article from: Agence France-Presse", "Reuters, Washington,",
        "By JANE DOE" over "(AP)" or "AP Sports Writer". Reads the first three lines."""
        lines = list(_lines(text[:_BYLINE_WINDOW], _BYLINE_LINES))
        for index, (offset, line) in enumerate(lines):
            if len(line) > _BYLINE_LINE_CHARS:
                continue
            found = self._byline_line(line, offset)
            if found is None and index + 1 < len(lines):
                found = self._byline_over(line, offset, *lines[index + 1])
            if found:
                return found
        return None

    def _byline_line(self, line: str, offset: int) -> Attribution | None:
        if not self.mention.search(line):
            return None
        if _CREDIT_NEAR.search(line):
            return None  # "Natalie Naccache | Bloomberg | Getty Images", "AP Photo"
        families = (
            ("role", self.bylines.role),
            ("named", self.bylines.named),
            ("nosep", self.bylines.nosep),
            ("capitals", self.bylines.capitals),
        )
        for family, pattern in families:
            match = pattern.fullmatch(line)
            if match is None or not self._list_ok(match):
                continue
            if family == "role" and self._is_alias(line[match.start("alias") : match.end("role")]):
                continue  # "HealthDay Reporter" is the agency's whole name, not an agency and a role
            groups = match.groupdict()
            label = groups["label"] or ""
            if "/" in (groups.get("sep") or "") and not label:
                continue  # "Joshua Roberts/Reuters" is a photo credit
            if family in ("nosep", "capitals") and len(groups["person"].split()) < 2:
                continue  # "Edizioni ANSA", "Video Associated Press", "By JOHN AP"
            form = _byline_form(family, match, label, line[match.end("alias") : match.end("end")].strip())
            found = self._found("byline", match, form, offset, begin=_skip_space(line, 0), end=match.end("end"))
            if found:
                return _replace(found, person=groups.get("person"), role=groups.get("role"))
        return None

    def _byline_over(self, first: str, offset: int, second_offset: int, second: str) -> Attribution | None:
        """A name line over an agency line: "By JANE DOE" over "(AP)", "AP Sports Writer"."""
        name = self.bylines.name_line.fullmatch(first)
        if name is None or len(second) > _BYLINE_LINE_CHARS:
            return None
        start = offset + name.start("label")
        paren = self.bylines.paren_line.fullmatch(second)
        if paren and self._list_ok(paren):
            found = self._found("byline", paren, "agency_line", second_offset, end=len(second.rstrip()))
            return found and _replace(found, start=start, person=name.group("person"))
        under = self._byline_line(second, second_offset)
        if under is None or under.person or under.form not in ("agency", "agency_short", "agency_role"):
            return None
        return _replace(under, start=start, form="agency_line", person=name.group("person"), role=under.role)

    # -- datelines -------------------------------------------------------------------------

    def parse_dateline(self, text: str) -> Attribution | None:
        """A dateline opening a paragraph ("WASHINGTON (AP) —", "(ANSA) - ROMA", "City, Jun 11
        (efe-epa).-", and "CNN via Reuters -" of kind "via"), also on the line under a byline
        line in the same block; or a marker closing a short city or date line ("New Delhi,
        Nov 20 (IANS)")."""
        window = text[:_DATELINE_WINDOW]
        for start, end in self._dateline_lines(window):
            found = self._dateline_at(window, start, end)
            if found:
                return found
        return self._marker_closing_line(window)

    def _dateline_lines(self, window: str) -> Iterator[tuple[int, int]]:
        """Where a dateline may stand: the first line, and the next one under a byline line."""
        for offset, line in _lines(window, 2):
            yield offset, offset + len(line)
            if len(line) > _BYLINE_LINE_CHARS or not (self.bylines.label.match(line) or self._byline_line(line, offset)):
                return

    def _dateline_at(self, window: str, start: int, end: int) -> Attribution | None:
        first = self.datelines.marker.match(window, _skip_space(window, start), end)
        if first:
            after = self.datelines.after_first.match(window, first.end(), end)
            return self._marker_found(first, "marker_first", 0, end=after.end()) if after else None
        via = self.datelines.outlet_via.match(window, start, end)
        if via and self._list_ok(via):
            return self._found("via", via, "outlet_via", 0, begin=via.start("outlet"))
        marker = self.datelines.marker.search(window, start, min(end, start + _MARKER_REACH))
        if marker:
            return self._city_marker(window, start, marker, end)
        return self._table_dateline(window, start, end)

    def _city_marker(self, window: str, start: int, marker: re.Match[str], end: int) -> Attribution | None:
        """A marker after a city and date: "SANTA FE, N.M. (AP) —", "BERLIN (Site / dpa - date) -"."""
        prefix = window[start : marker.start()]
        if not self.datelines.prefix.fullmatch(prefix):
            return None
        form = "composite_marker" if marker.group("pre") or marker.group("post") else "city_marker"
        begin = _skip_space(window, start)
        dash = self.datelines.dash.match(window, marker.end(), end)
        if dash:
            return self._marker_found(marker, form, 0, begin=begin, end=dash.end())
        # "WASHINGTON (AP) A messy ...": no dash, but a city in capitals and a sentence after it.
        following = window[marker.end() : marker.end() + 2]
        if prefix.split(",")[0].strip().isupper() and following[:1] == " " and following[1:].isupper():
            return self._marker_found(marker, "city_marker_nodash", 0, begin=begin)
        return None

    def _table_dateline(self, window: str, start: int, end: int) -> Attribution | None:
        """A marker of the table that the grammar does not spell, after a city: "MOSCOW, May 1.
        /TASS/.", "МОСКВА, 1 мая - РИА Новости.", "ПЕТРОПАВЛОВСК. КАЗИНФОРМ –"."""
        if self.datelines.table is None:
            return None
        marker = self.datelines.table.search(window, start, min(end, start + _MARKER_REACH))
        if marker is None or not self.datelines.prefix.fullmatch(window[start : marker.start()]):
            return None
        if window[marker.end() : marker.end() + 1].isalnum():
            return None  # ", KAZINFORM-Gazette": a brand
        dash = self.datelines.dash.match(window, marker.end(), end)
        if dash is None and window[marker.end() - 1] not in "-–—":
            return None
        for agency, pattern in self.datelines.table_markers:
            if pattern.match(window, marker.start(), end):
                stop = dash.end() if dash else marker.end()
                return Attribution("dateline", agency, _skip_space(window, start), stop, "table_marker", True)
        return None

    def _marker_closing_line(self, window: str) -> Attribution | None:
        """A marker ending a city or date line ("CITY, State (AFP)", "Nov 20, 2019 (IANS)"),
        alone on a line under another, or closing a headline over or under a date line."""
        lines = [(offset, line) for offset, line in _lines(window, _MARKER_LINES) if len(line) <= _BYLINE_LINE_CHARS]
        for index, (offset, line) in enumerate(lines):
            marker = self._last_marker(line)
            if marker is None:
                continue
            prefix = line[: marker.start()]
            begin = _skip_space(line, 0)
            if prefix.strip() and self.datelines.prefix.fullmatch(prefix) or not prefix.strip() and index > 0:
                return self._marker_found(marker, "marker_line_end", offset, begin=begin)
            others = [lines[i][1] for i in (index - 1, index + 1) if 0 <= i < len(lines)]
            if prefix.strip() and any(self.datelines.date_line.fullmatch(other) for other in others):
                found = self._marker_found(marker, "marker_headline_end", offset, begin=begin)
                if found and found.exact_case:
                    return found
        return None

    def _last_marker(self, line: str) -> re.Match[str] | None:
        """The marker ending `line` (nothing but a full stop after it), if any."""
        last = None
        for match in self.datelines.marker.finditer(line):
            last = match
        if last is None or line[last.end() :].strip(" \t.") or not self._list_ok(last, regions=True):
            return None
        return last

    def _marker_found(self, marker: re.Match[str], form: str, offset: int, **span: int) -> Attribution | None:
        return self._found("dateline", marker, form, offset, **span) if self._list_ok(marker, regions=True) else None

    # -- sign-offs -------------------------------------------------------------------------

    def parse_signoff(self, text: str) -> Attribution | None:
        """The agency signing off a story, at the end of its last paragraph: "— AFP", "--IANS",
        "(ANSA).", "PTI", "PTI SKL RHL", "(Quelle: APA/sda/dpa)", "Af Ritzau"; or the
        counter-evidence "(With inputs from PTI)", "With Post wires" (kind "with_inputs")."""
        stripped = text.rstrip()
        tail = max(0, len(stripped) - _INPUTS_CHARS)
        folded = stripped[tail:].lower()
        for form, pattern in self.signoffs.with_inputs:
            if form == "contributed" and "contributed" not in folded:
                continue  # (its agency name at every position is the slow part)
            match = pattern.search(stripped, tail)
            if match and self._list_ok(match):
                return self._with_inputs(match, form)
        trailer = self._reporting_trailer(stripped)
        if trailer:
            return trailer
        line_start = max(stripped.rfind("\n") + 1, len(stripped) - _SIGNOFF_CHARS)
        if not self.mention.search(stripped, line_start):
            return None  # (every other form names an agency on the last line)
        closing = self.signoffs.closing.search(stripped, line_start)
        if closing and not self._credit_near(stripped, line_start, closing):
            closing_form = self._closing_form(closing, stripped[line_start : closing.start()])
            if closing_form:
                return self._found("signoff", closing, closing_form, 0, begin=_skip_space(stripped, closing.start()))
        for form, pattern in (("agency_initials", self.signoffs.initials), ("sentence_agency", self.signoffs.sentence)):
            match = pattern.search(stripped, line_start)
            if match and not self._credit_near(stripped, line_start, match):
                return self._found("signoff", match, form, 0, begin=match.start("alias"))
        return None

    def _reporting_trailer(self, text: str) -> Attribution | None:
        """Reuters' credits closing the story, which name no agency: "(Reporting by Jane Doe;
        Editing by John Smith)", "Reporting by A in B; Writing by C; Editing by D"."""
        start = max(0, len(text) - _TRAILER_CHARS)
        agency = self.lookup.get(_TRAILER_AGENCY)
        if agency is None or "editing" not in text[start:].lower():
            return None
        match = self.signoffs.trailer.search(text, start)
        if match is None or bool(match.group("open")) != bool(match.group("close")):
            return None
        return Attribution("signoff", agency, _skip_space(text, match.start()), match.end("end"), "reporting_trailer", True)

    def _closing_form(self, match: re.Match[str], before: str) -> str | None:
        """The form of a closing agency name, or None where it is none (a lone "(AP)" may as
        well be a photo credit; a list must be all agencies)."""
        groups = match.groupdict()
        if not self._list_ok(match) or not self._items_ok(groups["others"] or "", strict=True):
            return None
        opened, closed = bool(groups["open"]), bool(groups["close"])
        if opened != closed:
            return None
        if groups["dash"] or groups["dash2"]:
            return "dash_agency"
        if groups["source"] or groups["source2"]:
            return "source_label"
        if opened:
            # "... certificato. (ANSA)." but not a caption's "... Surabaya, Indonesia (EPA)"
            return "paren_agency" if groups["dot"] or before.rstrip().endswith(_SENTENCE_END) else None
        if groups["label"]:
            return "label_agency" if match.end() - match.start() <= 60 else None
        if before.strip():
            return None
        return "agency_short" if len(groups["alias"]) <= 2 else "agency_alone"

    @staticmethod
    def _credit_near(text: str, line_start: int, match: re.Match[str]) -> bool:
        """Whether credit words ("Photo", "Getty", "File") stand just before or in `match`."""
        return bool(_CREDIT_NEAR.search(text, max(line_start, match.start() - _CREDIT_LOOKBACK), match.end()))

    def _with_inputs(self, match: re.Match[str], form: str) -> Attribution:
        alias = match.groupdict().get("alias")
        agency = self.lookup.get(alias.lower()) if alias else None
        exact = alias in self.spellings if alias else True
        return Attribution("with_inputs", agency, match.start(), match.end(), form, exact)

    # -- credits, copyright, story IDs ------------------------------------------------------

    def parse_credit(self, text: str) -> Attribution | None:
        """A photo, table or teaser credit naming an agency (counter-evidence, not agency copy):
        "Photo: X/AFP via Getty", "(AP Photo/Alan Diaz, File)", "Joshua Roberts/Reuters",
        "© dpa | Photographer", "[File: Reuters]", "Credit: EPA", "... in New York. Reuters",
        a lone "(AP)", and a source line ("Quelle: dpa", "Source: AP"), which under a story is
        a sign-off: where the line sits decides."""
        offset = max(0, len(text) - _CREDIT_CHARS)
        window = text[offset:]
        line = self._credit_line(window, offset)
        if line:
            return line
        for form, pattern in (
            ("copyright_person", self.credits.copyright_person),
            ("photo_label", self.credits.photo_label),
            ("agency_first", self.credits.agency_first),
            ("agency_after", self.credits.agency_after),
        ):
            for match in pattern.finditer(window):
                if not self._names_someone(match):
                    continue
                found = self._found("credit", match, _credit_form(form, match), offset)
                if found:
                    return found
        tail = self.credits.caption_tail.search(window)
        if tail is None or not self._list_ok(tail):
            return None
        return self._found("credit", tail, "caption_tail", offset, begin=_skip_space(window, tail.start()))

    def _credit_line(self, window: str, offset: int) -> Attribution | None:
        """A whole line that is a source ("Quelle: dpa", "(Source: AP)") or an agency in
        brackets ("(AP)")."""
        line = self.credits.line.search(window)
        if line is None or not self._list_ok(line) or bool(line.group("open")) != bool(line.group("close")):
            return None
        if not (line.group("source") or line.group("open")):
            return None
        return self._found("credit", line, "source_label" if line.group("source") else "paren_alone", offset)

    def _names_someone(self, match: re.Match[str]) -> bool:
        """Whether the person or outlet a credit names beside the agency is not an agency too
        ("APA/sda" is a list of agencies, not a credit)."""
        groups = match.groupdict()
        return not any(self._is_alias(groups.get(key)) for key in ("who", "who2"))

    def find_copyright(self, text: str) -> Attribution | None:
        """An agency's copyright line ("© 2019 The Associated Press", "Copyright @ 2019
        Reuters", "© dpa-infocom, dpa:220124-99-835563/5"), taking in the standard licence
        line after it (form "copyright_licence"); else a licence line on its own ("may not be
        published, broadcast, rewritten or redistributed", kind "licence", agency None). A
        photo credit ("© Reuters / David Mercado", "© dpa | Photographer") is no copyright line."""
        found = None
        for sign in islice(_COPY_SIGN.finditer(text), _COPYRIGHT_SIGNS):
            match = self.credits.copyright.match(text, sign.start())
            if match is None or _LONGER_NAME.match(text, match.end()):
                continue  # "Copyright 2023 Nexstar Media Inc.", "© Dow Jones & Company"
            if self._list_ok(match) and not self._photographer_after(text, match.end()):
                found = self._found("copyright", match, "copyright", 0)
                if found:
                    break
        licence = _LICENCE.search(text, found.end if found else 0) if "rewritten" in text.lower() else None
        if found and licence and licence.start() - found.end <= _LICENCE_LOOKBACK:
            return _replace(found, end=licence.end(), form="copyright_licence")
        if found:
            return found
        if licence:
            return Attribution("licence", None, licence.start(), licence.end(), "licence", True)
        return None

    def _photographer_after(self, text: str, index: int) -> bool:
        """Whether "| Name" or "/ Name" ends the line after a copyright sign's holder."""
        line_end = text.find("\n", index)
        rest = self.credits.credit_rest.match(text, index, len(text) if line_end < 0 else line_end)
        return rest is not None and not self._is_alias(rest.group("who"))

    def find_story_ids(self, text: str) -> list[Attribution]:
        """Wire story IDs in `text`, in order: dpa's "dpa:201227-99-123456/3" (a dpa story, not
        a list of agencies) and AP's transmission slugs ("AP-US--Trump-Impeachment, 4th
        Ld-Writethru", "BC-EU--Britain-Brexit-Election")."""
        found: list[Attribution] = []
        for form, pattern, alias in (("dpa_id", _DPA_ID, "dpa"), ("ap_slug", _AP_SLUG, "ap")):
            agency = self.lookup.get(alias)
            if agency is not None:
                found.extend(Attribution("story_id", agency, m.start(), m.end(), form, True) for m in pattern.finditer(text))
        return sorted(found, key=lambda attribution: attribution.start)

    # -- helpers ---------------------------------------------------------------------------

    def _found(
        self, kind: str, match: re.Match[str], form: str, offset: int, *, begin: int | None = None, end: int | None = None
    ) -> Attribution | None:
        """The attribution of `match` (whose agency name is its group `alias`), its span moved
        by `offset`; None when the name is not in the table (a spelling no alias lowers to)."""
        alias = match.group("alias")
        agency = self.lookup.get(alias.lower())
        if agency is None:
            return None
        start = match.start() if begin is None else begin
        stop = match.end() if end is None else end
        return Attribution(kind, agency, offset + start, offset + stop, form, alias in self.spellings)

    def _list_ok(self, match: re.Match[str], *, regions: bool = False) -> bool:
        """Whether the later items of the list of agencies in `match` (group `more`) are
        agencies too, or, with `regions`, regional services after a slash ("dpa/lby")."""
        more = match.groupdict().get("more")
        return not more or self._items_ok(more, strict=not regions, regions=regions)

    def _items_ok(self, items: str, *, strict: bool, regions: bool = False) -> bool:
        for separator, item in _LIST_ITEMS.findall(items):
            if self._is_alias(item, strict=strict):
                continue
            if not (regions and separator == "/" and 2 <= len(item) <= 5 and item.isalpha()):
                return False
        return True

    def _is_alias(self, word: str | None, *, strict: bool = True) -> bool:
        """Whether `word` is an agency's name (with `strict`, as written or in capitals where
        it is short)."""
        if not word or word.lower() not in self.lookup:
            return False
        return not strict or len(word) > _SHORT or word in self.spellings


def _byline_form(family: str, match: re.Match[str], label: str, tail: str) -> str:
    """The stable name of a byline form, from the pattern that matched (`family`), its label,
    and what follows the agency (`tail`)."""
    person = match.group("person")
    if label and _SOURCE_LABEL.fullmatch(label):
        return "source_label"
    if family == "role":
        return "name_agency_role" if person else "agency_role"
    if family == "capitals":
        return "by_name_capitals"
    if person:
        return "by_name_agency" if label else "name_agency"
    if label:
        return "label_agency"
    return "agency_short" if len(match.group("alias")) <= 2 and not tail else "agency"


def _credit_form(family: str, match: re.Match[str]) -> str:
    groups = match.groupdict()
    if family == "agency_first":
        return "agency_photo" if groups["photo"] else "agency_via" if groups["via"] else "slash_credit"
    if family == "agency_after":
        return "file" if groups["file"] else "via" if groups["via"] else "slash_credit"
    return family


_SOURCE_LABEL = re.compile(rf"{_SOURCE}{_S}*")
_SENTENCE_END = tuple('.!?"”’')


# ---------------------------------------------------------------------------------------------
# Small helpers.


def _lines(text: str, count: int) -> Iterator[tuple[int, str]]:
    """The first `count` non-blank lines of `text`, with their offsets."""
    offset = 0
    seen = 0
    while seen < count and offset <= len(text):
        end = text.find("\n", offset)
        end = len(text) if end < 0 else end
        line = text[offset:end]
        if line.strip():
            yield offset, line
            seen += 1
        offset = end + 1


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index].isspace():
        index += 1
    return index


def _replace(
    found: Attribution,
    *,
    start: int | None = None,
    end: int | None = None,
    form: str | None = None,
    person: str | None = None,
    role: str | None = None,
) -> Attribution:
    return Attribution(
        found.kind,
        found.agency,
        found.start if start is None else start,
        found.end if end is None else end,
        found.form if form is None else form,
        found.exact_case,
        person.strip() if person else found.person,
        role.strip() if role else found.role,
    )

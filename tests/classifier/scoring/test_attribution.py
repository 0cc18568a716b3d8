"""`classifier.scoring.attribution`: the grammar of attribution lines, on variants generated from
the real agency table (Hypothesis), on hard negatives generated the same way, on lines copied
from labelled pages, and on arbitrary and adversarial text (no error, linear time)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from classifier.scoring.attribution import KINDS, Attribution, Grammar
from classifier.scoring.patterns import Agency, load_patterns

PATTERNS = load_patterns()
GRAMMAR = Grammar.of(PATTERNS)
READERS: dict[str, Callable[[str], Attribution | None]] = {
    "byline": GRAMMAR.parse_byline,
    "dateline": GRAMMAR.parse_dateline,
    "signoff": GRAMMAR.parse_signoff,
    "credit": GRAMMAR.parse_credit,
    "copyright": GRAMMAR.find_copyright,
}


def _alias_pairs() -> list[tuple[Agency, str]]:
    """Every (agency, alias) of the table whose alias names that agency alone and is a word
    (not "/ritzau/")."""
    lookup = PATTERNS.alias_exact
    return [
        (agency, alias)
        for agency in PATTERNS.agencies
        for alias in agency.aliases
        if lookup[alias.lower()] is agency and alias[0].isalnum() and alias[-1].isalnum()
    ]


ALIASES = _alias_pairs()


@st.composite
def agencies(draw: st.DrawFn, *, cases: bool = True, multiword: bool = False, min_len: int = 1) -> tuple[Agency, str]:
    """An agency of the table and one of its names: as written, in capitals, or (names of five
    letters or more) in lower case."""
    pairs = [(a, alias) for a, alias in ALIASES if len(alias) >= min_len and (" " in alias or not multiword)]
    agency, alias = draw(st.sampled_from(pairs))
    if not cases:
        return agency, alias
    variants = [alias, alias.upper()] + ([alias.lower()] if len(alias) > 4 else [])
    return agency, draw(st.sampled_from(variants))


FIRST = ["Jane", "Tom", "Gary", "Maria", "Hillel", "Steve", "Juan", "Émile", "Søren", "Ana", "Chris", "Li"]
LAST = ["Doe", "Davies", "Graves", "Krisher", "Pérez", "O'Brien", "Chavez-Dreyfuss", "McDonald", "Italie", "Peoples", "Müller", "Nguyen"]
INITIALS = ["B.", "J.", "T."]


@st.composite
def persons(draw: st.DrawFn, *, min_words: int = 1) -> str:
    """A person's name: one to three capitalised words (a middle initial among them, as in
    "Gary B. Graves"), as written or in capitals."""
    words = [draw(st.sampled_from(FIRST))]
    if min_words > 1 or draw(st.booleans()):
        if draw(st.booleans()):
            words.append(draw(st.sampled_from(INITIALS)))
        words.append(draw(st.sampled_from(LAST)))
    name = " ".join(words)
    return name.upper() if draw(st.booleans()) else name


LABELS = ["By", "BY", "by", "Von", "Par", "Por", "Di", "Af", "Av", "Door", "De", "Article from:", "Written by"]
SEPARATORS = [", ", " - ", " – ", " — ", " / ", "/", " | ", ", for "]
ROLES = ["Sports Writer", "Correspondent", "National Writer", "Auto Writer", "National Security Writer", "Chief Political Correspondent"]
DATES = [
    "Aug. 20",
    "Jun 11",
    "DEC 5",
    "May 16",
    "November 19, 2019",
    "Dec 20, 2025",
    "1 may",
    "28 LUG",
    "1st May, 2024",
    "12. März",
    "Nov 20 2019",
]
TIMES = ["9:02 AM", "3:53pm CDT", "11:03 PM"]
CITIES = [
    "WASHINGTON", "SANTA FE, N.M.", "ST. JOSEPH, Mich.", "Frankfurt/Main", "Beijing [China]", "Bogotá", "NEW DELHI",
    "Rio de Janeiro", "ABU DHABI", "Berlin/Frankfurt", "Salt Lake City, Utah", "HAYWARD, Calif.", "Madrid", "City",
]  # fmt: skip
DASHES = ["-", "--", "–", "—", ":", ".-"]
BODY = "A messy state budget deal gained the endorsement of the governor on Friday."


def _covers(found: Attribution | None, text: str, *parts: str) -> Attribution:
    """`found`, after checking that its span lies in `text` and covers each of `parts`."""
    assert found is not None, text
    assert 0 <= found.start <= found.end <= len(text)
    evidence = text[found.start : found.end]
    for part in parts:
        assert part in evidence, (part, evidence, text)
    return found


def _none_of(text: str, *readers: str) -> None:
    for reader in readers:
        assert READERS[reader](text) is None, (reader, text, READERS[reader](text))


# -- bylines ----------------------------------------------------------------------------------


def test_every_spelling_of_an_agency_is_a_mention() -> None:
    """`Grammar.mention` rules lines out before the byline and sign-off patterns: it must
    take every spelling those patterns take (as written, in capitals, capitalised)."""
    spellings = {form for agency in PATTERNS.agencies for alias in agency.aliases for form in (alias, alias.upper(), alias.capitalize())}
    assert [form for form in spellings if not GRAMMAR.mention.fullmatch(form)] == []
    assert GRAMMAR.mention.search("By Jane Doe, Reuters") and not GRAMMAR.mention.search("By Jane Doe, staff writer")
    assert not GRAMMAR.mention.search("Mapping the happy apes")  # "ap" inside words is no mention


@settings(max_examples=300, deadline=None)
@given(
    agency=agencies(),
    person=persons(),
    label=st.sampled_from(LABELS),
    separator=st.sampled_from(SEPARATORS),
    tail=st.sampled_from(["", ", Washington", " in Valencia", ", Nov 20, 2019", " November 19, 2019, 9:02 AM", " | Updated 3:53pm CDT"]),
)
def test_a_labelled_name_and_agency_is_a_byline(agency, person, label, separator, tail) -> None:
    """Labelled: "By Jane Doe, Reuters", "Von Jane Doe, dpa", "Por Juan Pérez/EFE", "By JANE DOE | AP, Nov 20, 2019"."""
    agency, alias = agency
    text = f"{label} {person}{separator}{alias}{tail}"
    found = _covers(GRAMMAR.parse_byline(text), text, alias, person)
    assert (found.kind, found.agency, found.person) == ("byline", agency, person)
    assert found.form == "by_name_agency"
    assert found.start == 0 and "Updated" not in text[found.start : found.end]


@settings(max_examples=200, deadline=None)
@given(agency=agencies(), person=persons(), separator=st.sampled_from([", ", " - ", " – ", " — ", " | "]))
def test_a_name_and_agency_without_label_is_a_byline(agency, person, separator) -> None:
    """Unlabelled: "Jane Doe, THE ASSOCIATED PRESS" (a byline block or a JSON-LD author)."""
    agency, alias = agency
    text = f"{person}{separator}{alias}"
    found = _covers(GRAMMAR.parse_byline(text), text, alias, person)
    assert (found.agency, found.person, found.form) == (agency, person, "name_agency")


@settings(max_examples=150, deadline=None)
@given(agency=agencies(multiword=True), person=persons(min_words=2), label=st.sampled_from(["", "By ", "BY "]))
def test_a_name_and_agency_need_no_separator(agency, person, label) -> None:
    """No separator: "By JANE DOE Associated Press", "Tom Davies Associated Press"."""
    agency, alias = agency
    text = f"{label}{person} {alias}"
    found = _covers(GRAMMAR.parse_byline(text), text, alias, person)
    assert (found.agency, found.person) == (agency, person)


SHORT_CAPITALS = [(a, alias.upper()) for a, alias in ALIASES if len(alias) <= 4 and alias.upper().isupper()]


@settings(max_examples=200, deadline=None)
@given(
    agency=st.sampled_from(SHORT_CAPITALS),
    person=persons(min_words=2),
    label=st.sampled_from(["By ", "BY ", "by "]),
    tail=st.sampled_from(["", " Sports Writer", " | Updated 9:02 AM", ", Aug. 20"]),
)
def test_a_labelled_name_and_a_short_agency_in_capitals_need_no_separator(agency, person, label, tail) -> None:
    """ "By JANE DOE AP", "By Jane Doe AFP": the agency's short name in capitals right after the
    labelled name."""
    agency, alias = agency
    text = f"{label}{person} {alias}{tail}"
    found = _covers(GRAMMAR.parse_byline(text), text, alias, person)
    assert (found.agency, found.person) == (agency, person)


@settings(max_examples=100, deadline=None)
@given(agency=st.sampled_from(SHORT_CAPITALS), person=persons(), label=st.sampled_from(["By ", ""]))
def test_a_short_agency_after_a_name_without_separator_needs_label_two_words_and_capitals(agency, person, label) -> None:
    """Not "JANE DOE AP" (no label), "By JANE AP" (one word: a surname as much as an agency),
    nor "By Jane Doe Ap" (not in capitals)."""
    _, alias = agency
    if label and len(person.split()) >= 2:
        text = f"{label}{person} {alias.capitalize()}"
        if alias.capitalize() != alias:
            assert GRAMMAR.parse_byline(text) is None or GRAMMAR.parse_byline(text).form != "by_name_capitals", text
        return
    found = GRAMMAR.parse_byline(f"{label}{person} {alias}")
    assert found is None or found.form != "by_name_capitals", (person, alias)


@settings(max_examples=200, deadline=None)
@given(
    agency=agencies(),
    person=persons(),
    role=st.sampled_from(ROLES),
    head=st.sampled_from(["", "By "]),
    separator=st.sampled_from([", ", " "]),
    capitalised=st.booleans(),
)
def test_an_agency_with_a_role_is_a_byline(agency, person, role, head, separator, capitalised) -> None:
    """With a role: "Gary B. Graves, AP Sports Writer", "By HILLEL ITALIE, AP National Writer", and an
    abbreviation capitalised only there: "Tom Krisher, Ap Auto Writer"."""
    agency, alias = agency
    if capitalised and alias in agency.aliases and alias.isupper() and len(alias) <= 4:
        alias = alias.capitalize()
    text = f"{head}{person}{separator}{alias} {role}"
    found = _covers(GRAMMAR.parse_byline(text), text, alias, person, role)
    assert (found.agency, found.person, found.role, found.form) == (agency, person, role, "name_agency_role")
    assert found.exact_case == (alias in agency.aliases or alias == alias.upper())


@settings(max_examples=200, deadline=None)
@given(
    agency=agencies(),
    label=st.sampled_from(["", *LABELS]),
    tail=st.sampled_from(
        ["", ", Washington,", " in Valencia", " November 19, 2019, 9:02 AM", ", Washington, Nov 20 2019", " March 16, 2020"]
    ),
)
def test_an_agency_alone_is_a_byline(agency, label, tail) -> None:
    """The agency alone: "Reuters", "Par AFP", "Af Ritzau", "Article from: Agence France-Presse", "Reuters,
    Washington,", "Associated Press November 19, 2019, 9:02 AM"."""
    agency, alias = agency
    text = f"{label} {alias}{tail}".strip()
    found = _covers(GRAMMAR.parse_byline(text), text, alias)
    assert (found.kind, found.agency, found.person) == ("byline", agency, None)
    expected = "label_agency" if label else ("agency_short" if len(alias) <= 2 and not tail else "agency")
    assert found.form == expected


@settings(max_examples=150, deadline=None)
@given(agency=agencies(cases=False), person=persons(), under=st.sampled_from(["({})", "( {} )", "{}", "{} Sports Writer"]))
def test_an_agency_line_under_a_name_line_is_a_byline(agency, person, under) -> None:
    """Two lines: "By JANE DOE" over "(AP)" or "AP Sports Writer"."""
    agency, alias = agency
    text = f"By {person}\n{under.format(alias)}\n"
    found = _covers(GRAMMAR.parse_byline(text), text, f"By {person}", alias)
    assert (found.agency, found.person, found.form) == (agency, person, "agency_line")


# -- datelines --------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    agency=agencies(),
    city=st.sampled_from(CITIES),
    date=st.sampled_from(["", *DATES]),
    inner=st.sampled_from(["", " "]),
    dash=st.sampled_from(DASHES),
    space=st.sampled_from(["", " "]),
)
def test_a_city_date_and_marker_open_a_dateline(agency, city, date, inner, dash, space) -> None:
    """City, date, marker, dash: "SANTA FE, N.M. (AP) —", "WASHINGTON, Aug. 20 (Yonhap) --", "( Reuters )-",
    "City, Jun 11 (efe-epa).-", "Beijing [China], May 16 (ANI):"."""
    agency, alias = agency
    marker = f"({inner}{alias}{inner})"
    head = f"{city}, {date}" if date else city
    text = f"{head} {marker}{space}{dash} {BODY}"
    found = _covers(GRAMMAR.parse_dateline(text), text, head, marker, dash)
    assert (found.kind, found.agency, found.form) == ("dateline", agency, "city_marker")
    assert found.start == 0


@settings(max_examples=150, deadline=None)
@given(agency=agencies(), city=st.sampled_from(["", "ROMA, 28 LUG", "PARIS", "WASHINGTON"]), dash=st.sampled_from(DASHES))
def test_a_marker_may_open_the_paragraph(agency, city, dash) -> None:
    """Marker first: "(ANSA) - ROMA, 28 LUG -", "(Reuters) — The ...", "(AFP) PARIS -"."""
    agency, alias = agency
    marker = f"({alias})"
    text = f"{marker} {dash} {city} {dash} {BODY}" if city else f"{marker} {dash} {BODY}"
    found = _covers(GRAMMAR.parse_dateline(text), text, marker, city)
    assert (found.agency, found.form) == (agency, "marker_first")


@settings(max_examples=150, deadline=None)
@given(agency=agencies(), person=persons(), city=st.sampled_from(CITIES), role=st.sampled_from(["", ", Staff Writer"]))
def test_a_dateline_may_follow_a_byline_line(agency, person, city, role) -> None:
    """A byline line, then the dateline: "By Jane Doe\\nWASHINGTON (AP) — ..."."""
    agency, alias = agency
    dateline = f"{city} ({alias}) —"
    text = f"By {person}{role}\n{dateline} {BODY}"
    found = _covers(GRAMMAR.parse_dateline(text), text, dateline)
    assert found.agency == agency and found.start == text.index(dateline)


@settings(max_examples=150, deadline=None)
@given(
    agency=agencies(cases=False),
    block=st.sampled_from(
        ["{city} ({alias})", "{city}, {date} ({alias})", "Headline of the story\n{date} ({alias})", "Headline of the story\n({alias})"]
    ),
    city=st.sampled_from(CITIES),
    date=st.sampled_from(DATES),
)
def test_a_marker_may_end_a_short_city_or_date_line(agency, block, city, date) -> None:
    """A marker ending a line: "CITY, State (AFP)" as its own block; "(IANS)" closing a headline and date block."""
    agency, alias = agency
    text = block.format(city=city, date=date, alias=alias)
    found = _covers(GRAMMAR.parse_dateline(text), text, f"({alias})")
    assert (found.agency, found.form) == (agency, "marker_line_end")


def test_composite_via_and_table_markers() -> None:
    cases = {
        "BERLIN (Tagesspiegel / dpa - 12. März) - Der Senat": ("dateline", "composite_marker", "dpa"),
        "CNN via Reuters - The company said": ("via", "outlet_via", "Reuters"),
        "Bamberg (dpa/lby) - Ein Unfall": ("dateline", "city_marker", "dpa"),
        "MOSCOW, May 1. /TASS/. The ministry": ("dateline", "table_marker", "TASS"),
        "МОСКВА, 1 мая - РИА Новости. Текст": ("dateline", "table_marker", "RIA Novosti"),
        "ПЕТРОПАВЛОВСК. КАЗИНФОРМ – Текст": ("dateline", "table_marker", "Kazinform"),
        "WASHINGTON (AP) A messy state budget deal": ("dateline", "city_marker_nodash", "Associated Press"),
        "Headline of the story (IANS)\nNovember 20, 2019": ("dateline", "marker_headline_end", "IANS"),
    }
    for text, (kind, form, name) in cases.items():
        found = GRAMMAR.parse_dateline(text)
        assert found is not None and (found.kind, found.form, found.agency.name) == (kind, form, name), text


# -- sign-offs --------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    agency=agencies(cases=False),
    form=st.sampled_from(["dash", "paren", "source", "alone", "label"]),
    dash=st.sampled_from(["-", "--", "–", "—"]),
    space=st.sampled_from(["", " "]),
    own_line=st.booleans(),
)
def test_an_agency_signs_off_the_story(agency, form, dash, space, own_line) -> None:
    """Sign-offs: "— AFP", "- AFP", "--IANS", "(ANSA).", "(Quelle: APA/sda/dpa)", "PTI", "Af Ritzau"."""
    agency, alias = agency
    closing = {
        "dash": f"{dash}{space}{alias}",
        "paren": f"({alias}).",
        "source": f"(Quelle: {alias})",
        "alone": alias,
        "label": f"Af {alias}",
    }[form]
    if form in ("alone", "label"):
        own_line = True
    text = f"{BODY}{chr(10) if own_line else ' '}{closing}"
    found = _covers(GRAMMAR.parse_signoff(text), text, closing)
    assert (found.kind, found.agency) == ("signoff", agency)


STEPS = ["Reporting", "reporting", "Additional reporting", "Writing", "Compiled", "Graphics"]


@st.composite
def teams(draw: st.DrawFn) -> str:
    """One to three people, each perhaps with the place they worked in."""
    people = [
        draw(persons()) + draw(st.sampled_from(["", " in London", " in WASHINGTON", " from Rio de Janeiro"]))
        for _ in range(draw(st.integers(1, 3)))
    ]
    return people[0] if len(people) == 1 else ", ".join(people[:-1]) + " and " + people[-1]


@settings(max_examples=300, deadline=None)
@given(
    steps=st.lists(st.tuples(st.sampled_from(STEPS), teams()), min_size=1, max_size=3),
    editors=teams(),
    brackets=st.booleans(),
    own_line=st.booleans(),
    dot=st.sampled_from(["", "."]),
)
def test_reuters_credits_close_the_story(steps, editors, brackets, own_line, dot) -> None:
    """ "(Reporting by Jane Doe; Editing by John Smith)", "Reporting by A in B; Writing by C;
    Editing by D": Reuters' form, though it names no agency."""
    credits = "; ".join(f"{step} by {team}" for step, team in steps) + f"; Editing by {editors}"
    credits = f"({credits}){dot}" if brackets else credits + dot
    assume(len(credits) < 600)  # (the reader reads the story's last 600 characters)
    text = f"{BODY}{chr(10) if own_line else ' '}{credits}"
    found = _covers(GRAMMAR.parse_signoff(text), text, credits.rstrip("."))
    assert (found.kind, found.form, found.agency.name) == ("signoff", "reporting_trailer", "Reuters")


def test_credits_that_are_not_reuters_closing_lines() -> None:
    for text in [
        "Reporting by Jane Doe.",  # no editor: any newsroom's credit
        f"{BODY} Editing by John Smith",
        "The book's chapters (Reporting by Jane Doe; Editing by John Smith) are long.",  # not at the end
        f"{BODY} (Reporting by Jane Doe; Editing by John Smith",  # unbalanced
        f"{BODY} Reporting by Jane Doe; Editing by John Smith)",
        f"{BODY} Reporting by Jane Doe; Editing by John Smith; said the paper's note about the series.",
    ]:
        found = GRAMMAR.parse_signoff(text)
        assert found is None or found.form != "reporting_trailer", text


def test_sign_off_forms() -> None:
    cases = {
        "He said. — AFP": ("signoff", "dash_agency", "Agence France-Presse"),
        "He said.--IANS": ("signoff", "dash_agency", "IANS"),
        "La California ha certificato. (ANSA).": ("signoff", "paren_agency", "ANSA"),
        "Der Unfall ereignete sich am Morgen.\n(Quelle: APA/sda/dpa)": ("signoff", "source_label", "APA"),
        "He said. PTI SKL RHL": ("signoff", "agency_initials", "PTI"),
        "He said. PTI": ("signoff", "sentence_agency", "PTI"),
        "He said.\nAP": ("signoff", "agency_short", "Associated Press"),
        "He said. (With inputs from PTI)": ("with_inputs", "with_inputs", "PTI"),
        "– Additional reporting from Reuters": ("with_inputs", "with_inputs", "Reuters"),
        "The Associated Press contributed to this report.": ("with_inputs", "contributed", "Associated Press"),
    }
    for text, (kind, form, name) in cases.items():
        found = GRAMMAR.parse_signoff(text)
        assert found is not None and (found.kind, found.form, found.agency.name) == (kind, form, name), text
    for text in ["(With inputs from agencies)", "With Post wires", "SOURCE: News agencies"]:
        found = GRAMMAR.parse_signoff(text)
        assert found is not None and (found.kind, found.agency) == ("with_inputs", None), text


# -- copyright, licence, story IDs ------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    agency=agencies(),
    sign=st.sampled_from(["©", "© ", "(c) ", "Copyright ", "Copyright © ", "Copyright @ ", "© Copyright "]),
    year=st.sampled_from(["", "2019 ", "1998 - 2020 "]),
    after=st.sampled_from(["", ". All rights reserved.", " 2020", ", dpa:220124-99-835563/5"]),
    licence=st.booleans(),
)
def test_an_agency_copyright_line(agency, sign, year, after, licence) -> None:
    """Copyright lines: "© 2019 The Associated Press. All rights reserved. This material may not be published,
    broadcast, rewritten or redistributed.", "Copyright @ 2019 Reuters", "© dpa-infocom, dpa:...".
    """
    agency, alias = agency
    line = f"{sign}{year}{alias}"
    notice = " This material may not be published, broadcast, rewritten or redistributed." if licence else ""
    text = f"{BODY}\n{line}{after}{notice}"
    found = _covers(GRAMMAR.find_copyright(text), text, line)
    assert (found.kind, found.agency) == ("copyright", agency)
    assert found.form == ("copyright_licence" if licence else "copyright")


def test_a_licence_line_is_its_own_kind() -> None:
    text = (
        "Copyright 2023 Example Media Inc. All rights reserved. This material may not be published, broadcast, rewritten, or redistributed."
    )
    found = _covers(GRAMMAR.find_copyright(text), text, "may not be published")
    assert (found.kind, found.agency, found.form) == ("licence", None, "licence")


@pytest.mark.parametrize(
    "text, form, name, evidence",
    [
        ("© dpa-infocom, dpa:201227-99-123456/3", "dpa_id", "dpa", "dpa:201227-99-123456/3"),
        (
            "AP-US--Trump-Impeachment, 4th Ld-Writethru\nWASHINGTON (AP) —",
            "ap_slug",
            "Associated Press",
            "AP-US--Trump-Impeachment, 4th Ld-Writethru",
        ),
        (
            "BC-EU--Britain-Brexit-Election, 1st Ld-Writethru",
            "ap_slug",
            "Associated Press",
            "BC-EU--Britain-Brexit-Election, 1st Ld-Writethru",
        ),
    ],
)
def test_story_ids(text, form, name, evidence) -> None:
    [found] = GRAMMAR.find_story_ids(text)
    assert (found.kind, found.form, found.agency.name, text[found.start : found.end]) == ("story_id", form, name, evidence)


def test_a_dpa_story_id_is_no_list_of_agencies() -> None:
    for text in ["Der Text endet hier.\n© dpa-infocom, dpa:220124-99-835563/5", "Der Text endet hier. dpa:201227-99-123456/3"]:
        assert GRAMMAR.parse_signoff(text) is None
        assert [found.form for found in GRAMMAR.find_story_ids(text)] == ["dpa_id"]
    assert GRAMMAR.find_story_ids("pandpa:201227-99-123456/3 XAP-US--Trump") == []


# -- credits and other hard negatives -----------------------------------------------------------

CREDITS = [
    "Photo: {person}/{alias}",
    "Photo: {person} / {alias} via Getty Images",
    "({person} / {alias})",
    "({alias} Photo/{person})",
    "© {alias} | {person}",
    "© {alias} / {person}",
    "Credit: {alias}",
    "[File: {alias}]",
    "{person}/Invision/{alias}",
    "Photograph: {alias} via Getty",
    "Photograph by {person}/{alias}/Getty Images",
    "{person}/{alias}",
    "Protesters gather in the capital on Monday, {person} says ({alias})",
]


@settings(max_examples=300, deadline=None)
@given(agency=agencies(cases=False, min_len=3), person=persons(), template=st.sampled_from(CREDITS))
def test_photo_credits_are_credits_not_bylines_or_sign_offs(agency, person, template) -> None:
    agency, alias = agency
    text = template.format(person=person, alias=alias)
    found = _covers(GRAMMAR.parse_credit(text), text, alias)
    assert (found.kind, found.agency) == ("credit", agency)
    _none_of(text, "byline", "signoff", "copyright")


@pytest.mark.parametrize("text", ["Quelle: dpa", "Source: AP", "(Quelle: APA/sda/dpa)"])
def test_a_source_line_is_a_credit_or_a_sign_off_by_where_it_sits(text) -> None:
    """The words "Quelle: dpa" under a teaser image is a credit and under a story a sign-off: both
    readers say so, and the caller knows where the line sits."""
    credit, signoff = GRAMMAR.parse_credit(text), GRAMMAR.parse_signoff(text)
    assert credit is not None and signoff is not None
    assert credit.agency == signoff.agency and credit.form == signoff.form == "source_label"


@settings(max_examples=200, deadline=None)
@given(
    person=persons(),
    label=st.sampled_from(LABELS),
    template=st.sampled_from(
        ["{label} {person}, Staff Writer", "{label} {person}", "{person}, Special to the Post", "{label} {person} | The Globe"]
    ),
)
def test_staff_bylines_name_no_agency(person, label, template) -> None:
    text = template.format(person=person, label=label)
    _none_of(text, "byline", "dateline", "signoff", "credit", "copyright")


@settings(max_examples=200, deadline=None)
@given(
    agency=agencies(cases=False),
    template=st.sampled_from(
        [
            "{alias} reported that the minister resigned on Tuesday.",
            "According to {alias}, the talks failed.",
            "The minister told {alias} on Monday that the talks had failed.",
            "A spokesperson said in an email to {alias} that the company would appeal.",
            "Various outlets, including {alias}, reported the figures.",
            "The figures were first reported by {alias} and later confirmed by officials.",
        ]
    ),
)
def test_sentences_that_mention_an_agency_are_no_attribution(agency, template) -> None:
    _, alias = agency
    text = template.format(alias=alias)
    _none_of(text, "byline", "dateline", "signoff", "credit", "copyright")


@settings(max_examples=200, deadline=None)
@given(agency=agencies(cases=False), brand=st.sampled_from(["Gazette", "Something", "Zeitung", "Tribune"]), city=st.sampled_from(CITIES))
def test_a_brand_made_of_a_wire_name_and_a_hyphen_is_not_the_wire(agency, brand, city) -> None:
    """A site's brand such as "Reuters-Gazette" or "AFP-Something"."""
    _, alias = agency
    name = f"{alias}-{brand}"
    for text in [name, f"By {name}", f"By Jane Doe, {name}", f"{BODY} — {name}", f"{city} ({name}) - {BODY}", f"© 2019 {name}"]:
        _none_of(text, "byline", "dateline", "signoff", "copyright")


@pytest.mark.parametrize("text", ["NaN / NaN", "NaN", "0:00 / NaN", "Ap", "By Jane Doe, Nan", "He said. Nan", "Tom Krisher, Ap"])
def test_short_names_count_only_in_their_case(text) -> None:
    """A video player's "NaN / NaN" is not the News Agency of Nigeria; "Ap" is AP only
    before a role."""
    _none_of(text, "byline", "dateline", "signoff", "credit", "copyright")


@pytest.mark.parametrize(
    "text",
    [
        "The plan (which was long) - and costly - passed.",
        "WASHINGTON (which was long) - The plan passed.",
        "HONOLULU, Hawaii (HawaiiNewsNow) - The plan passed.",
        "The American Psychological Association (APA) – the largest group – said.",
        "Spektrum CP",
        "TAKE CONTROL IN THE APP",
        "Natalie Naccache | Bloomberg | Getty Images",
        "Copyright 2023 Nexstar Media Inc. All rights reserved.",
        "Relatives of the missing passengers pray at Juanda Airport, in Surabaya, Indonesia (EPA)",
        "(AP)",
    ],
)
def test_lookalikes_are_no_agency_evidence(text) -> None:
    """A parenthesised word that is no agency; a site's own brand in a dateline; an agency
    abbreviation after an organisation; credits and captions (none of these is a byline,
    dateline, sign-off or copyright line)."""
    _none_of(text, "byline", "dateline", "signoff", "copyright")


# -- lines from labelled pages ------------------------------------------------------------------
# From /work/labelling/scorer/aeb-labels.jsonl ("forms") and shared/data/farm-dev/labels.jsonl
# ("evidence"): the exact text of the evidence on real pages, with its kind and agency.

REAL_LINES = [
    ("byline", "Tom Krisher, Ap Auto Writer", "Associated Press"),
    ("byline", "By TOM KRISHER, AP Auto Writer", "Associated Press"),
    ("byline", "Associated Press November 19, 2019, 9:02 AM", "Associated Press"),
    ("byline", "Reuters, Washington,", "Reuters"),
    ("byline", "By Reuters", "Reuters"),
    ("byline", "Tom Davies Associated Press", "Associated Press"),
    ("byline", "The Associated Press", "Associated Press"),
    ("byline", "Reuters March 16, 2020", "Reuters"),
    ("byline", "By HILLEL ITALIE, AP National Writer", "Associated Press"),
    ("byline", "PTI, Washington, Nov 20 2019", "PTI"),
    ("byline", "By Associated Press", "Associated Press"),
    ("byline", "Quelle: dpa-AFX", "dpa-AFX"),
    ("byline", "By STEVE PEOPLES, AP National Political Writer", "Associated Press"),
    ("byline", "Af Ritzau", "Ritzau"),
    ("byline", "Associated Press in Valencia", "Associated Press"),
    ("byline", "Gary B. Graves, AP Sports Writer", "Associated Press"),
    ("byline", "Robert Burns, AP National Security Writer", "Associated Press"),
    ("byline", "By Tom Davies - Associated Press - Friday, April 28, 2023", "Associated Press"),
    ("dateline", "SAN FRANCISCO (AP) —", "Associated Press"),
    ("dateline", "HAYWARD, Calif. (AP) — The Latest on a deadly stabbing", "Associated Press"),
    ("dateline", "SEOUL, Aug. 20 (Yonhap) --", "Yonhap"),
    ("dateline", "Bogotá (dpa) - Gebrochene Wirbelsäule", "dpa"),
    ("dateline", "ST. JOSEPH, Mich. (AP) —", "Associated Press"),
    ("dateline", "Berlin/Frankfurt (dpa) - Immer mehr junge Menschen", "dpa"),
    ("dateline", "LOS ANGELES (AP) -- Hollywood's actors union", "Associated Press"),
    ("dateline", "(ANSA) - ROMA, 28 LUG - ", "ANSA"),
    ("dateline", "(Reuters) — The New York State Attorney General (NYAG) is investigating WeWork", "Reuters"),
    ("dateline", "PARIS (Reuters) – Protesters opposed to", "Reuters"),
    ("dateline", "Bamberg (dpa/lby) - ", "dpa"),
    ("dateline", "ПЕТРОПАВЛОВСК. КАЗИНФОРМ –", "Kazinform"),
    ("signoff", "(Quelle: APA/sda/dpa)", "APA"),
    ("signoff", "La California ha certificato. (ANSA).", "ANSA"),
    ("signoff", "The world athletics championships will go ahead. — AFP", "Agence France-Presse"),
    ("signoff", "Quelle: dpa", "dpa"),
    ("with_inputs", "– Additional reporting from Reuters", "Reuters"),
    ("copyright", "© dpa-AFX | Abb.: Fraport", "dpa-AFX"),
    ("copyright", "© dpa-infocom, dpa:220124-99-835563/5", "dpa-infocom"),
    (
        "copyright",
        "© 2019 Associated Press. All Rights Reserved. This material may not be published, broadcast, rewritten or redistributed.",
        "Associated Press",
    ),
    ("copyright", "© Thomson Reuters 2020", "Reuters"),
    ("copyright", "©2019 The Associated Press. All rights reserved.", "Associated Press"),
    ("story_id", "AP-US--Trump-Impeachment, 4th Ld-Writethru", "Associated Press"),
    ("story_id", "BC-EU--Britain-Brexit-Election, 1st Ld-Writethru", "Associated Press"),
    ("credit", "(Reed Saxon / Associated Press)", "Associated Press"),
    ("credit", "© REUTERS / POOL", "Reuters"),
    ("credit", "(AP Photo/Jeffrey T. Barnes)", "Associated Press"),
    ("credit", "© Reuters / David Mercado", "Reuters"),
    ("credit", "Photograph: AFP via Getty", "Agence France-Presse"),
    ("credit", "[File: Reuters]", "Reuters"),
    ("credit", "J. Scott Applewhite / AP file", "Associated Press"),
    ("credit", "Credit: EPA", "EPA"),
    ("credit", "Photo: David Zalubowski, STF / Associated Press", "Associated Press"),
    ("credit", "New York State Sex Offender Registry via AP", "Associated Press"),
    ("credit", "(Photos by Richard Shotwell, left, and Mark Von Holden/Invision/AP)", "Associated Press"),
    ("credit", "Photograph by Robyn Beck/AFP/Getty Images", "Agence France-Presse"),
    ("credit", "The WeWork logo is displayed outside of a co-working space in New York. Reuters", "Reuters"),
]
REAL_OTHERS = [
    "A similarly fresh Reuters poll has lower numbers for removal (44 percent of Americans say they want the House to impeach"
    " and the Senate to convict)",
    "According to Reuters, the NYAG’s questions include if WeWork founder and former CEO Adam Neumann engaged in self-dealing.",
    "Small investors in Hong Kong have welcomed the deal, subscribing for so many shares they will be allotted the maximum"
    " 10 per cent of the total they can get, Reuters reported.",
    "An Associated Press journalist in the area also reported hearing gunfire near the fuel facility in Senkata",
    "Carlineo's attorney, Sonya Zoghlin, said in an email to The Associated Press that Carlineo never intended to harm Omar.",
    "Various outlets, including Agence France-Presse, the Associated Press, National Public Radio, and Reuters, reported"
    " that a United Nations study showed",
    "According to AFP, one user on Weibo, which is essentially China’s version of Twitter, posted:",
    "the Inner Mongolia health commission said, according to Reuters.",
    "HONOLULU, Hawaii (HawaiiNewsNow) -",
    "Detroit News wire services",
]


@pytest.mark.parametrize("kind, text, name", REAL_LINES)
def test_real_lines(kind, text, name) -> None:
    if kind == "story_id":
        found: Attribution | None = GRAMMAR.find_story_ids(text)[0]
    elif kind == "with_inputs":
        found = GRAMMAR.parse_signoff(text)
    else:
        found = READERS[kind](text)
    assert found is not None and found.agency is not None
    assert (found.kind, found.agency.name) == (kind, name)
    if kind == "credit":
        _none_of(text, "byline", "signoff")


@pytest.mark.parametrize("text", REAL_OTHERS)
def test_real_mentions_are_no_attribution(text) -> None:
    _none_of(text, "byline", "dateline", "signoff", "credit", "copyright")


def test_the_grammar_follows_the_table(tmp_path) -> None:
    """Nothing about the agencies is in the code: a table of one made-up agency is read."""
    (tmp_path / "provenance.tsv").write_text("code\tlanguage\tpattern\tliterals\texample\n", encoding="utf-8")
    header = "agency\taliases\tdateline_regex\town_domains\tlanguage\tnote\n"
    (tmp_path / "agencies.tsv").write_text(header + "Acme Wire\tAcme Wire|AW\t\\(AW\\)\tacme.example\ten\t\n", encoding="utf-8")
    grammar = Grammar.of(load_patterns(tmp_path))
    assert grammar.parse_byline("By Jane Doe, Acme Wire").agency.name == "Acme Wire"
    assert grammar.parse_dateline("SPRINGFIELD (AW) — The plan").agency.name == "Acme Wire"
    assert grammar.parse_signoff("He said. — AW").agency.name == "Acme Wire"
    assert grammar.parse_byline("By Jane Doe, Reuters") is None
    assert grammar.find_story_ids("dpa:201227-99-123456/3") == []


# -- robustness and cost ------------------------------------------------------------------------

TOKENS = [
    "(", ")", " ( ", "/", " / ", "-", "--", " — ", ":", ".", ". ", ", ", "\n", " ", "  ", "|", "©", "(c)", "@", "[", "]",
    "By ", "Von ", "Quelle: ", "Photo: ", "via ", "Staff Writer", "Sports Writer", "With inputs from ", "contributed to this report",
    "Jane", "DOE", "B.", "WASHINGTON", "N.M.", "Aug. 20", "2019", "9:02 AM", "dpa:", "201227-99-123456/3", "AP-US--", "Ld-Writethru",
    "may not be published, broadcast, rewritten or redistributed", "NaN", "Ap", "-Gazette", "(Reporting by ", "; Editing by ", " in ",
    "AP", "AFP", "Reuters", "dpa", "sda", "APA", "PTI", "EFE", "efe-epa", "The Associated Press", "Agence France-Presse", "ANSA", "/TASS/",
]  # fmt: skip
TEXTS = st.one_of(st.text(max_size=300), st.lists(st.sampled_from(TOKENS), max_size=60).map("".join))
ALL_READERS = {**READERS, "story_ids": GRAMMAR.find_story_ids}


@settings(max_examples=400, deadline=None)
@given(text=TEXTS)
def test_any_text_gives_a_valid_answer_in_a_few_milliseconds(text) -> None:
    for name, reader in ALL_READERS.items():
        start = time.perf_counter()
        result = reader(text)
        if time.perf_counter() - start > 0.005:  # (time again: the machine may be busy)
            assert _seconds(reader, text) < 0.005, (name, text)
        for found in result if isinstance(result, list) else [result]:
            if found is not None:
                assert found.kind in KINDS and 0 <= found.start <= found.end <= len(text)
                assert found.agency is not None or found.kind in ("licence", "with_inputs")


ADVERSARIAL = [
    "(", "(AP ", "( Reuters ", "Aaaa ", "By A ", "© ", "© AP/", "dpa:", "AP-US--", "- AFP ", " ", "\n", "Jane Doe/", "Jane Doe, ",
    "WASHINGTON, Aug. 20 ", "may not be published, ", "A", ".", "/", "(Site / ", "Photo: ", "With inputs from ", "PTI ", "B. ",
    "Reporting by Jane Doe in London and ", "; Editing by A ", "By JANE DOE ",
]  # fmt: skip


@pytest.mark.parametrize("unit", ADVERSARIAL)
def test_long_inputs_take_linear_time(unit) -> None:
    """100 KB of any one repeated unit: no reader takes more than a few milliseconds, and
    twice the text takes about twice the time at most."""
    base = unit * (100_000 // len(unit))
    for name, reader in ALL_READERS.items():
        small, large = _seconds(reader, base), _seconds(reader, base * 2)
        assert small < 0.1, (name, unit, small)
        assert large < 3 * small + 0.005, (name, unit, small, large)


def _seconds(reader: Callable[[str], object], text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        reader(text)
        best = min(best, time.perf_counter() - start)
    return best

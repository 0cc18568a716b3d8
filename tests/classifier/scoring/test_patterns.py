"""The pattern tables themselves: every agency row loads, short aliases match only in their own
case, aliases and own domains are unambiguous, and the provenance codes' examples match."""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from classifier.hosts import registered_domain
from classifier.scoring.patterns import (
    SHORT_ALIAS,
    PatternError,
    Patterns,
    _rows,
    load_patterns,
    patterns_folder,
    provenance_rows,
)

PATTERNS = load_patterns()
AGENCY_ROWS = list(_rows(patterns_folder() / "agencies.tsv"))
KNOWN_CODES = {
    "disclaimer",
    "press_release",
    "press_release_wire",
    "machine_text",
    "with_agency_inputs",
    "licence_line",
    "via_wire",
}


def _example(row: dict[str, str]) -> str:
    return row["example"].replace("\\n", "\n").replace("\\\\", "\\")


def test_every_agency_row_loads() -> None:
    assert isinstance(PATTERNS, Patterns)
    assert len(PATTERNS.agencies) == len(AGENCY_ROWS) >= 200
    languages = set()
    for row, agency in zip(AGENCY_ROWS, PATTERNS.agencies, strict=True):
        assert agency.name == row["agency"].strip() and agency.name
        assert agency.aliases or agency.dateline, agency.name
        assert (row["case"] or "") in ("", "exact"), agency.name
        if agency.dateline:
            re.compile(agency.dateline)
        codes = row["language"].split("|")
        assert all(re.fullmatch("[a-z]{2}", code) for code in codes), (agency.name, codes)
        languages.update(codes)
    assert len(languages) >= 15


def test_short_aliases_match_only_as_written_or_in_capitals() -> None:
    for agency in PATTERNS.agencies:
        for alias in agency.aliases:
            assert PATTERNS.agency_named(alias) is agency
            if alias.upper().lower() == alias.lower():  # not so for Turkish "ı": "AJANSI" is "ajansi"
                assert PATTERNS.agency_named(alias.upper()) is agency
            if len(alias) > SHORT_ALIAS and alias not in agency.exact_case:
                continue
            assert alias in agency.exact_case
            spellings = {a for a in agency.aliases if a.lower() == alias.lower()} | {
                a.upper() for a in agency.aliases if a.lower() == alias.lower()
            }
            for other in {alias.lower(), alias.title(), alias.swapcase(), alias.capitalize()} - spellings:
                assert PATTERNS.agency_named(other) is None, (agency.name, other)
                assert not PATTERNS.alias_search.fullmatch(other), (agency.name, other)


def test_case_examples() -> None:
    named = PATTERNS.agency_named
    assert named("AP").name == named("Associated Press").name == "Associated Press"
    assert named("ap") is None and named("Ap") is None
    assert named("NAN").name == "NAN" and named("NaN") is None and named("nan") is None
    assert named("dpa").name == named("DPA").name == "dpa" and named("Dpa") is None
    assert named("reuters").name == "Reuters"  # long aliases: any case
    assert named("Bernama").name == "Bernama" and named("bernama") is None  # case = exact
    assert named("Antara") is None and named("ANTARA").name == "Antara"
    assert PATTERNS.alias_search.findall("NaN / NaN, ap, Antara lain, la prensa latina, Dow Jones index") == []
    assert PATTERNS.alias_search.findall("By ANTARA, said dpa-AFX and Prensa Latina") == ["ANTARA", "dpa-AFX", "Prensa Latina"]


def test_no_two_agencies_share_an_alias() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for agency in PATTERNS.agencies:
        for alias in agency.aliases:
            owners[alias.lower()].add(agency.name)
    shared = {alias: names for alias, names in owners.items() if len(names) > 1}
    assert shared == {}


def test_own_domains_are_lower_case_registered_domains_of_one_agency() -> None:
    seen: dict[str, str] = {}
    for agency in PATTERNS.agencies:
        for domain in agency.own_domains:
            assert domain == domain.lower() == registered_domain(domain), (agency.name, domain)
            assert seen.setdefault(domain, agency.name) == agency.name, domain
    for row in AGENCY_ROWS:  # as written in the table, not only after the loader's lower()
        for domain in filter(None, row["own_domains"].split("|")):
            assert domain == domain.strip().lower(), (row["agency"], domain)


def test_an_unknown_case_value_is_refused(tmp_path: Path) -> None:
    for name in ("agencies.tsv", "provenance.tsv"):
        shutil.copy(patterns_folder() / name, tmp_path / name)
    table = tmp_path / "agencies.tsv"
    text = table.read_text(encoding="utf-8")
    table.write_text(text.replace("\tAssociated Press|The Associated Press|AP|أسوشيتد برس\t\t", "\tAP\tloose\t", 1), encoding="utf-8")
    with pytest.raises(PatternError):
        load_patterns(tmp_path)


def test_provenance_codes_are_known_and_each_new_code_has_matching_examples() -> None:
    rows = provenance_rows()
    assert {row["code"] for row in rows} == KNOWN_CODES
    for code, least in (("licence_line", 10), ("via_wire", 8)):
        own = [row for row in rows if row["code"] == code]
        assert len(own) >= least, code
        for row in own:
            assert re.search(row["pattern"], _example(row), re.IGNORECASE), row["pattern"]
    languages = {row["language"] for row in rows if row["code"] in ("disclaimer", "licence_line", "press_release")}
    assert {"en", "de", "fr", "es", "pt", "it", "nl", "hi"} <= languages


ORDINARY = [
    "All rights reserved.",
    "Copyright 2024 Example News. All rights reserved.",
    "We walked via Reuters Street to the station - it took ten minutes.",
    "The data is sent via AP mode to the phone.",
    "He got there via the Reuters building, then took a cab.",
    "For more information, see our FAQ.",
    "Para más información sobre el producto, visite nuestra web.",
    "Voor meer informatie kunt u contact opnemen met onze klantenservice.",
    "Kontakte werden automatisch importiert.",
    "Mit Agenturen verhandelt die Stadt seit Jahren.",
    "The menu is connected with wires to the board.",
    "Source: our own survey of 200 readers.",
    "About the author\nJane writes about food and travel for several magazines around the world.\nPress inquiries",
    "La prensa latina celebró el premio.",
    "Die Meldung wurde von der Polizei bestätigt und automatisch weitergeleitet.",
    "O aplicativo é compatível com informações de contato salvas no telefone.",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_new_codes_do_not_match_ordinary_prose(text: str) -> None:
    matched = [phrase.pattern.pattern for phrase in PATTERNS.provenance if phrase.code != "machine_text" and phrase.pattern.search(text)]
    assert matched == []


def test_hyphenated_agency_names_are_found_whole() -> None:
    """The site-brand rule (README) leans on this: the longest alias wins, so "dpa-AFX" is one
    agency and "CNN-News18" is found as "CNN" followed by a hyphen, which the scorer can check."""
    found = [(m.group(0), m.end()) for m in PATTERNS.alias_search.finditer("dpa-AFX, Keystone-SDA, CNN-News18")]
    assert found == [("dpa-AFX", 7), ("Keystone-SDA", 21), ("CNN", 26)]

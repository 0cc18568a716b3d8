"""Agency evidence read with the attribution grammar, each piece where it belongs in the story zone.

- bylines in the lead (one block, or a name block over an agency block) -> `agency_byline`;
- the metadata and JSON-LD authors, read with the same grammar -> `agency_author`, or a person
  -> `staff_byline` (organisations such as "<X> News Service" or "wire services" are not staff);
- datelines at the start of the first paragraph, in the lead's short blocks, or in the next two
  paragraphs (form `late_paragraph`) -> `agency_dateline` ("OUTLET via WIRE -" -> `via_wire`);
  two or more datelined paragraphs after the first -> `datelined_teasers`, and no dateline;
- sign-offs in the story's last paragraphs and closing lines -> `agency_signature`, or "with
  inputs from" -> `with_agency_inputs`; a "Source: AP" under a table or photo is a credit;
- copyright and licence lines after the story (else elsewhere on the page, outside the story)
  -> `agency_copyright`, `licence_line`;
- wire story IDs in the story -> `agency_story_id`;
- agency names only in credits -> `agency_in_credit_only`.

Evidence naming the page's own brand is dropped; on an agency's own site the agency evidence is
dropped and one `agency_own_site` says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from ..extraction.dom import IN_FIGURE, IN_TABLE
from ..extraction.metadata import names_of
from .attribution import Attribution
from .context import PageContext
from .evidence import AGENCY_CODES, Evidence, snippet, words_cut
from .zone import SHORT_BLOCK

LATE_PARAGRAPHS = 2  # paragraphs after the first read for a dateline
SIGNOFF_PARAGRAPHS = 3  # last paragraphs read for a sign-off
TEASER_DATELINES = 2  # datelined paragraphs after the first that make the page a list of teasers
_TEASER_MARKER = 160  # characters of a paragraph in which a teaser's dateline marker stands
_PAGE_TAIL_BLOCKS = 40
_CREDIT_REACH = 40  # blocks around the story read for credits  # blocks after the story read for a copyright line outside it
_MENTION_CHARS = 2_500
_ORGANISATION_WORDS = frozenset(
    (
        "news service services wire wires staff desk team media press agency agencies bureau network newsroom editorial "
        "editors editor redaktion redazione redacción rédaction report reports digital online partners partner group "
        "inc llc ltd company newspaper magazine times post daily herald journal tribune gazette radio tv television "
        "x contributor contributors associated corporation corp international holdings limited bank university "
        "institute association council ministry department foundation office commission"
    ).split()
)
_PERSON_WORD = re.compile(r"^[^\W\d_][\w'’.-]*$")


def _item(ctx: PageContext, code: str, text: str, found: Attribution, index: int, **fields: object) -> Evidence:
    return Evidence(
        code,
        snippet(text, found.start, found.end),
        match=" ".join(text[found.start : found.end].split()),
        where=str(fields.pop("where", ctx.where(index))),
        form=str(fields.pop("form", found.form)),
        exact_case=found.exact_case,
        in_story=bool(fields.pop("in_story", ctx.zone.inside(index))),
        agency=found.agency.name if found.agency else "",
        block=index,
    )


def _pairs(ctx: PageContext, indices: Sequence[int]) -> Iterator[tuple[int, str]]:
    """Each short block with the next one under it ("By JANE DOE" over "(AP)")."""
    for position, i in enumerate(indices):
        text = ctx.text(i)
        if len(text) > SHORT_BLOCK and i != ctx.zone.first:
            continue
        following = indices[position + 1] if position + 1 < len(indices) else None
        if following is not None and len(ctx.text(following)) <= SHORT_BLOCK:
            yield i, text + "\n" + ctx.text(following)
        else:
            yield i, text


# "Detroit News wire services", "From wire reports", "News services": the wires as the author
# (not "Staff and wire reports", which is the site's own work).
_WIRE_SERVICES = re.compile(
    r"^\s*(?:(?:by|from)\s+)?(?:(?!staff\b)[\w.&'’-]+\s+){0,3}?(?:wire\s+(?:services|reports)|news\s+services|wires)\s*$", re.IGNORECASE
)


def _wire_services(ctx: PageContext, index: int, text: str) -> Evidence | None:
    line = text.split("\n")[0]
    if len(line) > 60 or not _WIRE_SERVICES.match(line):
        return None
    return Evidence("agency_byline", words_cut(line), match=line.strip(), where=ctx.where(index), form="wire_services", block=index)


def bylines(ctx: PageContext) -> list[Evidence]:
    """An agency byline in the lead, else a person's byline there (counter-evidence)."""
    person = None
    for i, text in _pairs(ctx, ctx.zone.lead):
        wires = _wire_services(ctx, i, text)
        if wires:
            return [wires]
        found = ctx.grammar.parse_byline(text)
        bare = (
            found is not None
            and _line_at(text, found.start).strip() == text[found.start : found.end].strip()
            and found.end - found.start <= 2
        )
        # (A bare "AA" or "AP" block is as often a font-size button as a byline.)
        if found and found.kind == "byline" and found.agency and not bare and not ctx.is_own_brand(found.agency):
            return [_item(ctx, "agency_byline", text, found, i)]
        if person is None:
            name = ctx.grammar.bylines.name_line.fullmatch(text.split("\n")[0])
            if name and is_person(name.group("person"), ctx.brand):
                person = Evidence("staff_byline", words_cut(text.split("\n")[0]), match=text.split("\n")[0].strip(), where="lead", block=i)
    return [person] if person else []


def _line_at(text: str, index: int) -> str:
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    return text[start : len(text) if end < 0 else end]


def is_person(name: str, brand: frozenset[str] = frozenset()) -> bool:
    """Whether an author name is a person's: two to five words that are names, none of them
    an organisation's word ("News Service", "Staff", "wire services") or the site's brand."""
    words = name.replace(",", " ").split()
    if not 2 <= len(words) <= 5 or any(not _PERSON_WORD.match(word) for word in words):
        return False
    folded = [word.lower().strip(".") for word in words]
    if any(word in _ORGANISATION_WORDS for word in folded):
        return False
    return " ".join(folded) not in brand


def authors(ctx: PageContext) -> list[Evidence]:
    """The metadata and JSON-LD authors: an agency -> `agency_author`; else a person ->
    `staff_byline`."""
    meta = ctx.page.meta
    names = [("author", meta.get("author", "")), ("author", meta.get("article:author", ""))]
    for obj in ctx.page.json_ld:
        names.extend(("author", name) for name in names_of(obj.get("author")))
    for obj in ctx.page.json_ld:
        names.extend(("publisher", name) for name in names_of(obj.get("publisher")))
    person = None
    for key, name in names:
        if not name or name.startswith("http"):
            continue
        found = ctx.grammar.parse_byline(name[:200])
        if found and found.kind == "byline" and found.agency and not ctx.is_own_brand(found.agency):
            return [
                Evidence(
                    "agency_author",
                    f"{key}: {words_cut(name, 80)} ({found.agency.name})",
                    where="meta",
                    form="publisher" if key == "publisher" else found.form,
                    exact_case=found.exact_case,
                    agency=found.agency.name,
                )
            ]
        if person is None and key == "author" and is_person(name, ctx.brand):
            person = Evidence("staff_byline", f"author: {words_cut(name, 80)}", where="meta")
    return [person] if person else []


def datelines(ctx: PageContext) -> list[Evidence]:
    """The story's dateline (see the module docstring), or the list-of-teasers counter-evidence."""
    zone, blocks = ctx.zone, ctx.page.blocks
    story_paragraphs = set(zone.paragraphs)
    paragraphs = [i for i in zone.body if i in story_paragraphs or blocks[i].tag == "td"]
    later = [i for i in paragraphs if i != zone.first]
    # (A teaser's dateline has its marker in brackets: "(AP) —".)
    teasers = [
        i
        for i in later
        if "(" in ctx.text(i)[:_TEASER_MARKER] and (found := ctx.grammar.parse_dateline(ctx.text(i))) and found.kind == "dateline"
    ]
    if len(teasers) >= TEASER_DATELINES:
        return [Evidence("datelined_teasers", f"{len(teasers)} paragraphs of the story start with a dateline", value=1.0, where="body")]
    lead = [i for i in zone.lead if i != zone.first]
    candidates = [(zone.first, ""), *((i, "") for i in lead), *((i, "late_paragraph") for i in paragraphs[1 : LATE_PARAGRAPHS + 1])]
    for i, form in candidates:
        text = ctx.text(i)
        found = ctx.grammar.parse_dateline(text)
        if found is None or not found.agency or ctx.is_own_brand(found.agency):
            continue
        code = "via_wire" if found.kind == "via" else "agency_dateline"
        return [_item(ctx, code, text, found, i, form=form or found.form)]
    return []


def _after_table_or_photo(ctx: PageContext, index: int) -> bool:
    blocks = ctx.page.blocks
    before = blocks[index - 1] if index > 0 else None
    return bool(blocks[index].flags & (IN_TABLE | IN_FIGURE) or (before is not None and before.flags & (IN_TABLE | IN_FIGURE)))


def signoffs(ctx: PageContext) -> list[Evidence]:
    """The agency signing off the story, or "with inputs from" (counter-evidence)."""
    zone = ctx.zone
    closing = [*zone.body[-SIGNOFF_PARAGRAPHS:], *zone.end]
    found_items: list[Evidence] = []
    for i in reversed(closing):
        text = ctx.text(i)
        found = ctx.grammar.parse_signoff(text)
        if found is None or _after_table_or_photo(ctx, i):
            continue
        if found.kind == "with_inputs":
            return [_item(ctx, "with_agency_inputs", text, found, i)]
        if found.agency and not ctx.is_own_brand(found.agency) and not found_items:
            found_items.append(_item(ctx, "agency_signature", text, found, i))
    return found_items


def copyright_lines(ctx: PageContext) -> list[Evidence]:
    """An agency's copyright line and the licence line, after the story or elsewhere."""
    zone = ctx.zone
    story_end = [*zone.body[-SIGNOFF_PARAGRAPHS:], *zone.end]
    tail = [i for i in range(zone.last + 1, min(len(ctx.page.blocks), zone.last + _PAGE_TAIL_BLOCKS)) if i not in story_end]
    for indices, in_story in ((story_end, True), (tail, False)):
        for i in indices:
            text = ctx.text(i)
            if not _may_hold_copyright(text):
                continue
            found = ctx.grammar.find_copyright(text)
            if found is None or ctx.is_own_brand(found.agency):
                continue
            if found.kind == "licence":
                if holder_before(ctx, text, found.start):
                    continue  # "Copyright 2024 Nexstar Media Inc. ... may not be published": not an agency's
                return [_item(ctx, "licence_line", text, found, i, form="licence_alone", in_story=in_story)]
            items = [_item(ctx, "agency_copyright", text, found, i, in_story=in_story)]
            if found.form == "copyright_licence":
                items.append(_licence_item(ctx, text, found, i, in_story))
            return items
    return []


def _may_hold_copyright(text: str) -> bool:
    """Whether a block holds what every copyright or licence line does: "©", "(c)",
    "copyright" or "rewritten" (in any case)."""
    if "©" in text:
        return True
    lowered = text.lower()
    return "(c)" in lowered or "copyright" in lowered or "rewritten" in lowered


def _licence_item(ctx: PageContext, text: str, found: Attribution, index: int, in_story: bool) -> Evidence:
    """The licence sentence of a copyright line that takes it in ("... may not be published,
    broadcast, rewritten or redistributed"): a piece of evidence of its own."""
    lowered = text.lower()
    start = max(lowered.find("may not"), lowered.find("this material"), found.start)
    return Evidence(
        "licence_line",
        snippet(text, start, found.end),
        match=" ".join(text[start : found.end].split()),
        where=ctx.where(index),
        form="with_agency",
        in_story=in_story,
        agency=found.agency.name if found.agency else "",
        block=index,
    )


_COPYRIGHT_SIGN = re.compile(r"©|\(c\)|copyright", re.IGNORECASE)
_HOLDER_CHARS = 300


def holder_before(ctx: PageContext, text: str, start: int) -> bool:
    """Whether the copyright line beside the licence sentence at `start` (before it, or after
    it in the same block) holds someone other than an agency: the site's owner ("Copyright 2024
    Nexstar Media Inc. All rights reserved. This material may not be ...", "This material may
    not be ... ©2019 FOX News Network, LLC")."""
    near = text[max(0, start - _HOLDER_CHARS) : start + _HOLDER_CHARS]
    if not _COPYRIGHT_SIGN.search(near):
        return False
    found = ctx.grammar.find_copyright(near)
    return found is None or found.kind != "copyright"


def story_ids(ctx: PageContext) -> list[Evidence]:
    """A wire story ID in the story ("dpa:201227-99-123456/3", "AP-US--Trump-Impeachment")."""
    for i in ctx.zone.blocks:
        text = ctx.text(i)
        if "dpa:" not in text and "--" not in text:
            continue
        found = ctx.grammar.find_story_ids(text)
        if found:
            return [_item(ctx, "agency_story_id", text, found[0], i)]
    return []


def credits_only(ctx: PageContext, agency_found: bool) -> list[Evidence]:
    """Agency names only in photo, table or teaser credits: counter-evidence."""
    if agency_found:
        return []
    body_text = ctx.joined(ctx.zone.body)[:_MENTION_CHARS]
    if ctx.patterns.alias_search.search(body_text):
        return []
    blocks = ctx.page.blocks
    zone = ctx.zone
    for i in range(max(0, min(zone.anchor, zone.first) - _CREDIT_REACH), min(len(blocks), zone.last + _CREDIT_REACH)):
        block = blocks[i]
        if len(block.text) > SHORT_BLOCK or not (block.flags & IN_FIGURE or i in ctx.zone.excluded or _after_table_or_photo(ctx, i)):
            continue
        if not ctx.patterns.alias_search.search(block.text):
            continue
        found = ctx.grammar.parse_credit(block.text)
        if found and found.agency:
            return [
                Evidence("agency_in_credit_only", words_cut(block.text), match=" ".join(block.text.split()), where=ctx.where(i), block=i)
            ]
    return []


def _author_name(item: Evidence) -> str:
    return (item.match or item.evidence.removeprefix("author: ")).removeprefix("By ").removeprefix("by ").strip().lower()


def agency_evidence(ctx: PageContext, *, credits: bool = True) -> list[Evidence]:
    """Every piece of agency evidence and agency counter-evidence on the page (`credits`,
    default True: also `agency_in_credit_only`)."""
    items = [*bylines(ctx), *authors(ctx), *datelines(ctx), *signoffs(ctx), *copyright_lines(ctx), *story_ids(ctx)]
    bylined = " ".join(item.match.lower() for item in items if item.code == "agency_byline")
    # The agency's own reporter named as the author ("Tom Davies" over "By Tom Davies -
    # Associated Press") is no staff byline.
    items = [item for item in items if not (item.code == "staff_byline" and bylined and _author_name(item) in bylined)]
    agency = [item for item in items if item.code in AGENCY_CODES or item.code == "licence_line"]
    others = [item for item in items if item not in agency]
    if ctx.own_site and agency:
        names = ", ".join(sorted({item.code for item in agency}))
        return [*others, Evidence("agency_own_site", f"{ctx.domain} ({ctx.own_site.name}): {names} not counted", where="page")]
    return [*items, *(credits_only(ctx, bool(agency)) if credits else ())]

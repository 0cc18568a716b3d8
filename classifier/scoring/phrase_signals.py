"""Evidence from the provenance phrases of the pattern table, and from the page's metadata.

- `disclaimer`: the site's own statement, in a short block anywhere outside navigation: one
  piece of evidence for the block, however many phrases match its sentence;
- `machine_text`: chatbot strings and prompt leftovers in the story;
- `press_release` (a press-release wire's marker, copyright line or repost footer) and
  `press_release_weak` (release boilerplate: "About <Company>", media contacts; one phrase alone
  is the weak form);
- `via_wire` and `licence_line` phrases the grammar does not read (distributors' footers, the
  licence sentence in other languages), and `with_agency_inputs` (counter-evidence);
- metadata: a canonical URL on another domain, syndication meta tags, JSON-LD `isBasedOn` /
  `sourceOrganization` naming another site.

Each phrase is searched in the story zone first; found only elsewhere on the page, the piece of
evidence is marked outside the story.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from ..extraction.metadata import names_of
from ..hosts import registered_domain
from .agency_signals import holder_before
from .context import JoinedText, PageContext, is_note
from .evidence import Evidence, snippet, words_cut
from .patterns import Phrase


def _first_match(ctx: PageContext, phrases: Sequence[Phrase], joined: JoinedText) -> tuple[int, re.Match[str]] | None:
    """The earliest of the `joined` blocks in which a phrase matches, with its earliest match
    there. Each phrase is searched once in the blocks' joined text (`JoinedText.search`), then
    in the block it hit."""
    if not phrases or not joined.indices:
        return None
    starts = [match.start() for phrase in phrases if (match := joined.search(phrase.pattern))]
    if not starts:
        return None
    for i in joined.indices[bisect_right(joined.starts, min(starts)) - 1 :]:
        block_text = ctx.text(i)
        matches = [m for phrase in phrases if (m := phrase.pattern.search(block_text))]
        if matches:
            return i, min(matches, key=lambda m: (m.start(), -m.end()))
    return None


def _phrase_item(ctx: PageContext, code: str, phrases: Sequence[Phrase], *, page_too: bool = True, form: str = "") -> list[Evidence]:
    """One piece of evidence for the first block holding any of `phrases`: in the story zone,
    else (with `page_too`) elsewhere on the page outside navigation, marked outside the story."""
    if not phrases:
        return []
    found = _first_match(ctx, phrases, ctx.zone_text)
    in_story = found is not None
    if found is None and page_too:
        found = _first_match(ctx, phrases, ctx.outside_text)
    if found is None:
        return []
    i, match = found
    text = ctx.text(i)
    return [
        Evidence(
            code,
            snippet(text, match.start(), match.end()),
            match=" ".join(match.group(0).split()),
            where=ctx.where(i),
            form=form,
            in_story=in_story,
            block=i,
        )
    ]


_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the sentence that holds `text[start:end]`."""
    before = [m.end() for m in _SENTENCE_END.finditer(text, 0, start)]
    after = _SENTENCE_END.search(text, end)
    left = before[-1] if before else 0
    while left < start and text[left].isspace():
        left += 1
    return left, (after.end() if after and after.group() != "\n" else after.start() if after else len(text))


def disclaimers(ctx: PageContext) -> list[Evidence]:
    """The site's statement that the text was published unreviewed, in a short block."""
    phrases = ctx.phrases_of("disclaimer")
    if not phrases:
        return []
    blocks = ctx.page.blocks
    found = _first_match(ctx, phrases, JoinedText.of(blocks, [i for i, b in enumerate(blocks) if is_note(b)]))
    if found is None:
        return []
    i, match = found
    text = ctx.text(i)
    # The whole sentence is the evidence: one reason, however many phrases match it.
    start, end = sentence_around(text, match.start(), match.end())
    return [
        Evidence(
            "disclaimer",
            snippet(text, start, end),
            match=" ".join(text[start:end].split()),
            where=ctx.where(i),
            in_story=True,  # a note anywhere on the page speaks for the page
            block=i,
        )
    ]


def press_releases(ctx: PageContext) -> list[Evidence]:
    """A press-release wire's marks (strong), and release boilerplate (weak)."""
    items = _phrase_item(ctx, "press_release", ctx.phrases_of("press_release_wire"))
    boilerplate = ctx.phrases_of("press_release")
    if boilerplate:
        matching = [phrase for phrase in boilerplate if ctx.zone_text.search(phrase.pattern)]
        if matching:
            form = "one_phrase" if len(matching) == 1 else "phrases"
            items.extend(_phrase_item(ctx, "press_release_weak", matching, page_too=False, form=form))
    return items


def table_phrases(ctx: PageContext) -> list[Evidence]:
    """Machine text, distributor footers, licence sentences and "with inputs from" phrases."""
    items = []
    items.extend(_phrase_item(ctx, "machine_text", ctx.phrases_of("machine_text"), page_too=False))
    items.extend(_phrase_item(ctx, "via_wire", ctx.phrases_of("via_wire")))
    for licence in _phrase_item(ctx, "licence_line", ctx.phrases_of("licence_line"), form="licence_alone"):
        text = ctx.text(licence.block)
        if not holder_before(ctx, text, text.find(licence.match.split()[0])):
            items.append(licence)
    items.extend(_phrase_item(ctx, "with_agency_inputs", ctx.phrases_of("with_agency_inputs"), page_too=False))
    return items


def other_sources(ctx: PageContext) -> list[Evidence]:
    """Metadata that names another source (see the module docstring)."""
    page, domain = ctx.page, ctx.domain
    items = []
    canonical = page.canonical
    if page.url and canonical.startswith(("http://", "https://")):
        other = registered_domain(canonical)
        if other and domain and other != domain:
            items.append(Evidence("cross_domain_canonical", f"canonical: {words_cut(canonical, 150)}", where="meta"))
    for key in ("syndication-source", "original-source"):
        value = page.meta.get(key) or ""
        if value.startswith(("http://", "https://")) and registered_domain(value) != domain:
            items.append(Evidence("syndication_meta", f'<meta name="{key}" content="{words_cut(value, 120)}">', where="meta"))
            break
    if ctx.own_site:
        return items
    for obj in page.json_ld:
        for key in ("isBasedOn", "sourceOrganization", "isBasedOnUrl"):
            source = obj.get(key)
            names = [str(n) for n in names_of(source)] if source else []
            if isinstance(source, dict) and not names and isinstance(source.get("url"), str):
                names = [source["url"]]
            others = [n for n in names if not domain or registered_domain(n) != domain]
            if others:
                items.append(Evidence("based_on_other_source", f"{key}: {words_cut(', '.join(others), 120)}", where="meta"))
                return items
    return items

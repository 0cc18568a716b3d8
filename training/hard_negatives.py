"""`python -m training.hard_negatives`: generated hard negatives for the page scorer, and how many it flags.

Each page is a staff-written story (the site's own text; every other page with a person's byline
and author, the others with none, so that no counter-evidence helps) that carries one thing the
scorer must not take for agency copy (`KINDS`):

- `photo_credit`: agency photo credits under the story's pictures ("(AP Photo/Jane Doe)",
  "Photo: Name/AFP via Getty Images", "© dpa | Name", "Quelle: dpa" under an image);
- `table_source`: a results or figures table with "Source: AP" / "Source: Reuters" under it;
- `wire_teasers`: a box of related wire teasers beside the story, each with a dateline;
- `with_inputs`: the site's own story "with inputs from agencies" / "With Additional Inputs
  from PTI" / "The Associated Press contributed to this report";
- `nan_video`: a video player's "NaN / NaN" and other short capitals that look like aliases;
- `own_brand`: the site's own brand that holds a wire's name ("Reuters-Gazette", a site named
  "CNA" datelining its own stories);
- `own_release`: a company's own announcement on its own site, closing with the release
  boilerplate ("About <Company>", "Media contact: ..."): its own text, not a wire's copy;
- `wire_mentions`: the site's own story that names a wire in its prose ("told Reuters", "The
  Associated Press reported", "in a statement distributed by PR Newswire").

The pages are made from a seed (deterministic), from hand-written sentences; no page is copied.
`flagged_share` scores them with a scorer; the target is at most 1 in 20 flagged.
"""

from __future__ import annotations

import argparse
import html
import random
from dataclasses import dataclass
from typing import Any

from classifier import extract
from classifier.scoring.score import score
from classifier.scoring.scorer import PageScorer

KINDS = ("photo_credit", "table_source", "wire_teasers", "with_inputs", "nan_video", "own_brand", "own_release", "wire_mentions")
_MENTIONS = [
    "The mayor told Reuters in an interview last week that the plan was a priority for her office.",
    "The Associated Press reported last month that similar measures had passed in three neighbouring towns.",
    "The company said in a statement distributed by PR Newswire on Monday that it would hire 200 workers.",
    "According to figures compiled by AFP, the number of visitors has doubled since the harbour reopened.",
    "A spokesperson declined to comment when reached by dpa on Wednesday evening.",
    "The ministry's figures, first reported by the Press Trust of India, show a smaller rise than expected.",
]
_COMPANIES = ["Harbor Widgets", "Northfield Energy", "Crestline Foods", "Bluewater Software"]
_FIRST = ["Maria", "James", "Priya", "Tomás", "Anna", "Kwame", "Li", "Sofia", "David", "Fatima", "Jonas", "Elena"]
_LAST = ["Lopez", "Okafor", "Sharma", "Keller", "Nguyen", "Rossi", "Brennan", "Haddad", "Lindqvist", "Moreau", "Tanaka", "Walsh"]
_SENTENCES = [
    "The city council voted on Tuesday to extend the hours of the public library through the winter.",
    "Residents who spoke at the meeting said the change would help students who work after school.",
    "The budget for the extension comes from a fund that was set aside for community programmes last year.",
    "Council members debated for nearly two hours before the measure passed by a narrow margin.",
    "Local business owners have asked for more parking near the main square since the renovation began.",
    "The school board will present its plan for the new science building at a hearing next month.",
    "Several parents told our reporter that the current classrooms are overcrowded and poorly ventilated.",
    "The harbour authority expects the repairs on the northern pier to last until the end of spring.",
    "Fishermen who use the pier have been moving their boats to a temporary dock further down the coast.",
    "Our newsroom reviewed records covering a decade of spending on road maintenance in the district.",
    "The records show that repairs were delayed in neighbourhoods with the fewest registered voters.",
    "A spokesperson for the mayor said the office would respond to the findings in writing this week.",
    "The regional hospital opened a new wing for children on Monday after three years of construction.",
    "Nurses at the hospital said the additional beds would shorten waiting times in the emergency room.",
    "Farmers in the valley reported a smaller harvest this autumn after an unusually dry summer.",
    "The agricultural cooperative is planning to share irrigation equipment among its members next year.",
    "Supporters of the proposal gathered outside the town hall with handmade signs and a brass band.",
    "The festival drew more visitors than organisers expected, and food stalls ran out before sunset.",
    "Volunteers spent the weekend cleaning the riverbank and planting trees along the walking path.",
    "The museum will display letters and photographs donated by families who have lived here for generations.",
]
_CITIES = ["WASHINGTON", "LONDON", "PARIS", "BERLIN", "NEW DELHI", "TOKYO", "MADRID", "NAIROBI"]
_AGENCY_MARKS = ["AP", "Reuters", "AFP", "dpa", "PTI", "EFE"]


@dataclass(frozen=True, slots=True)
class HardNegative:
    kind: str
    url: str
    html: str


def _person(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"


def _paragraphs(rng: random.Random, count: int) -> list[str]:
    sentences = rng.sample(_SENTENCES, count * 2)
    return [f"{sentences[2 * k]} {sentences[2 * k + 1]}" for k in range(count)]


def _extra(kind: str, rng: random.Random) -> tuple[str, str, str]:
    """(HTML before the story's paragraphs, after them, beside the story) for one kind."""
    person = _person(rng)
    if kind == "photo_credit":
        credit = rng.choice(
            [f"(AP Photo/{person})", f"Photo: {person}/AFP via Getty Images", f"© dpa | {person}", "Quelle: dpa", f"{person}/Reuters"]
        )
        return f"<figure><img src='a.jpg'><figcaption>Volunteers at work on Saturday. {html.escape(credit)}</figcaption></figure>", "", ""
    if kind == "table_source":
        rows = "".join(f"<tr><td>{rng.choice(_LAST)}</td><td>{rng.randint(10, 99)}</td></tr>" for _ in range(4))
        source = rng.choice(["Source: AP", "Source: Reuters", "Quelle: dpa", "Fuente: EFE"])
        return "", f"<table><tr><th>Name</th><th>Points</th></tr>{rows}</table><p>{source}</p>", ""
    if kind == "wire_teasers":
        items = "".join(
            f"<li><a href='/x{k}'>{rng.choice(_CITIES)} ({rng.choice(_AGENCY_MARKS)}) — {html.escape(rng.choice(_SENTENCES))}</a></li>"
            for k in range(4)
        )
        return "", "", f"<aside class='related'><h2>More news</h2><ul>{items}</ul></aside>"
    if kind == "with_inputs":
        note = rng.choice(
            [
                "(With inputs from agencies)",
                "With Additional Inputs from PTI",
                "The Associated Press contributed to this report.",
                "(With inputs from Reuters)",
            ]
        )
        return "", f"<p>{html.escape(note)}</p>", ""
    if kind == "wire_mentions":
        return "", f"<p>{html.escape(rng.choice(_MENTIONS))} {html.escape(rng.choice(_SENTENCES))}</p>", ""
    if kind == "nan_video":
        return "<div class='player'><span>NaN / NaN</span><span>AA</span><span>HD</span></div>", "", ""
    return "", "", ""


def _release_boilerplate(company: str, domain: str, rng: random.Random) -> str:
    """The closing lines of a company's own release: "About <Company>" and a media contact."""
    about = f"<h3>About {company}</h3><p>{company} makes products for customers in more than {rng.randint(10, 60)} countries.</p>"
    contact = rng.choice(
        [f"Media contact: {_person(rng)}, press@{domain}", f"Press contact: {_person(rng)}, +1 555 01{rng.randint(10, 99)}"]
    )
    return about + f"<p>{html.escape(contact)}</p>"


def make_page(kind: str, rng: random.Random, index: int, *, wire_dateline: str = "") -> HardNegative:
    """One generated hard negative of `kind` (see the module docstring); `wire_dateline`
    (default none) opens its story with an agency's dateline, which makes it agency copy."""
    person = _person(rng)
    site, domain, dateline = "The Valley Courier", f"valleycourier{index}.com", ""
    if kind == "own_brand":
        site, domain, mark = rng.choice(
            [("Reuters-Gazette", f"reutersgazette{index}.com", "Reuters-Gazette"), ("CNA", "channelnewsasia.com", "CNA")]
        )
        dateline = f"{rng.choice(_CITIES)} ({mark}) — " if mark == "CNA" else ""
        byline = f"By {person}, {mark} staff" if mark != "CNA" else f"By {person}"
    else:
        byline = f"By {person}"
    before, after, beside = _extra(kind, rng)
    if kind == "own_release":
        site = rng.choice(_COMPANIES)
        domain = f"{site.lower().replace(' ', '')}{index}.com"
        after = _release_boilerplate(site, domain, rng)
    paragraphs = _paragraphs(rng, rng.randint(4, 6))
    paragraphs[0] = (wire_dateline or dateline) + paragraphs[0]
    body = "".join(f"<p>{html.escape(text)}</p>" for text in paragraphs)
    headline = html.escape(rng.choice(_SENTENCES).rstrip(".")[:70])
    bylined = index % 2 == 0
    author = f"<meta name='author' content='{person}'>" if bylined else ""
    byline_block = f"<p class='byline'>{html.escape(byline)}</p>" if bylined or kind == "own_brand" else ""
    page = (
        f"<html><head><title>{headline} | {html.escape(site)}</title><meta property='og:site_name' content='{html.escape(site)}'>"
        f"{author}</head><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<main><article><h1>{headline}</h1>{byline_block}{before}{body}{after}</article>{beside}</main>"
        f"<footer><p>© 2024 {html.escape(site)}. All rights reserved.</p></footer></body></html>"
    )
    return HardNegative(kind, f"https://www.{domain}/news/2024/story-{index}", page)


def hard_negatives(*, per_kind: int = 20, seed: int = 0, wire_dateline: str = "") -> list[HardNegative]:
    """`per_kind` generated pages of every kind, from `seed` (the same pages every time)."""
    rng = random.Random(seed)
    return [make_page(kind, rng, k, wire_dateline=wire_dateline) for kind in KINDS for k in range(per_kind)]


def flagged_share(scorer: PageScorer, *, model: Any = None, per_kind: int = 20, seed: int = 0) -> dict[str, str]:
    """How many generated hard negatives `scorer` flags, per kind and in all."""
    counts: dict[str, list[int]] = {}
    for page in hard_negatives(per_kind=per_kind, seed=seed):
        result = score(extract(page.html, page.url, model=model), scorer=scorer)
        counts.setdefault(page.kind, []).append(int(result.flagged))
    shares = {kind: f"{sum(hits)}/{len(hits)}" for kind, hits in counts.items()}
    everything = [hit for hits in counts.values() for hit in hits]
    return {"all": f"{sum(everything)}/{len(everything)}", **shares}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.hard_negatives", description=__doc__.split("\n")[0])
    parser.add_argument("--per-kind", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(flagged_share(PageScorer(), per_kind=args.per_kind, seed=args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

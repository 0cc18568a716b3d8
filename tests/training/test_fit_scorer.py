"""The page scorer's training: signed weights, the figures, the label files, the generated hard negatives."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.scoring.evidence import TERM_NAMES, Evidence, page_row
from classifier.scoring.scorer import PageScorer
from training.farm import FARM, LABEL_FILES
from training.hard_negatives import KINDS, flagged_share, hard_negatives
from training.scorer_model import PRIORS, SITE_TEMPLATE_PRIOR, TERM_SIGNS, SignedLogisticRegression, fit_terms, to_scorer
from training.scorer_report import CAUSES, causes_of, choose_threshold, precision_at_recall


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_weights_keep_the_sign_of_their_evidence(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, 2, size=(60, len(TERM_NAMES))).astype(float)
    labels = rng.integers(0, 2, size=60)
    model = fit_terms(rows, labels)
    for name, weight in zip(TERM_NAMES, model.coef_[0]):
        sign = TERM_SIGNS[name]
        assert weight * sign >= -1e-9 or name in PRIORS
    scorer = to_scorer(model, 0.5, {})
    assert scorer.weights["log_dup_domains"] == 1.0
    assert scorer.weights["template_across_pages"] == SITE_TEMPLATE_PRIOR == 0.75


def test_the_bulk_terms_are_priors_not_learned() -> None:
    """No labelled crawl: the columns of the bulk runs' terms are not learned, whatever the rows say."""
    rows = np.zeros((40, len(TERM_NAMES)))
    labels = np.array([1, 0] * 20)
    for name in PRIORS:
        rows[labels == 1, TERM_NAMES.index(name)] = 3.0
    model = fit_terms(rows, labels)
    assert all(model.coef_[0][TERM_NAMES.index(name)] == 0.0 for name in PRIORS)
    assert to_scorer(model, 0.5, {}).weights["template_across_pages"] == SITE_TEMPLATE_PRIOR


def test_an_unconstrained_fit_would_give_counter_evidence_a_positive_weight() -> None:
    """The constraint matters: counter-evidence seen on positives pulls the weight up."""
    rows = np.array([[1, 1], [1, 1], [0, 0], [0, 1], [1, 0], [0, 0]], dtype=float)
    labels = np.array([1, 1, 0, 0, 1, 0])
    free = SignedLogisticRegression(signs=(0, 0)).fit(rows, labels)
    signed = SignedLogisticRegression(signs=(1, -1)).fit(rows, labels)
    assert free.coef_[0][1] > 0 >= signed.coef_[0][1] - 1e-12


def test_an_attribution_form_no_training_page_shows_weighs_what_attribution_weighs() -> None:
    """The pooled `attribution` term: a via-wire line, never seen in training, still counts."""
    seen = [Evidence("agency_dateline", "x"), Evidence("agency_byline", "x"), Evidence("press_release", "x")]
    rows = [page_row([item]) for item in seen] * 4 + [page_row([])] * 12 + [page_row([Evidence("staff_byline", "x")])] * 4
    labels = np.array([1] * 12 + [0] * 16)
    scorer = to_scorer(fit_terms(np.array(rows), labels), 0.5, {})
    unseen = Evidence("via_wire", "Via SyndiGate.info")
    assert scorer.weights["via_wire"] == 0.0
    assert scorer.contribution(unseen) == scorer.weights["attribution"] > 1.0
    assert scorer.logit([unseen]) > 0 > scorer.logit([])
    assert scorer.contribution(Evidence("template_text", "x")) == 0.0


def test_causes_follow_the_forms_of_the_evidence() -> None:
    byline = Evidence("agency_byline", "x", form="name_agency_role", where="lead", block=3)
    dateline = Evidence("agency_dateline", "x", form="marker_first", where="lead", block=4)
    late = Evidence("agency_dateline", "x", form="late_paragraph", where="body", block=20)
    assert causes_of([byline], anchor=0) == {CAUSES[0]}
    assert causes_of([dateline], anchor=0) == {CAUSES[1]}
    assert CAUSES[2] in causes_of([late], anchor=0)
    assert causes_of([Evidence("agency_byline", "x", form="agency", where="lead", block=1)], anchor=0) == {"0 basic forms"}
    assert causes_of([Evidence("agency_signature", "x", match="- AFP")], anchor=0) == {CAUSES[6]}


def test_threshold_reaches_the_precision_asked_for() -> None:
    labels = np.array([1, 1, 1, 0, 1, 0, 0, 0])
    scores = np.array([0.9, 0.8, 0.7, 0.65, 0.6, 0.3, 0.2, 0.1])
    cut = choose_threshold(labels, scores, 0.95)
    assert 0.65 < cut <= 0.7
    best = precision_at_recall(labels, scores, 0.9)
    assert best["recall"] >= 0.9 and best["precision"] == pytest.approx(0.8)


def test_label_files_have_evidence_and_a_source_for_every_page() -> None:
    ids = set()
    for name in LABEL_FILES:
        for line in (FARM / name).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            assert record["label"] in ("positive", "negative")
            assert record["evidence"] and record["source"]
            assert record["id"] not in ids
            ids.add(record["id"])
    aeb = [json.loads(line) for line in (FARM / "aeb-labels.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(aeb) == 158 and all("data/aeb/html/" in record["source"] for record in aeb)


def test_generated_hard_negatives_are_deterministic_and_rarely_flagged() -> None:
    first = hard_negatives(per_kind=2, seed=3)
    assert [page.html for page in first] == [page.html for page in hard_negatives(per_kind=2, seed=3)]
    assert {page.kind for page in first} == set(KINDS)
    shares = flagged_share(PageScorer(), per_kind=3, seed=1)
    flagged, total = map(int, shares["all"].split("/"))
    assert total == 3 * len(KINDS) and flagged * 20 <= total


def test_the_same_generated_pages_are_flagged_when_their_story_is_agency_copy() -> None:
    """The generated pages are not unflaggable: with a wire dateline opening the story, the
    shipped scorer flags them (but for the site whose own brand is the marker)."""
    from classifier import score

    for page in hard_negatives(per_kind=2, seed=2, wire_dateline="WASHINGTON (AP) — "):
        assert score(page.html, page.url).flagged or page.kind == "own_brand", page.kind

"""Every page in `data/` gives the text and page score pinned in `fixtures/pinned-outputs.json.gz`.

The pin was taken before the package was restructured (issue 16) and guards moves and
refactors that must not change behaviour: a change of the model or the features changes the
outputs on purpose, and then the pin is re-taken with `python -m tests.pin_outputs --write`
in the same commit, which says why.
"""

from __future__ import annotations

from tests.pin_outputs import PINNED, compute_outputs, load_pinned


def test_every_page_in_data_gives_the_pinned_text_and_score() -> None:
    pinned = load_pinned(PINNED)
    outputs = compute_outputs()
    assert set(outputs) == set(pinned), "the pages of data/ changed: re-take the pin"
    changed = sorted(name for name in pinned if outputs[name] != pinned[name])
    assert not changed, f"{len(changed)} pages changed, e.g. " + "; ".join(
        f"{name}: {pinned[name]} -> {outputs[name]}" for name in changed[:5]
    )

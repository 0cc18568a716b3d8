"""The pinned outputs of `tests/test_pinned_outputs.py`: per page of `data/`, a hash of the text
`extract()` gives and the page score (probability to 6 decimals, flag, reasons with weights).

    python -m tests.pin_outputs            # compare with the pin, list the pages that changed
    python -m tests.pin_outputs --write    # re-take the pin (after a deliberate change)
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PINNED = Path(__file__).resolve().parent / "fixtures" / "pinned-outputs.json.gz"


def data_pages() -> Iterator[tuple[str, bytes, str | None]]:
    """(name, raw bytes, url) of every page in data/: WCXB dev, the farm set, the examples."""
    files = json.loads((ROOT / "data/wcxb-dev/metadata.json").read_text())["files"]
    for page_id in sorted(files):
        path = ROOT / f"data/wcxb-dev/html/{page_id}.html.gz"
        if path.exists():
            yield f"wcxb/{page_id}", gzip.decompress(path.read_bytes()), files[page_id].get("url")
    with (ROOT / "data/farm/labels.jsonl").open(encoding="utf-8") as labels:
        for line in labels:
            record = json.loads(line)
            raw = gzip.decompress((ROOT / f"data/farm/pages/{record['id']}.html.gz").read_bytes())
            yield f"farm/{record['id']}", raw, record.get("url")
    for path in sorted((ROOT / "data/examples").glob("*.html")):
        yield f"examples/{path.name}", path.read_bytes(), None


def compute_outputs() -> dict[str, list[str]]:
    """Per page: [the first 16 hex digits of the SHA-1 of its text, its score line]."""
    from classifier import extract, score

    outputs = {}
    for name, raw, url in data_pages():
        document = extract(raw, url)
        page_score = score(document)
        reasons = ",".join(f"{reason.code}:{reason.weight:.3f}" for reason in page_score.reasons)
        line = f"{page_score.probability:.6f}\t{page_score.flagged}\t{reasons}"
        outputs[name] = [hashlib.sha1(document.text.encode()).hexdigest()[:16], line]
    return outputs


def load_pinned(path: Path) -> dict[str, list[str]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        pinned: dict[str, list[str]] = json.load(handle)
    return pinned


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.pin_outputs", description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="re-take the pin")
    args = parser.parse_args(argv)
    outputs = compute_outputs()
    if args.write:
        with gzip.open(PINNED, "wt", encoding="utf-8") as handle:
            json.dump(outputs, handle, sort_keys=True, separators=(",", ":"))
        print(f"pinned {len(outputs)} pages in {PINNED}")
        return 0
    pinned = load_pinned(PINNED)
    changed = sorted(name for name in set(pinned) | set(outputs) if pinned.get(name) != outputs.get(name))
    for name in changed:
        print(f"{name}: {pinned.get(name)} -> {outputs.get(name)}")
    print(f"{len(changed)} of {len(outputs)} pages changed")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())

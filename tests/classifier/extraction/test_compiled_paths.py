"""The compiled parts (the Cython walker, the text, feature, tree, decision and layout kernels) and
the plain Python path give identical blocks, feature matrices, probabilities and text on
every page in data/, and identical roles on its news pages (the farm set) and the examples.

The plain path runs in a child process with PAGESIEVE_PURE_PYTHON set, as users without a C
compiler run it; each side reduces every page to digests of what it computed, and the digests
are compared page by page."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from classifier.extraction import decision, features, layout, textstats, trees, walk
from tests.classifier.extraction.compiled_parts import unavailable

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "data"
STAGES = ("blocks", "features", "probabilities", "roles", "text")
ROLE_PAGES = ("farm/", "examples/")  # roles are compared on these pages


def data_pages() -> Iterator[tuple[str, bytes]]:
    """(name, raw bytes) of every page in data/."""
    for folder in ("wcxb-dev/html", "aeb/html", "farm/pages"):
        for path in sorted((DATA / folder).glob("*.html.gz")):
            yield f"{folder}/{path.name}", gzip.decompress(path.read_bytes())
    for path in sorted((DATA / "examples").glob("*.html")):
        yield f"examples/{path.name}", path.read_bytes()


def _digest(value: bytes | str) -> str:
    return hashlib.sha256(value.encode() if isinstance(value, str) else value).hexdigest()[:20]


def digests() -> dict[str, list[str]]:
    """Per page, digests of its blocks and page evidence, feature matrix, probabilities, roles
    (`ROLE_PAGES` only; None elsewhere) and text (`STAGES`), from whichever path this process
    runs."""
    from classifier import Extractor

    extractor = Extractor()
    out = {}
    for name, raw in data_pages():
        # The role model (numpy's trees take half the plain path's time) on the news pages only.
        document = extractor.extract(raw, roles=name.startswith(ROLE_PAGES))
        analysis = document.analysis
        out[name] = [
            _digest(repr((analysis.blocks, analysis.page))),
            _digest(analysis.features.tobytes()),
            _digest(repr([block.probability for block in document.blocks])),
            _digest(repr([block.role for block in document.blocks])),
            _digest(document.text),
        ]
    return out


def test_the_compiled_and_the_plain_path_agree_on_every_page_in_data() -> None:
    compiled = {
        "walker": walk.COMPILED,
        "text kernel": textstats.KERNEL is not None,
        "feature kernel": features.KERNEL is not None,
        "tree kernel": trees.KERNEL is not None,
        "decision kernel": decision.KERNEL is not None,
        "layout kernel": layout.KERNEL is not None,
    }
    if not all(compiled.values()):
        missing = ", ".join(name for name, built in compiled.items() if not built)
        unavailable(f"not compiled here: {missing} (pip install -e . with a C compiler builds them)")
    script = "import json, sys\nfrom tests.classifier.extraction.test_compiled_paths import digests\njson.dump(digests(), sys.stdout)\n"
    environment = {**os.environ, walk.PURE_PYTHON_VARIABLE: "1"}
    # The plain path in a child, beside this process's compiled path (the suite's longest test).
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, env=environment, cwd=ROOT) as child:
        ours = digests()
        output, _ = child.communicate(timeout=1200)
    assert child.returncode == 0, "the plain path failed (its traceback is above)"
    plain = json.loads(output)
    assert set(plain) == set(ours) and len(ours) > 1000
    differ = [
        f"{name}: {stage}" for name in sorted(ours) for stage, a, b in zip(STAGES, ours[name], plain[name]) if a != b
    ]
    assert not differ, f"{len(differ)} differences, e.g. " + "; ".join(differ[:5])

"""The explain view: why each block of a page was kept or dropped, and which evidence counted.

`render_explanation(document, page_score)` -> one self-contained HTML file (`view`); `evidence`
places gold verdicts and reasons' evidence on the blocks. ``python -m classifier explain``
writes it (`classifier.cli`).
"""

from .view import render_explanation

__all__ = ["render_explanation"]

"""pagesieve: main-content extraction with a trained block classifier, and a page scorer for
unreviewed auto-published copy (agency, wire and press-release feeds, machine-written text).

    >>> from classifier import clean, extract, score
    >>> text = clean(html)                 # the main content as plain text
    >>> document = extract(html, url)      # every block, its probability, the metadata
    >>> score(document).reasons            # why the page looks auto-published (or not)

The package follows the data: `extraction` (decode -> parse and walk -> features -> model ->
decision -> text), `scoring` (pattern tables -> signals -> scorer), `bulk` (records -> pages
-> rows, on local workers or Dask) and `explain` (the HTML view).
"""

from .extraction.document import Block, Document, Metadata
from .extraction.extract import Extractor, clean, extract
from .extraction.model import LoadedModel, ModelError, load_model
from .scoring.page_score import PageScore, Reason
from .scoring.score import score
from .scoring.scorer import PageScorer, ScorerModel, load_scorer

__all__ = [
    "Block",
    "Document",
    "Extractor",
    "LoadedModel",
    "Metadata",
    "ModelError",
    "PageScore",
    "PageScorer",
    "Reason",
    "ScorerModel",
    "clean",
    "extract",
    "load_model",
    "load_scorer",
    "score",
]
__version__ = "0.1.0"

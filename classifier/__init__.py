"""pagesieve: main-content extraction with a trained block classifier, and a page scorer for
unreviewed auto-published copy (agency, wire and press-release feeds, machine-written text).

    >>> from classifier import clean, extract, score
    >>> text = clean(html)                 # the main content as plain text
    >>> document = extract(html, url)      # every block, its probability, the metadata
    >>> document.score().reasons           # why the page looks auto-published (or not)
"""

from .extract import clean, extract
from .model import LoadedModel, ModelError, load_model
from .score import ScorerModel, load_scorer, score
from .types import Block, Document, Metadata, PageScore, Reason

__all__ = [
    "Block",
    "Document",
    "LoadedModel",
    "Metadata",
    "ModelError",
    "PageScore",
    "Reason",
    "ScorerModel",
    "clean",
    "extract",
    "load_model",
    "load_scorer",
    "score",
]
__version__ = "0.1.0"

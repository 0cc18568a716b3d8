"""The public result types, in one place: `Block`, `Metadata`, `Document` (extraction) and
`Reason`, `PageScore` (scoring)."""

from .extraction.document import Block, Document, Metadata
from .scoring.page_score import PageScore, Reason

__all__ = ["Block", "Document", "Metadata", "PageScore", "Reason"]

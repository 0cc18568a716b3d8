"""Block labels from gold text: which blocks of a page are its main content.

The alignment ("seq50", see docs/block-oracle.md in the shared docs) lives in the runtime
package, `classifier.extraction.align`, because the explain view uses it too; this module is where training
takes it from. The oracle (the WCXB score of the blocks these labels select: what a perfect
block classifier would reach with this walker, the ceiling of the model) is computed by
`training.dataset.oracle_scores`.
"""

from classifier.extraction.align import CONTENT_FRACTION, align_labels

__all__ = ["CONTENT_FRACTION", "align_labels"]

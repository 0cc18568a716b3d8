"""Block labels from gold text (seq50 alignment)."""

from training.labels import align_labels


def test_blocks_matching_the_gold_in_order_are_content() -> None:
    blocks = ["Home", "Blog", "The first paragraph of the story.", "The second one.", "Share on Facebook"]
    labels, counts = align_labels(blocks, "The first paragraph of the story. The second one.")
    assert labels.tolist() == [0, 0, 1, 1, 0]
    assert counts.tolist() == [1, 1, 6, 3, 3]


def test_navigation_words_do_not_use_up_gold_words() -> None:
    blocks = ["home", "blog", "Welcome home to the blog of the year"]
    labels, _ = align_labels(blocks, "Welcome home to the blog of the year")
    assert labels.tolist() == [0, 0, 1]


def test_half_matching_block_is_not_content() -> None:
    labels, _ = align_labels(["alpha beta gamma delta"], "alpha beta")
    assert labels.tolist() == [0]


def test_empty_gold_or_blocks() -> None:
    labels, counts = align_labels(["some text"], "")
    assert labels.tolist() == [0] and counts.tolist() == [2]
    labels, counts = align_labels([], "gold")
    assert len(labels) == 0

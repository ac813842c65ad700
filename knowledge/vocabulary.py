"""Common English words: the whole words of the bundled embedding model's vocabulary."""

from __future__ import annotations

import json
from functools import cache

from knowledge.minilm import default_tokenizer_path


@cache
def common_words() -> frozenset[str]:
    """Lower-case whole words (no word pieces) the model's uncased WordPiece vocabulary holds.

    The vocabulary was built from general English text, so it holds the common words of any
    industry ("diesel", "hospitals", "employers") and not the coined names companies give
    themselves and their products. It also holds well-known proper names ("london"), which
    is why callers look for a name's capital elsewhere in their text first.
    """
    with default_tokenizer_path().open(encoding="utf-8") as fh:
        vocab = json.load(fh)["model"]["vocab"]
    return frozenset(w for w in vocab if w.isalpha() and w.isascii())

"""The fast path of MiniLM models: static token vectors distilled from the embedded sample.

Above ``max_embed`` distinct texts, :class:`~feedback_nlp.themes.ThemeModel`
does not embed every text. MiniLM's sentence vector is the mean of its
WordPieces' contextual vectors; here each WordPiece's contextual vector is
replaced by its mean over the embedded sample (a static table, one row per
WordPiece the sample holds, read off while the sample is embedded). A text's
static vector is the mean of its WordPieces' rows, normalised and centred as
an embedding is; a ridge regression fitted on the sample (static vector ->
its real embedding) maps it onto the embedding space. The text then scores
against the themes and sub-themes by cosine similarity, as an embedded text
does, so the none threshold and membership rule mean the same on both paths.

On the restaurants proxy (half of 3,032 sentences embedded) this lost 0.030
NMI against embedding everything, where a classifier on hashed character
n-grams lost 0.061 (``BENCHMARKS.md``); 0.019 since the themes are clustered
on static vectors of unembedded texts too (``ThemeModel._cluster_vectors``).
It depends on the sample only, not on the themes: codebook edits (merge,
split, move) need no refit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .vectors import unit

__all__ = ["TokenPath", "token_counts", "fit_token_path", "TOKEN_ARRAYS", "RIDGE_ALPHA"]

#: Ridge penalty of the static-to-embedding map (0.1 and 1.0 within 0.002 NMI on the proxy).
RIDGE_ALPHA = 0.1
#: Arrays of a saved token path (name -> (dtype, number of dimensions)).
TOKEN_ARRAYS: dict[str, tuple[str, int]] = {
    "ids": ("<i8", 1),
    "vectors": ("<f4", 2),
    "map": ("<f4", 2),
    "bias": ("<f4", 1),
}


def token_counts(rep: Any, texts: Sequence[str]) -> Any:
    """WordPiece counts ``(len(texts), vocab_size)`` (CSR, float32) of ``texts``,
    [CLS] and [SEP] included, as the embedder's tokenizer gives them.

    The tokenizer splits at white space first, so a text's WordPieces are its
    white-space words' WordPieces: each distinct word is tokenised once and a
    sparse product adds them up (the ``hashed_ngrams`` trick), instead of
    tokenising every text.
    """
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import CountVectorizer

    n, vocab = len(texts), rep.vocab_size
    special = np.zeros(vocab, dtype=np.float32)
    np.add.at(special, rep.special_ids, 1.0)
    out = sp.csr_matrix(np.ones((n, 1), dtype=np.float32)) @ sp.csr_matrix(special)
    try:
        per_word = CountVectorizer(analyzer=str.split, lowercase=False, dtype=np.float32)
        counts = per_word.fit_transform(list(texts))
    except ValueError:  # no words at all
        return out.tocsr()
    pieces = rep.token_ids(list(per_word.get_feature_names_out()))
    lens = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
    cols = np.fromiter((i for p in pieces for i in p), dtype=np.int64, count=int(lens.sum()))
    rows = np.repeat(np.arange(len(pieces)), lens)
    words = sp.csr_matrix(
        (np.ones(len(cols), dtype=np.float32), (rows, cols)), shape=(len(pieces), vocab)
    )
    return (counts @ words + out).tocsr()


@dataclass
class TokenPath:
    """A fitted token path: the WordPieces seen (``ids``, sorted), their mean
    contextual vectors, and the map (``vectors @ map + bias``) onto the
    model's centred embedding space."""

    ids: np.ndarray
    vectors: np.ndarray
    map: np.ndarray
    bias: np.ndarray

    def static(self, counts: Any, mean: np.ndarray) -> np.ndarray:
        """Static vectors of texts with WordPiece ``counts``, normalised and
        centred on the model's ``mean`` as :meth:`ThemeModel.embed` does
        (WordPieces the sample never held are left out)."""
        held = counts.tocsr()[:, self.ids]  # the WordPieces the sample held, in order
        total = np.asarray(held @ np.ones(len(self.ids), dtype=np.float32)).ravel()
        raw = np.asarray(held @ self.vectors) / np.maximum(total, 1.0)[:, None]
        return unit(unit(raw) - mean)

    def vectors_of(self, counts: Any, mean: np.ndarray) -> np.ndarray:
        """Unit vectors in the model's space of texts with WordPiece ``counts``."""
        return unit(self.static(counts, mean) @ self.map + self.bias)

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays a saved model keeps (see :data:`TOKEN_ARRAYS`)."""
        return {
            "ids": self.ids.astype(np.int64),
            "vectors": self.vectors.astype(np.float32),
            "map": self.map.astype(np.float32),
            "bias": self.bias.astype(np.float32),
        }


def fit_token_path(
    ids: np.ndarray, vectors: np.ndarray, counts: Any, x: np.ndarray, mean: np.ndarray
) -> TokenPath:
    """The token path of a sample: its WordPieces ``ids`` and their mean vectors,
    the sample's WordPiece ``counts`` and its centred unit embeddings ``x``."""
    from sklearn.linear_model import Ridge

    start = TokenPath(ids, vectors, np.eye(x.shape[1], dtype=np.float32), np.zeros(x.shape[1]))
    ridge = Ridge(alpha=RIDGE_ALPHA).fit(start.static(counts, mean), x)
    return TokenPath(
        ids.astype(np.int64),
        vectors.astype(np.float32),
        ridge.coef_.T.astype(np.float32),
        ridge.intercept_.astype(np.float32),
    )

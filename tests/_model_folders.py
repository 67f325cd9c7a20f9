"""Small saved theme models and ways to tamper with them, for the model tests."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

TOPICS = {
    "speed": ["broadband speed", "internet connection", "download speed", "wifi signal"],
    "engineer": ["engineer visit", "technician appointment", "installation engineer"],
    "bill": ["monthly bill", "price increase", "billing charge", "direct debit"],
    "support": ["call centre", "phone support", "support agent", "customer helpline"],
}
FRAMES = [
    "the {} was awful",
    "really happy with the {}",
    "{} needs fixing",
    "my {} again",
    "{} is a problem",
    "what about the {}",
    "no complaints on {}",
]
#: A model saved by the code before checksums.sha256 (format version 1).
MODEL_V1 = Path(__file__).parent / "data" / "theme_model_v1"
#: A model saved by 7b0765b, before the sub-theme tree (format version 2).
MODEL_V2 = Path(__file__).parent / "data" / "theme_model_v2"


def make_texts(n_per: int = 20, seed: int = 0) -> list[str]:
    """Short comments on four telecom topics, seeded."""
    rng = np.random.RandomState(seed)
    out = []
    for terms in TOPICS.values():
        for i in range(n_per):
            a, b = rng.choice(len(terms), 2, replace=False)
            out.append(FRAMES[i % len(FRAMES)].format(terms[a]) + " and " + terms[b])
    return out


def tree_model(seed: int = 0) -> Any:
    """A small TF-IDF model with three sub-themes under each of its four themes
    and the fast path's sub-theme classifier."""
    from feedback_nlp.themes import ThemeModel

    return ThemeModel(
        n_themes=4, representation="tfidf", n_clusters=10, subthemes=3, random_state=seed
    ).fit(make_texts())


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_doc(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "model.json").read_text(encoding="utf-8"))


def reseal(folder: Path) -> None:
    """Recompute every checksum (model.json's files map, then checksums.sha256), as an
    attacker who knows the format would: only the schema and shape checks remain."""
    meta = folder / "model.json"
    try:
        doc = json.loads(meta.read_bytes())
    except (ValueError, RecursionError):  # not JSON (truncated...): only checksums.sha256
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("files"), dict):
        files = dict(doc["files"])
        for name in files:
            path = folder / str(name)
            if path.is_file() and not path.is_symlink():
                files[name] = sha256(path)
        if files != doc["files"]:  # rewritten only when needed: raw edits stay as written
            doc["files"] = files
            meta.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    write_sums(folder)


def write_sums(folder: Path) -> None:
    """checksums.sha256 over model.json and the arrays model.json lists."""
    try:
        names = sorted(str(n) for n in json.loads((folder / "model.json").read_bytes())["files"])
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        names = []
    lines = [
        f"{sha256(folder / n)}  {n}\n"
        for n in ["model.json", *names]
        if (folder / n).is_file() and not (folder / n).is_symlink()
    ]
    (folder / "checksums.sha256").write_text("".join(lines), encoding="ascii")


def edit_doc(folder: Path, change: Callable[[dict[str, Any]], Any], seal: bool = True) -> None:
    """Apply ``change`` to model.json's document, then reseal (unless ``seal`` is False)."""
    meta = folder / "model.json"
    doc = json.loads(meta.read_text(encoding="utf-8"))
    change(doc)
    meta.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    if seal:
        reseal(folder)

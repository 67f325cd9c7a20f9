"""Golden outputs: the report files of three analyses, pinned by their SHA-256.

The cases are the shipped demo survey, the real telecom NPS survey and the
SemEval-2014 restaurant sentences (with seeded scores); the real ones are read
from ``../shared/data`` by path and skipped when it is absent. Only hashes are
kept in the project (``tests/golden/hashes.json``), never the data.

A change that moves an output on purpose regenerates the hashes explicitly::

    .venv/bin/python tests/golden_cases.py --write

and says in its commit message which outputs moved and why.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HASHES = Path(__file__).resolve().parent / "golden" / "hashes.json"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
#: Report files compared byte for byte (after the output folder's path is replaced).
FILES = (
    "comments.csv",
    "followup.csv",
    "rejected.csv",
    "segment_themes.csv",
    "segments.csv",
    "sentences.csv",
    "terms.csv",
    "themes.csv",
    "trends.csv",
    "summary.json",
    "report.md",
    "report.html",
)


def _demo(folder: Path) -> Any:
    from feedback_nlp.demo import demo_config, write_survey

    data = write_survey(folder / "demo_survey.csv", rows=3000, seed=0)
    return demo_config(data, seed=0, threads=2)


def _telecom(folder: Path) -> Any:
    from feedback_nlp.config import AnalysisConfig

    return AnalysisConfig(
        input=SHARED_DATA / "telecom_nps_verbatims.csv",
        score_col="NPS_SCORE",
        text_col="text",
        segment_cols=("SURVEY_SUB_TYPE",),
        date_col="CUSTOMER_RESPONSE_DATE",
        threads=2,
    )


def _restaurants(folder: Path) -> Any:
    import numpy as np
    import pandas as pd

    from feedback_nlp.config import AnalysisConfig

    frame = pd.read_csv(SHARED_DATA / "semeval14_restaurants.csv", dtype=str)
    frame["score"] = np.random.default_rng(0).integers(0, 11, len(frame)).astype(str)
    path = folder / "restaurants.csv"
    frame[["sentence_id", "score", "text"]].to_csv(path, index=False)
    return AnalysisConfig(
        input=path, score_col="score", text_col="text", id_col="sentence_id", threads=2
    )


#: name -> (builder of the config from a scratch folder, data file it needs or None)
CASES: dict[str, tuple[Callable[[Path], Any], str | None]] = {
    "demo": (_demo, None),
    "telecom": (_telecom, "telecom_nps_verbatims.csv"),
    "restaurants": (_restaurants, "semeval14_restaurants.csv"),
}


def available(name: str) -> bool:
    """Whether the data set of case ``name`` is at hand."""
    needs = CASES[name][1]
    return needs is None or (SHARED_DATA / needs).exists()


def config(name: str, folder: Path) -> Any:
    """The analysis config of case ``name``, with its input written under ``folder``."""
    return CASES[name][0](folder)


def digests(out: Path) -> dict[str, str]:
    """SHA-256 of each report file in ``out``, the input and output folders' paths replaced."""
    found = {}
    for name in FILES:
        path = out / name
        if not path.exists():
            continue
        data = path.read_bytes()
        for folder in {out.parent, out.parent.resolve()}:
            data = data.replace(str(folder).encode(), b"<DIR>")
        for folder in {SHARED_DATA, SHARED_DATA.resolve()}:
            data = data.replace(str(folder).encode(), b"<DATA>")
        found[name] = hashlib.sha256(data).hexdigest()
    return found


def run(name: str, folder: Path) -> dict[str, str]:
    """Analyse case ``name`` in ``folder`` and return the digests of its report."""
    from feedback_nlp.pipeline import analyze
    from feedback_nlp.report import write_report

    result = analyze(config(name, folder))
    out = folder / "report"
    write_report(result, out, formats=("html", "md", "csv", "json"))
    return digests(out)


def main() -> None:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="rewrite tests/golden/hashes.json")
    parser.add_argument("cases", nargs="*", default=list(CASES))
    args = parser.parse_args()
    stored = json.loads(HASHES.read_text()) if HASHES.exists() else {}
    changed = False
    for name in args.cases:
        if not available(name):
            print(f"{name}: data not present, skipped")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            got = run(name, Path(tmp))
        for file, digest in got.items():
            old = stored.get(name, {}).get(file)
            state = "same" if old == digest else ("new" if old is None else "CHANGED")
            changed |= state != "same"
            print(f"{name}/{file}: {state}")
        stored[name] = got
    if args.write:
        HASHES.write_text(json.dumps(stored, indent=2, sort_keys=True) + "\n")
        print(f"wrote {HASHES}")
    elif changed:
        sys.exit(1)


if __name__ == "__main__":
    main()

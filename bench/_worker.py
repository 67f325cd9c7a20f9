"""One benchmark run in its own process (so peak RSS is its own).

Analyses, writes the report, prints the stage timings as JSON."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main() -> None:
    data, out = Path(sys.argv[1]), Path(sys.argv[2])
    extra = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
    start = time.perf_counter()
    from feedback_nlp import analyze, write_report
    from feedback_nlp.config import Engine, Representation
    from feedback_nlp.demo import demo_config

    cfg = demo_config(
        data,
        representation=Representation(extra.get("representation", "auto")),
        redact_names=extra.get("redact_names", True),
    ).with_(engine=Engine(extra.get("engine", "local")))
    imported = time.perf_counter()
    # Peak RSS so far, as each stage starts: the growth between two marks is
    # the stage's own peak.
    marks: list[tuple[str, float]] = [("import", _peak_gb())]
    result = analyze(cfg, progress=lambda name: marks.append((name, _peak_gb())))
    marks.append(("report", _peak_gb()))
    t = time.perf_counter()
    write_report(result, out)
    marks.append(("end", _peak_gb()))
    timings = {"import": imported - start, **result.timings, "report": time.perf_counter() - t}
    timings["total"] = time.perf_counter() - start
    peaks = {a: b for (a, _), (_, b) in zip(marks, marks[1:])}
    print(
        json.dumps(
            {
                "timings": timings,
                "peak_gb_by_stage": peaks,
                "rows": result.summary.rows.to_dict(),
                "themes": len(result.themes),
            }
        )
    )


def _peak_gb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


if __name__ == "__main__":
    main()

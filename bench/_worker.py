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
    from feedback_nlp.config import Representation
    from feedback_nlp.demo import demo_config

    cfg = demo_config(data, representation=Representation(extra.get("representation", "auto")))
    imported = time.perf_counter()
    result = analyze(cfg)
    t = time.perf_counter()
    write_report(result, out)
    timings = {"import": imported - start, **result.timings, "report": time.perf_counter() - t}
    timings["total"] = time.perf_counter() - start
    print(
        json.dumps(
            {"timings": timings, "rows": result.summary["rows"], "themes": len(result.themes)}
        )
    )


if __name__ == "__main__":
    main()

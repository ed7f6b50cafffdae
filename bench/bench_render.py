"""Benchmark: the example letter to PDF, our render path vs WeasyPrint's defaults, same run.

    python bench/bench_render.py [--runs 30] [--profile]

Warm process: every path renders once before timing. Reported: median and p90 in ms over
``--runs`` renders of each path, interleaved so machine noise hits all paths alike.

* ours, PDF/A-3b: ``render_pdf(determination)`` (templating included) - the default letter
* ours, plain PDF: ``pdf_variant="none"``, no attachment
* WeasyPrint defaults: the same standalone HTML through ``HTML(string=...).write_pdf()``:
  default URL fetcher, system fonts (the letter's @font-face URLs do not resolve without a base
  URL), a new FontConfiguration and CSS parse per render, HarfBuzz/fontTools subsetting
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from weasyprint import HTML  # noqa: E402

from priorauth.determination import Determination  # noqa: E402
from priorauth.errors import PriorAuthError  # noqa: E402
from priorauth.render import LetterOptions, render_html, render_pdf  # noqa: E402

EXAMPLE = ROOT / "examples" / "trd_meets_policies.json"
AS_OF = dt.date(2026, 11, 25)


def example_determination() -> tuple[Determination, str]:
    """The example chart through the pipeline, else the hand-built test Determination."""
    try:
        from priorauth.evaluate import evaluate
        from priorauth.facts import extract_facts  # type: ignore[attr-defined,unused-ignore]
        from priorauth.fhir import load_chart
        from priorauth.rules import load_rules

        record = extract_facts(load_chart(EXAMPLE), as_of=AS_OF)
        policy = next(iter(load_rules().for_payer("aetna")))
        return evaluate(record, policy, as_of=AS_OF), f"{EXAMPLE.name} via the pipeline"
    except (ImportError, PriorAuthError, StopIteration):
        from tests.render.conftest import make_determination

        return make_determination(), "tests/render/conftest.py make_determination()"


def measure(
    paths: dict[str, Callable[[], bytes]], runs: int
) -> dict[str, tuple[list[float], list[float]]]:
    """Interleaved (wall ms, CPU ms) timings per path; CPU time resists a busy machine."""
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in paths}
    for fn in paths.values():
        fn()
    for _ in range(runs):
        for name, fn in paths.items():
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            times[name][0].append((time.perf_counter() - wall) * 1000)
            times[name][1].append((time.process_time() - cpu) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", action="store_true", help="cProfile our default path")
    args = parser.parse_args()
    determination, source = example_determination()
    standalone = render_html(determination)
    plain = LetterOptions(pdf_variant="none", attach_json=False)
    paths: dict[str, Callable[[], bytes]] = {
        "ours, PDF/A-3b + JSON": lambda: render_pdf(determination),
        "ours, plain PDF": lambda: render_pdf(determination, options=plain),
        "WeasyPrint defaults": lambda: HTML(string=standalone).write_pdf(),
    }
    if args.profile:
        render_pdf(determination)
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [render_pdf(determination) for _ in range(5)])
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        return
    times = measure(paths, args.runs)
    print(f"letter: {source}; {args.runs} runs per path, interleaved")
    print(
        f"machine: {platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}, {platform.system()}"
    )
    base = statistics.median(times["WeasyPrint defaults"][1])
    for name, (wall, cpu) in times.items():
        p90 = statistics.quantiles(wall, n=10)[-1]
        size = len(paths[name]())
        print(
            f"{name:24s} wall median {statistics.median(wall):7.1f} ms (p90 {p90:7.1f})  "
            f"CPU median {statistics.median(cpu):7.1f} ms  "
            f"{base / statistics.median(cpu):4.2f}x vs defaults (CPU)  {size:7d} bytes"
        )


if __name__ == "__main__":
    main()

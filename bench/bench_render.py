"""Benchmark: the example letter to PDF, our render path vs WeasyPrint's defaults, same run.

    python bench/bench_render.py [--runs 30] [--determination FILE] [--phases] [--profile]

The letter is the example chart through the pipeline, or ``--determination FILE``: a saved
Determination (``priorauth letter CHART --payer ID --as-of DATE --format json``), so that runs
on different days or trees render the same input.

Warm process: every path renders once before timing. Each round renders every path once, in a
shuffled order, so machine noise hits all paths alike; reported per path: wall median and p90,
CPU (``time.process_time``) median and minimum in ms, and the CPU ratio to the defaults path.

* ours, PDF/A-3b + JSON: ``render_pdf(determination)`` (templating included) - the default letter
* ours, plain PDF: ``pdf_variant="none"``, no attachment
* WeasyPrint defaults: the same template's standalone HTML through ``HTML(string=...).write_pdf()``:
  tinyhtml5 parse, full HTML5 UA sheet, default URL fetcher, system fonts (the letter's
  @font-face URLs do not resolve without a base URL), a new FontConfiguration and CSS parse per
  render, HarfBuzz subsetting
* the same two paths (ours PDF/A-3b, defaults) on a one-page letter: the full letter without the
  draft banner, clinical sections, checklist, rationale, attestations and source list
  (letterhead, RE block, request, signature, confidentiality notice). That is the floor;
  (full - one page) / (pages - 1) is the cost of each further page.

``--phases`` splits our default path into parse, style, boxes, layout, paint and PDF writing
(median over ``--runs``); ``--profile`` prints cProfile's top functions for it. ``--ablate``
times our default path on the letter with one feature left out at a time (the trend chart's SVG
text labels, the chart, the tables, the page margin boxes, the criteria checklist, the source
list, PDF/A + attachment), interleaved: the CPU each feature costs (the look changes, of course;
this only measures where the time goes).
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import datetime as dt
import functools
import io
import os
import platform
import pstats
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import weasyprint  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from weasyprint import HTML  # noqa: E402

from priorauth.determination import Determination  # noqa: E402
from priorauth.errors import PriorAuthError  # noqa: E402
from priorauth.render import LetterOptions, render_html, render_pdf  # noqa: E402

EXAMPLE = ROOT / "examples" / "trd_meets_policies.json"
AS_OF = dt.date(2026, 11, 25)
LONG_SECTIONS = (
    "draft",
    "history",
    "trials",
    "therapy",
    "safety",
    "criteria",
    "rationale",
    "attestations",
    "sources",
)
"""Sections left out of the one-page letter (sections never nest in the templates)."""


def example_determination() -> tuple[Determination, str]:
    """The example chart through the pipeline, else the hand-built test Determination."""
    try:  # as bench/run.py builds it: the policy the chart's coverage selects
        from priorauth.evaluate import evaluate, select_policies
        from priorauth.pipeline import chart_facts
        from priorauth.rules import load_rules

        record = chart_facts(EXAMPLE, as_of=AS_OF)
        policy = select_policies(load_rules(), payer="auto", record=record, as_of=AS_OF)[0]
        return evaluate(record, policy, as_of=AS_OF), f"{EXAMPLE.name} via the pipeline"
    except (ImportError, PriorAuthError, StopIteration):
        from tests.render.conftest import make_determination

        return make_determination(), "tests/render/conftest.py make_determination()"


def load_determination(path: Path | None) -> tuple[Determination, str]:
    if path is None:
        return example_determination()
    return Determination.model_validate_json(path.read_bytes()), str(path)


def one_page(html: str) -> str:
    """The letter without its long sections."""
    names = "|".join(LONG_SECTIONS)
    pattern = rf'<section[^>]*data-section="(?:{names})".*?</section>'
    return re.sub(pattern, "", html, flags=re.S)


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


Timings = dict[str, tuple[list[float], list[float]]]


def measure(paths: dict[str, Callable[[], bytes]], runs: int) -> Timings:
    """(wall ms, CPU ms) per path; each round runs every path once in a shuffled order."""
    times: Timings = {name: ([], []) for name in paths}
    for fn in paths.values():
        fn()
    order = list(paths.items())
    shuffle = random.Random(20261125).shuffle
    for _ in range(runs):
        shuffle(order)
        for name, fn in order:
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            times[name][0].append((time.perf_counter() - wall) * 1000)
            times[name][1].append((time.process_time() - cpu) * 1000)
    return times


def phases(determination: Determination, runs: int) -> None:
    """Median CPU ms per stage of our default path (WeasyPrint functions wrapped in timers)."""
    import weasyprint.document as wd
    import weasyprint.pdf as wpdf  # build_fonts_dictionary is looked up here

    import priorauth.render.pdf as ppdf

    spent: collections.defaultdict[str, float] = collections.defaultdict(float)

    def timed(owner: Any, name: str, label: str) -> None:
        inner = getattr(owner, name)

        @functools.wraps(inner)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return inner(*args, **kwargs)
            finally:
                spent[label] += time.process_time() - start

        setattr(owner, name, wrapper)

    timed(ppdf, "render_html", "templating (view + Jinja)")
    try:
        import priorauth.render.document as prd

        timed(prd, "_element_tree", "HTML parse")
    except ImportError:  # a tree from before render/document.py: WeasyPrint parses
        timed(weasyprint.HTML, "__init__", "HTML parse")
    timed(wd.Document, "_build_layout_context", "CSS cascade + computed styles")
    timed(wd, "build_formatting_structure", "box tree")
    timed(wd.Document, "_render", "_render")
    timed(wd.Page, "paint", "paint (draw pages)")
    timed(wpdf, "build_fonts_dictionary", "fonts (subset, embed)")
    total = []
    per_run: list[dict[str, float]] = []
    render_pdf(determination)
    for _ in range(runs):
        spent.clear()
        start = time.process_time()
        render_pdf(determination)
        total.append((time.process_time() - start) * 1000)
        run: dict[str, float] = {k: v * 1000 for k, v in spent.items()}
        run["layout (lines, tables, pages)"] = (
            run["_render"] - run["CSS cascade + computed styles"] - run["box tree"]
        )
        run["PDF objects, compress, write (rest)"] = (
            total[-1]
            - run["_render"]
            - run["paint (draw pages)"]
            - run["fonts (subset, embed)"]
            - run["templating (view + Jinja)"]
            - run["HTML parse"]
        )
        per_run.append(run)
    shown = (
        "templating (view + Jinja)",
        "HTML parse",
        "CSS cascade + computed styles",
        "box tree",
        "layout (lines, tables, pages)",
        "paint (draw pages)",
        "fonts (subset, embed)",
        "PDF objects, compress, write (rest)",
    )
    print(f"stages of ours, PDF/A-3b + JSON (CPU ms, median of {runs}):")
    for label in shown:
        print(f"  {label:36s} {statistics.median(r[label] for r in per_run):7.1f}")
    print(f"  {'total':36s} {statistics.median(total):7.1f}")


def _strip(html: str, pattern: str) -> str:
    innermost = re.compile(pattern, flags=re.S)
    while innermost.search(html):
        html = innermost.sub("", html)
    return html


def ablate(determination: Determination, runs: int) -> None:
    """CPU of our default path with one feature of the letter left out at a time."""
    import shutil
    import tempfile

    html = render_html(determination, standalone=False)
    section = r'<section[^>]*data-section="{}".*?</section>'
    variants = {
        "the whole letter": html,
        "without the chart's SVG text labels": _strip(html, r"<text\b[^>]*>[^<]*</text>"),
        "without the trend chart": _strip(html, r'<figure class="chart">.*?</figure>'),
        "without the tables": _strip(html, r"<table\b(?:(?!<table\b).)*?</table>"),
        "without the criteria checklist": _strip(html, section.format("criteria")),
        "without the source list": _strip(html, section.format("sources")),
    }
    paths: dict[str, Callable[[], bytes]] = {
        name: functools.partial(render_pdf, determination, html=variant)
        for name, variant in variants.items()
    }
    plain = LetterOptions(pdf_variant="none", attach_json=False)
    paths["without PDF/A-3b and the attachment"] = functools.partial(
        render_pdf, determination, html=html, options=plain
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "templates"
        shutil.copytree(ROOT / "templates", folder)
        css = folder / "letter.css"
        text = css.read_text(encoding="utf-8")
        text = re.sub(r"@page[^{]*\{(?:[^{}]|\{[^{}]*\})*\}", "", text)
        css.write_text("@page { size: letter; margin: 0.7in 0.75in 0.8in 0.75in }\n" + text)
        paths["without the page margin boxes"] = functools.partial(
            render_pdf, determination, html=html, templates=folder
        )
        pages_of = {name: pages(fn()) for name, fn in paths.items()}
        load_before = os.getloadavg()[0]
        times = measure(paths, runs)
        load_after = os.getloadavg()[0]
    full = statistics.median(times["the whole letter"][1])
    print(f"CPU ms, median of {runs} interleaved rounds; load {load_before:.1f}-{load_after:.1f}")
    for name, (_, cpu) in times.items():
        median = statistics.median(cpu)
        print(
            f"  {name:40s} {pages_of[name]} p {median:7.1f} (min {min(cpu):7.1f})"
            f"  saves {full - median:6.1f} ({(full - median) / full:4.0%})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--determination", type=Path, help="a saved Determination (JSON)")
    parser.add_argument("--phases", action="store_true", help="CPU per stage of our default path")
    parser.add_argument("--profile", action="store_true", help="cProfile our default path")
    parser.add_argument("--ablate", action="store_true", help="CPU of each feature of the letter")
    args = parser.parse_args()
    determination, source = load_determination(args.determination)
    if args.ablate:
        ablate(determination, args.runs)
        return
    if args.profile:
        render_pdf(determination)
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [render_pdf(determination) for _ in range(5)])
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        return
    if args.phases:
        phases(determination, args.runs)
        return

    standalone = render_html(determination)
    short = one_page(render_html(determination, standalone=False))
    short_standalone = one_page(standalone)
    plain = LetterOptions(pdf_variant="none", attach_json=False)
    paths: dict[str, Callable[[], bytes]] = {
        "ours, PDF/A-3b + JSON": lambda: render_pdf(determination),
        "ours, plain PDF": lambda: render_pdf(determination, options=plain),
        "WeasyPrint defaults": lambda: HTML(string=standalone).write_pdf(),
        "1 page: ours, PDF/A-3b": lambda: render_pdf(determination, html=short),
        "1 page: WeasyPrint defaults": lambda: HTML(string=short_standalone).write_pdf(),
    }
    outputs = {name: fn() for name, fn in paths.items()}
    page_counts = {name: pages(pdf) for name, pdf in outputs.items()}
    load_before = os.getloadavg()
    times = measure(paths, args.runs)
    load_after = os.getloadavg()

    print(f"letter: {source}; {args.runs} rounds, every path once per round, shuffled")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, WeasyPrint {weasyprint.__version__}; load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after (1 min)"
    )
    cpu = {name: statistics.median(c) for name, (_, c) in times.items()}
    base = {"full": cpu["WeasyPrint defaults"], "1 page": cpu["1 page: WeasyPrint defaults"]}
    for name, (wall, cpu_times) in times.items():
        ratio = base["1 page" if name.startswith("1 page") else "full"] / cpu[name]
        print(
            f"{name:28s} {page_counts[name]} p  wall median {statistics.median(wall):7.1f} ms "
            f"(p90 {p90(wall):7.1f})  CPU median {cpu[name]:7.1f} "
            f"(min {min(cpu_times):7.1f})  {ratio:4.2f}x vs defaults  "
            f"{len(outputs[name]):7d} bytes"
        )
    for label, full, short_name in (
        ("ours", "ours, PDF/A-3b + JSON", "1 page: ours, PDF/A-3b"),
        ("defaults", "WeasyPrint defaults", "1 page: WeasyPrint defaults"),
    ):
        extra = page_counts[full] - page_counts[short_name]
        if extra > 0:
            per_page = (cpu[full] - cpu[short_name]) / extra
            print(f"per further page, {label}: {per_page:6.1f} ms CPU")


if __name__ == "__main__":
    main()

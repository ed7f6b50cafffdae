"""Every benchmark as paired ratios against a named reference measured in the same run.

    bench/run                       # all sections, one markdown table on stdout
    bench/run --rounds 5 --only startup,letter
    bench/run --output /tmp/bench.md

This machine is shared and noisy: absolute times move 1.5x with load, so every figure is a ratio
to a reference run in the same process or the same run, interleaved round by round (each round
runs every path of a section once, in a shuffled order). Reported per path: median wall and CPU
time, the ratio of the medians to the reference (CPU unless said otherwise), the target where the
issue sets one, and the 1-minute load average at the start and end of the section.

Sections and their references:

* **startup** — ``priorauth --help``, every subcommand's ``--help`` and ``python -c "import
  priorauth"``, each a fresh process, vs ``python -c "import click"`` (CPU of the child from
  ``wait4``). Target <= 3x.
* **facts** — ``chart_facts(bytes)`` on typical Synthea charts vs ``orjson.loads`` of the same
  bytes (target <= 2.5x) and vs ``Bundle.model_validate(orjson.loads(...))`` (target: >= 10x
  faster). From ``bench/bench_extract.py``.
* **letter** — ``render_pdf`` of the example letter (PDF/A-3b + JSON) vs WeasyPrint's default
  ``HTML(string=...).write_pdf()`` of the same HTML and vs a plain-prose document of the same page
  count through the same default call (the floor; target <= 2x). A diagnostic row renders the
  same letter with its tables and trend chart left out (what plain prose cannot have) against
  prose of that page count, and gives their share of the letter's CPU.
* **http** — ``priorauth serve`` (one worker, SQLite audit) at 1 client: ``POST /evaluate`` and
  ``POST /letters`` (PDF, forced) vs ``GET /healthz`` (wall), and ``/letters`` vs the warm
  in-process ``render_pdf`` of the same chart's letter (wall, target <= 1.3x; and the server's
  CPU per request, read from ``/proc``, vs the render's CPU).
* **batch** — ``priorauth batch --no-audit`` of 40 copies of the example chart (every one
  meets, so every one is a letter) with ``--jobs 1`` and ``--jobs 2``: letters/s vs
  ``jobs / CPU seconds of one warm letter`` (wall; target >= 0.8; it needs ``jobs`` idle
  cores), and letters per CPU second of the whole process tree (parent, fork server, workers:
  reaped here as a subreaper) vs ``1 / CPU seconds of one warm letter``, which holds under load.
  The reference letter is rendered in this process between the batch runs. Beside the wall
  rate, the row gives the CPU share the run got (process-tree CPU / wall / jobs; 1.00 = every
  job had a core to itself); the wall ratio is the letters-per-CPU-second ratio times that
  share, so a wall miss with a share well below 1 is the machine's load, not the batch. The
  load column of the batch rows is the lowest-highest 1-minute load average sampled at the
  start and end of each run.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import datetime as dt
import gc
import io
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

EXAMPLE = ROOT / "examples" / "trd_meets_policies.json"
AS_OF = dt.date(2026, 11, 25)
TYPICAL = ("Eliseo_Cummings", "Darron_Feeney", "Roberto_Graham")
"""Typical Synthea charts (1.3-2.3 MB): the middle of the set bench_extract.py times."""
SECTIONS = ("startup", "facts", "letter", "http", "batch")


@dataclass
class Row:
    section: str
    path: str
    reference: str
    wall_ms: float
    cpu_ms: float | None
    ratio: float
    basis: str
    target: str
    verdict: str
    load: str


def _load() -> float:
    return os.getloadavg()[0]


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _verdict(ratio: float, limit: float, *, at_most: bool) -> str:
    ok = ratio <= limit if at_most else ratio >= limit
    return "met" if ok else "MISSED"


def interleaved(paths: dict[str, Callable[[], Any]], rounds: int) -> dict[str, tuple[list, list]]:
    """(wall ms, CPU ms) per path; every path once per round, shuffled, after one warm-up each."""
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in paths}
    for fn in paths.values():
        fn()
    order = list(paths.items())
    shuffle = random.Random(20261125).shuffle
    for _ in range(rounds):
        shuffle(order)
        for name, fn in order:
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            result = fn()
            del result
            times[name][0].append((time.perf_counter() - wall) * 1000)
            times[name][1].append((time.process_time() - cpu) * 1000)
    return times


# -- start-up -----------------------------------------------------------------------------------


def _child(command: list[str]) -> tuple[float, float]:
    """Wall and CPU ms of one child process (CPU from ``wait4``: user + system)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = (time.perf_counter() - started) * 1000
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}")
    return wall, (usage.ru_utime + usage.ru_stime) * 1000


def _subcommands() -> list[list[str]]:
    import click

    from priorauth.cli import cli

    found: list[list[str]] = []

    def walk(group: click.Group, path: list[str]) -> None:
        for name, command in sorted(group.commands.items()):
            found.append([*path, name])
            if isinstance(command, click.Group):
                walk(command, [*path, name])

    walk(cli, [])
    return found


def startup(rounds: int) -> Iterator[Row]:
    py = sys.executable
    exe = str(Path(py).with_name("priorauth"))
    prefix = [exe] if Path(exe).exists() else [py, "-m", "priorauth"]
    commands = {'python -c "import click"': [py, "-c", "import click"]}
    commands['python -c "pass"'] = [py, "-c", "pass"]
    commands['python -c "import priorauth"'] = [py, "-c", "import priorauth"]
    commands["priorauth --help"] = [*prefix, "--help"]
    for sub in _subcommands():
        commands[f"priorauth {' '.join(sub)} --help"] = [*prefix, *sub, "--help"]
    load = _load()
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in commands}
    for command in commands.values():
        _child(command)
    order = list(commands.items())
    shuffle = random.Random(20261125).shuffle
    for _ in range(rounds):
        shuffle(order)
        for name, command in order:
            wall, cpu = _child(command)
            times[name][0].append(wall)
            times[name][1].append(cpu)
    loads = f"{load:.1f}-{_load():.1f}"
    reference = 'python -c "import click"'
    ref = _median(times[reference][1])
    for name, (wall, cpu) in times.items():
        ratio = _median(cpu) / ref
        target, verdict = "", ""
        if name.startswith("priorauth") or "import priorauth" in name:
            target, verdict = "<= 3x", _verdict(ratio, 3.0, at_most=True)
        yield Row(
            "startup",
            name,
            reference,
            _median(wall),
            _median(cpu),
            ratio,
            "CPU",
            target,
            verdict,
            loads,
        )


# -- facts --------------------------------------------------------------------------------------


def facts(rounds: int) -> Iterator[Row]:
    import bench_extract as be

    for path in be.chart_files(list(TYPICAL)):
        data = path.read_bytes()
        name = path.name.split("_")[0] + "_" + path.name.split("_")[1]
        load = _load()
        times = interleaved(
            {
                "chart_facts": lambda d=data: be.ours(d),
                "orjson.loads": lambda d=data: be.parse_only(d),
                "whole Bundle": lambda d=data: be.whole_bundle(d),
            },
            rounds,
        )
        loads = f"{load:.1f}-{_load():.1f}"
        ours_cpu = _median(times["chart_facts"][1])
        parse_cpu = _median(times["orjson.loads"][1])
        whole_cpu = _median(times["whole Bundle"][1])
        mb = len(data) / 1e6
        wall = _median(times["chart_facts"][0])
        ratio = ours_cpu / parse_cpu
        yield Row(
            "facts",
            f"chart_facts, {name} ({mb:.1f} MB)",
            "orjson.loads",
            wall,
            ours_cpu,
            ratio,
            "CPU",
            "<= 2.5x",
            _verdict(ratio, 2.5, at_most=True),
            loads,
        )
        speedup = whole_cpu / ours_cpu
        yield Row(
            "facts",
            f"whole Bundle validation, {name}",
            "chart_facts (ratio = times faster)",
            _median(times["whole Bundle"][0]),
            whole_cpu,
            speedup,
            "CPU",
            ">= 10x",
            _verdict(speedup, 10.0, at_most=False),
            loads,
        )


# -- letter -------------------------------------------------------------------------------------


def example_determination() -> Any:
    from priorauth.evaluate import evaluate, select_policies
    from priorauth.pipeline import chart_facts
    from priorauth.rules import load_rules

    record = chart_facts(EXAMPLE, as_of=AS_OF)
    policy = select_policies(load_rules(), payer="auto", record=record, as_of=AS_OF)[0]
    return evaluate(record, policy, as_of=AS_OF)


def _pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


PROSE = (
    "The patient has had a long course of major depressive disorder with several episodes, "
    "treated in primary care and then by psychiatry. Each antidepressant was started at a low "
    "dose, raised to a therapeutic one over some weeks and kept there for the length of an "
    "adequate trial, with the response measured on a standard rating scale at each visit. "
)


PROSE_STYLE = (
    "@page { size: letter; margin: 0.7in 0.75in 0.8in 0.75in }"
    " html { font: 10pt/1.32 serif } body { margin: 0 } p { margin: 0 0 6pt }"
)
"""The letter's page size, margins and body type (letter.css), nothing else."""


def prose_html(paragraphs: int) -> str:
    body = "".join(f"<p>{PROSE * 3}</p>" for _ in range(paragraphs))
    head = f"<title>Prose</title><style>{PROSE_STYLE}</style>"
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def prose_of(pages: int) -> tuple[str, int]:
    """Plain prose in the letter's page setup and body type, filling as many pages as the
    letter has (the most paragraphs that fit): the floor for that many pages of text."""
    from weasyprint import HTML

    paragraphs = 4
    while len(HTML(string=prose_html(paragraphs + 1)).render().pages) <= pages:
        paragraphs += 1
    html = prose_html(paragraphs)
    return html, len(HTML(string=html).render().pages)


def without_tables_and_chart(html: str) -> str:
    """The letter's HTML without its tables and its trend chart: what plain prose cannot have."""
    innermost = re.compile(r"<table\b(?:(?!<table\b).)*?</table>", flags=re.S)
    while innermost.search(html):  # the RE block's table holds the codes table
        html = innermost.sub("", html)
    return re.sub(r'<figure class="chart">.*?</figure>', "", html, flags=re.S)


def letter(rounds: int) -> Iterator[Row]:
    from weasyprint import HTML

    from priorauth.render import render_html, render_pdf

    determination = example_determination()
    standalone = render_html(determination)
    ours_pdf = render_pdf(determination)
    pages = _pages(ours_pdf)
    prose, prose_pages = prose_of(pages)
    text_only = without_tables_and_chart(render_html(determination, standalone=False))
    text_pages = _pages(render_pdf(determination, html=text_only))
    text_prose, text_prose_pages = prose_of(text_pages)
    load = _load()
    times = interleaved(
        {
            "ours": lambda: render_pdf(determination),
            "defaults": lambda: HTML(string=standalone).write_pdf(),
            "prose": lambda: HTML(string=prose).write_pdf(),
            "text only": lambda: render_pdf(determination, html=text_only),
            "text prose": lambda: HTML(string=text_prose).write_pdf(),
        },
        rounds,
    )
    loads = f"{load:.1f}-{_load():.1f}"
    cpu = {name: _median(c) for name, (_, c) in times.items()}
    wall = {name: _median(w) for name, (w, _) in times.items()}
    yield Row(
        "letter",
        f"render_pdf, example letter ({pages} pages, {len(ours_pdf) // 1000} KB)",
        "WeasyPrint default write_pdf() of the same HTML",
        wall["ours"],
        cpu["ours"],
        cpu["ours"] / cpu["defaults"],
        "CPU",
        "",
        "",
        loads,
    )
    ratio = cpu["ours"] / cpu["prose"]
    yield Row(
        "letter",
        f"render_pdf, example letter ({pages} pages)",
        f"plain prose, {prose_pages} pages, default write_pdf() (floor)",
        wall["ours"],
        cpu["ours"],
        ratio,
        "CPU",
        "<= 2x",
        _verdict(ratio, 2.0, at_most=True),
        loads,
    )
    share = 1 - cpu["text only"] / cpu["ours"]
    yield Row(
        "letter",
        f"render_pdf, the letter without its tables and trend chart ({text_pages} pages; "
        f"they are {share:.0%} of the letter's CPU)",
        f"plain prose, {text_prose_pages} pages, default write_pdf()",
        wall["text only"],
        cpu["text only"],
        cpu["text only"] / cpu["text prose"],
        "CPU",
        "",
        "",
        loads,
    )
    yield Row(
        "letter",
        "WeasyPrint default write_pdf() of the letter's HTML",
        "(reference of the first letter row)",
        wall["defaults"],
        cpu["defaults"],
        1.0,
        "CPU",
        "",
        "",
        loads,
    )
    yield Row(
        "letter",
        f"plain prose, {prose_pages} pages",
        "(reference of the second letter row)",
        wall["prose"],
        cpu["prose"],
        1.0,
        "CPU",
        "",
        "",
        loads,
    )
    yield Row(
        "letter",
        f"plain prose, {text_prose_pages} pages",
        "(reference of the third letter row)",
        wall["text prose"],
        cpu["text prose"],
        1.0,
        "CPU",
        "",
        "",
        loads,
    )


# -- HTTP ---------------------------------------------------------------------------------------


def http(rounds: int) -> Iterator[Row]:
    import bench_load_http as bl
    import httpx

    from priorauth.render import render_pdf
    from priorauth.service.auth import new_token

    determination = example_determination()
    token = new_token("bench")
    body = EXAMPLE.read_bytes()
    with tempfile.TemporaryDirectory() as tmp_name:
        server_args = argparse.Namespace(audit_url=None, rules_dir=None, workers=1)
        process, url, _ = bl.start_server(server_args, Path(tmp_name), token)
        try:
            headers = {**bl.FHIR, "Authorization": f"Bearer {token}"}
            params = {"payer": determination.policy.id, "as_of": AS_OF.isoformat()}
            with httpx.Client(base_url=url, headers=headers, timeout=120) as client:

                def post(path: str, **extra: str) -> bytes:
                    response = client.post(path, content=body, params={**params, **extra})
                    response.raise_for_status()
                    return response.content

                def healthz() -> bytes:
                    response = client.get("/healthz")
                    response.raise_for_status()
                    return response.content

                server_cpu: list[float] = []

                def letters() -> bytes:
                    before = _process_cpu(process.pid)
                    content = post("/letters", force="true")
                    server_cpu.append(_process_cpu(process.pid) - before)
                    return content

                load = _load()
                times = interleaved(
                    {
                        "/healthz": healthz,
                        "/evaluate": lambda: post("/evaluate"),
                        "/letters": letters,
                        "render_pdf in process": lambda: render_pdf(determination),
                    },
                    rounds,
                )
                loads = f"{load:.1f}-{_load():.1f}"
        finally:
            process.terminate()
            process.wait(timeout=30)
    wall = {name: _median(w) for name, (w, _) in times.items()}
    for name in ("/evaluate", "/letters"):
        yield Row(
            "http",
            f"POST {name}, 1 client",
            "GET /healthz",
            wall[name],
            None,
            wall[name] / wall["/healthz"],
            "wall",
            "",
            "",
            loads,
        )
    ratio = wall["/letters"] / wall["render_pdf in process"]
    yield Row(
        "http",
        "POST /letters p50, 1 client",
        "warm render_pdf in process, same letter",
        wall["/letters"],
        None,
        ratio,
        "wall",
        "<= 1.3x",
        _verdict(ratio, 1.3, at_most=True),
        loads,
    )
    render_cpu = _median(times["render_pdf in process"][1])
    yield Row(
        "http",
        "POST /letters: server CPU per request, 1 client",
        "warm render_pdf in process: CPU",
        wall["/letters"],
        _median(server_cpu[1:]),
        _median(server_cpu[1:]) / render_cpu,
        "CPU",
        "",
        "",
        loads,
    )
    yield Row(
        "http",
        "GET /healthz",
        "(reference)",
        wall["/healthz"],
        None,
        1.0,
        "wall",
        "",
        "",
        loads,
    )
    yield Row(
        "http",
        "warm render_pdf in process",
        "(reference)",
        wall["render_pdf in process"],
        _median(times["render_pdf in process"][1]),
        1.0,
        "wall",
        "",
        "",
        loads,
    )


# -- batch --------------------------------------------------------------------------------------


def _process_cpu(pid: int) -> float:
    """CPU ms (user + system) a running process has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def _subreaper() -> bool:
    """Become the reaper of orphaned descendants (Linux), so a batch's fork server and its
    workers are waited for here and their CPU time counts in ``RUSAGE_CHILDREN``."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(36, 1, 0, 0, 0) == 0)  # PR_SET_CHILD_SUBREAPER
    return False


def _reap_orphans() -> None:
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


def batch(rounds: int, charts: int) -> Iterator[Row]:
    from priorauth.render import render_pdf

    tree_cpu = _subreaper()
    determination = example_determination()
    exe = str(Path(sys.executable).with_name("priorauth"))
    prefix = [exe] if Path(exe).exists() else [sys.executable, "-m", "priorauth"]
    with tempfile.TemporaryDirectory() as tmp_name:
        folder = Path(tmp_name) / "charts"
        folder.mkdir()
        for i in range(charts):
            shutil.copy(EXAMPLE, folder / f"chart{i:03d}.json")
        letter_cpu: list[float] = []
        results: dict[int, list[tuple[float, float, int]]] = {1: [], 2: []}
        run_loads: dict[int, list[float]] = {1: [], 2: []}
        render_pdf(determination)
        for n in range(max(1, rounds // 5)):
            for jobs in (1, 2) if n % 2 == 0 else (2, 1):
                for _ in range(3):  # the reference, next to each batch run
                    cpu = time.process_time()
                    render_pdf(determination)
                    letter_cpu.append((time.process_time() - cpu) * 1000)
                out = Path(tmp_name) / f"out-{n}-{jobs}"
                command = [*prefix, "batch", str(folder), "-o", str(out), "--jobs", str(jobs)]
                command += ["--payer", "auto", "--as-of", AS_OF.isoformat(), "--no-audit"]
                before = _children_cpu()
                run_loads[jobs].append(_load())
                started = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True)
                if tree_cpu:
                    _reap_orphans()
                seconds = time.perf_counter() - started
                run_loads[jobs].append(_load())
                letters = len(list(out.glob("*.pdf")))
                results[jobs].append((seconds, _children_cpu() - before, letters))
    ref_cpu = _median(letter_cpu)
    for jobs, runs in results.items():
        loads = f"{min(run_loads[jobs]):.1f}-{max(run_loads[jobs]):.1f}"
        seconds = _median([r[0] for r in runs])
        cpu = _median([r[1] for r in runs])
        letters = runs[0][2]
        rate = letters / seconds
        ideal = jobs / (ref_cpu / 1000)
        share = cpu / 1000 / seconds / jobs
        yield Row(
            "batch",
            f"batch --jobs {jobs}, {letters} letters: {rate:.2f} letters/s; CPU share it got "
            f"(process-tree CPU / wall / jobs): {share:.2f}",
            f"{jobs} / warm letter CPU ({ref_cpu:.0f} ms) = {ideal:.2f} letters/s",
            seconds * 1000,
            cpu,
            rate / ideal,
            "wall",
            ">= 0.8",
            _verdict(rate / ideal, 0.8, at_most=False),
            loads,
        )
        scope = "process tree" if tree_cpu or jobs == 1 else "parent only"
        per_cpu = ref_cpu / (cpu / letters)
        yield Row(
            "batch",
            f"batch --jobs {jobs}: letters per CPU second ({scope}): {1000 * letters / cpu:.2f}",
            f"1 / warm letter CPU = {1000 / ref_cpu:.2f}",
            seconds * 1000 / letters,
            cpu / letters,
            per_cpu,
            "CPU",
            ">= 0.8",
            _verdict(per_cpu, 0.8, at_most=False),
            loads,
        )


# -- report -------------------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    lines = [
        "| section | path | reference | wall median ms | CPU median ms | ratio | basis "
        "| target | | load avg |",
        "|---|---|---|---:|---:|---:|---|---|---|---|",
    ]
    for r in rows:
        cpu = f"{r.cpu_ms:.1f}" if r.cpu_ms is not None else "-"
        lines.append(
            f"| {r.section} | {r.path} | {r.reference} | {r.wall_ms:.1f} | {cpu} | "
            f"{r.ratio:.2f}x | {r.basis} | {r.target} | {r.verdict} | {r.load} |"
        )
    return "\n".join(lines)


def header(args: argparse.Namespace) -> str:
    import weasyprint

    from priorauth.render.pdf import HARFBUZZ_SUBSET

    return (
        f"bench/run on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC: {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, WeasyPrint "
        f"{weasyprint.__version__}, HarfBuzz subsetting {'on' if HARFBUZZ_SUBSET else 'off'}; "
        f"{args.rounds} rounds per section (batch: {max(1, args.rounds // 5)} runs per --jobs, "
        f"{args.charts} charts)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=10, help="rounds per section")
    parser.add_argument("--charts", type=int, default=40, help="charts in the batch folder")
    parser.add_argument("--only", default=",".join(SECTIONS), help="sections, comma-separated")
    parser.add_argument("--output", type=Path, help="also write the table to this file")
    args = parser.parse_args()
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    runners: dict[str, Callable[[], Iterator[Row]]] = {
        "startup": lambda: startup(args.rounds),
        "facts": lambda: facts(args.rounds),
        "letter": lambda: letter(args.rounds),
        "http": lambda: http(args.rounds),
        "batch": lambda: batch(args.rounds, args.charts),
    }
    started = _load()
    rows: list[Row] = []
    for section in chosen:
        print(f"# {section} ...", file=sys.stderr, flush=True)
        rows.extend(runners[section]())
    text = f"{header(args)}\n\n{table(rows)}\n\n1-minute load average {started:.2f} at start, "
    text += f"{_load():.2f} at end.\n"
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

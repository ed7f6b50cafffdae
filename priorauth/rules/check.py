"""The compliance check behind ``priorauth rules check``: every problem in every rule file.

Per file: YAML and schema (with line, field and a did-you-mean hint; an unknown ``effective.from``
only in a draft, with ``effective.review``), ``id`` equals the file name, ``payer.id`` equals the
folder, ``last_reviewed`` within 12 months (warning), every code in its full code set or excepted in
``codes_outside_tables`` (:mod:`~priorauth.rules.check_codes`), every severity threshold inside
its instruments' score ranges and every quote marked verbatim or paraphrase
(:mod:`~priorauth.rules.check_criteria`), no attestation criterion directly in the root ``all``
(warning), a test file beside it with a ``meets`` and a ``does_not_meet`` case, every case
passing. Across files: unique ids, and no overlapping effective windows among one payer's
(non-draft) policies for the same line of business.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from priorauth.rules._where import problem_at
from priorauth.rules.cases_run import run_test_file
from priorauth.rules.check_codes import code_problems
from priorauth.rules.check_criteria import quote_kind_problems, threshold_problems
from priorauth.rules.loader import TEST_SUFFIX, LoadedFile, cases_file_for, read_policy, rule_files
from priorauth.rules.models import AllGroup, Policy
from priorauth.rules.problems import Problem

__all__ = ["REVIEW_DAYS", "check_paths", "display_path"]

REVIEW_DAYS = 365


def display_path(path: Path) -> str:
    """The path relative to the working directory when it is below it, else absolute."""
    relative = os.path.relpath(path)
    return relative if not relative.startswith("..") else str(path.resolve())


def _expand(paths: Sequence[Path]) -> tuple[list[Path], list[Problem]]:
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            files += rule_files(path)
            problems += _orphans(path)
        elif path.name.endswith(TEST_SUFFIX):
            files.append(path.with_name(path.name.removesuffix(TEST_SUFFIX) + ".yaml"))
        elif path.exists():
            files.append(path)
        else:
            problems.append(Problem(path=display_path(path), message="no such file or directory"))
    return sorted(dict.fromkeys(files)), problems


def _orphans(directory: Path) -> Iterator[Problem]:
    for test in sorted(directory.rglob("*" + TEST_SUFFIX)):
        policy = test.with_name(test.name.removesuffix(TEST_SUFFIX) + ".yaml")
        if not policy.exists():
            yield Problem(
                path=display_path(test),
                message="test file without a policy file beside it",
                hint=f"expected {policy.name}",
            )


def check_paths(paths: Sequence[Path], *, as_of: dt.date) -> list[Problem]:
    """Every problem (errors and warnings) in the rule files under ``paths``, sorted by place."""
    files, problems = _expand(paths)
    loaded = [read_policy(f, display_path(f)) for f in files]
    for item, path in zip(loaded, files, strict=True):
        problems += item.problems
        if item.policy is not None:
            problems += _file_checks(item, item.policy, path, as_of)
    problems += _duplicate_ids(loaded)
    problems += _overlaps(loaded)
    return sorted(problems, key=lambda p: (p.path, p.line or 0, p.field, p.message))


def _file_checks(item: LoadedFile, policy: Policy, path: Path, as_of: dt.date) -> Iterator[Problem]:
    yield from _identity(item, policy, path)
    yield from _review_age(item, policy, as_of)
    yield from code_problems(item, policy)
    yield from threshold_problems(item, policy)
    yield from quote_kind_problems(item, policy)
    yield from _attestation_placement(item, policy)
    yield from _tests(item, policy, path)


def _attestation_placement(item: LoadedFile, policy: Policy) -> Iterator[Problem]:
    """An attestation criterion directly in the root ``all`` is a requirement for everyone.

    As a criterion it is unknown until the caller confirms it, so it blocks every determination;
    a requirement every patient must have confirmed belongs in the policy's ``attestations``.
    """
    if not isinstance(policy.criteria, AllGroup):
        return
    for index, member in enumerate(policy.criteria.all):
        if getattr(member, "kind", None) == "attestation":
            yield problem_at(
                item,
                ("criteria", "all", index),
                f"attestation criterion '{member.id}' is required of every patient",
                "move it to the top-level attestations: list (kind: attestation criteria are "
                "for alternatives inside any / at_least groups)",
                "warning",
            )


def _identity(item: LoadedFile, policy: Policy, path: Path) -> Iterator[Problem]:
    if policy.id != path.stem:
        yield problem_at(
            item,
            ("id",),
            f"id '{policy.id}' differs from the file name '{path.stem}'",
            f"rename the file to {policy.id}.yaml or set id: {path.stem}",
        )
    folder = path.resolve().parent.name
    if folder != "payer_rules" and not folder.startswith("_") and policy.payer.id != folder:
        yield problem_at(
            item,
            ("payer", "id"),
            f"payer id '{policy.payer.id}' differs from the folder '{folder}'",
            f"move the file to payer_rules/{policy.payer.id}/ or set id: {folder}",
        )


def _review_age(item: LoadedFile, policy: Policy, as_of: dt.date) -> Iterator[Problem]:
    age = (as_of - policy.last_reviewed).days
    if age > REVIEW_DAYS:
        yield problem_at(
            item,
            ("last_reviewed",),
            f"last reviewed {age} days before {as_of.isoformat()}",
            "check the policy against its sources and update last_reviewed",
            "warning",
        )


def _tests(item: LoadedFile, policy: Policy, path: Path) -> Iterable[Problem]:
    test_path = cases_file_for(path)
    if not test_path.exists():
        return [
            Problem(
                path=item.path,
                line=1,
                field="",
                message=f"no test file {test_path.name}",
                hint="copy payer_rules/aetna/cpb-0469-tms-2026-02.test.yaml and adapt it",
            )
        ]
    return run_test_file(policy, test_path, display_path(test_path))


def _duplicate_ids(loaded: list[LoadedFile]) -> Iterator[Problem]:
    """Each file sharing an id with another, except the one named after the id."""
    by_id: dict[str, list[LoadedFile]] = {}
    for item in loaded:
        if item.policy is not None:
            by_id.setdefault(item.policy.id, []).append(item)
    for policy_id, items in by_id.items():
        if len(items) < 2:
            continue
        owner = next((i for i in items if Path(i.path).stem == policy_id), items[0])
        for item in items:
            if item is not owner:
                yield problem_at(
                    item,
                    ("id",),
                    f"duplicate id '{policy_id}' (also in {owner.path})",
                    "ids are never reused; give this version a new id",
                )


def _start(policy: Policy) -> dt.date:
    """The first day of a policy's window (drafts with an unknown start: the earliest day)."""
    return policy.effective.from_ or dt.date.min


def _overlaps(loaded: list[LoadedFile]) -> Iterator[Problem]:
    """One problem per overlapping pair, on the older version (the one that needs an end).

    Drafts and reference models are never selected by date, so only the others are compared.
    """
    placed = [
        (i, i.policy)
        for i in loaded
        if i.policy is not None and i.policy.status != "draft" and not i.policy.reference_model
    ]
    for n, (item, policy) in enumerate(placed):
        for earlier, other in placed[:n]:
            if _overlap(other, policy):
                pair = sorted([(item, policy), (earlier, other)], key=lambda x: _start(x[1]))
                yield _overlap_problem(*pair[0], *pair[1])


def _overlap(a: Policy, b: Policy) -> bool:
    if a.payer.id != b.payer.id or a.id == b.id or not _same_line(a, b):
        return False
    far = dt.date.max
    a_end, b_end = a.effective.until or far, b.effective.until or far
    return _start(a) <= b_end and _start(b) <= a_end


def _same_line(a: Policy, b: Policy) -> bool:
    """Whether two policies can apply to one coverage: a line in common, or one of any line."""
    a_lines, b_lines = set(a.payer.match.lines), set(b.payer.match.lines)
    return not a_lines or not b_lines or bool(a_lines & b_lines)


def _overlap_problem(
    item: LoadedFile, policy: Policy, newer_item: LoadedFile, newer: Policy
) -> Problem:
    day_before = _start(newer) - dt.timedelta(days=1)
    hint = f"end this version the day before '{newer.id}' starts: until: {day_before}"
    if day_before < _start(policy):
        hint = "give the versions windows that do not overlap"
    return problem_at(
        item,
        ("effective",),
        f"effective window overlaps '{newer.id}' ({newer_item.path}) for payer '{policy.payer.id}'",
        hint,
    )

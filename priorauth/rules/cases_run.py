"""Run the test cases of one ``<id>.test.yaml`` against its policy and report failures as problems.

This is the one place in ``priorauth.rules`` that calls evaluation (a test harness, like the
compliance check that uses it); the models and the loader never do.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from priorauth.determination import CriterionResult, Determination, DeterminationStatus
from priorauth.evaluate.engine import evaluate
from priorauth.facts.models import PatientRecord
from priorauth.rules.cases import RuleCase, RuleTestFile, case_record, expand_record
from priorauth.rules.models import Policy
from priorauth.rules.problems import Problem, problems_from_validation
from priorauth.rules.yamlio import LineMap, YamlProblem, read_yaml

__all__ = ["find_result", "run_test_file"]


def run_test_file(policy: Policy, path: Path, display: str) -> list[Problem]:
    """Every problem with the test file: unreadable, invalid, incomplete, or failing cases."""
    try:
        data, lines = read_yaml(path.read_bytes())
    except OSError as exc:
        return [Problem(path=display, message=f"cannot read file: {exc.strerror}")]
    except YamlProblem as exc:
        return [Problem(path=display, line=exc.line, message=exc.message, hint=exc.hint)]
    try:
        tests = RuleTestFile.model_validate(data)
    except ValidationError as exc:
        return problems_from_validation(exc, path=display, lines=lines, model=RuleTestFile)
    return [
        *_file_problems(policy, tests, lines, display),
        *_case_problems(policy, tests, lines, display),
    ]


def _file_problems(
    policy: Policy, tests: RuleTestFile, lines: LineMap, display: str
) -> Iterator[Problem]:
    if tests.policy != policy.id:
        yield Problem(
            path=display,
            line=lines.line_for(("policy",)),
            field="policy",
            message=f"names '{tests.policy}' but the policy beside it is '{policy.id}'",
            hint=f"policy: {policy.id}",
        )
    statuses = {case.expect.status for case in tests.cases}
    for wanted in ("meets", "does_not_meet"):
        if wanted not in statuses:
            yield Problem(
                path=display,
                line=lines.line_for(("cases",)),
                field="cases",
                message=f"no case expects status {wanted}",
                hint="add one case that meets and one per way to fail",
            )


def _case_problems(
    policy: Policy, tests: RuleTestFile, lines: LineMap, display: str
) -> Iterator[Problem]:
    for index, case in enumerate(tests.cases):
        yield from _run_case(policy, tests, index, case, lines, display)


def _run_case(
    policy: Policy, tests: RuleTestFile, index: int, case: RuleCase, lines: LineMap, display: str
) -> Iterator[Problem]:
    where = ("cases", index)
    as_of = case.as_of or tests.as_of
    if as_of is None:
        yield Problem(
            path=display,
            line=lines.line_for(where),
            field=f"cases.{index}.as_of",
            message="no as_of date",
            hint="add as_of to the case or to the file",
        )
        return
    unknown = [a for a in case.attested if a not in policy.attestation_ids()]
    if unknown:
        yield Problem(
            path=display,
            line=lines.line_for((*where, "attested")),
            field=f"cases.{index}.attested",
            message=f"case '{case.name}': no attestation {', '.join(map(repr, unknown))} in the "
            "policy",
            hint="known: " + (", ".join(sorted(policy.attestation_ids())) or "none"),
        )
        return
    try:
        record = _record(tests, case, as_of)
    except ValueError as exc:
        yield from _record_error(exc, index, lines, display)
        return
    try:
        result = evaluate(record, policy, as_of=as_of, attested=case.attested)
    except Exception as exc:  # a bug must be reported as a problem, never a traceback
        yield Problem(
            path=display,
            line=lines.line_for(where),
            field=f"cases.{index}",
            message=f"case '{case.name}': evaluation failed: {exc!r}",
            hint="this is a priorauth bug; please report it with this case",
        )
        return
    yield from _compare(policy, case, index, result, lines, display)


def _record(tests: RuleTestFile, case: RuleCase, as_of: dt.date) -> PatientRecord:
    return PatientRecord.model_validate(
        expand_record(case_record(tests.base, case.record), as_of=as_of)
    )


def _record_error(exc: ValueError, index: int, lines: LineMap, display: str) -> Iterator[Problem]:
    if isinstance(exc, ValidationError):
        yield from _record_problems(exc, index, lines, display)
        return
    yield Problem(
        path=display,
        line=lines.line_for(("cases", index, "record", "patient")),
        field=f"cases.{index}.record.patient",
        message=str(exc),
        hint="see 'Test cases' in payer_rules/README.md",
    )


def _record_problems(
    exc: ValidationError, index: int, lines: LineMap, display: str
) -> Iterator[Problem]:
    for err in exc.errors():
        loc = tuple(err["loc"])
        own = ("cases", index, "record", *loc)
        line = lines.line_for(own) if lines.has(own[:4]) else lines.line_for(("base", *loc))
        field = ".".join(str(p) for p in own)
        yield Problem(
            path=display,
            line=line or lines.line_for(("cases", index)),
            field=field,
            message=err["msg"],
            hint="see 'Test cases' in payer_rules/README.md",
        )


def _compare(
    policy: Policy, case: RuleCase, index: int, result: Determination, lines: LineMap, display: str
) -> Iterator[Problem]:
    expect = case.expect
    prefix = f"case '{case.name}': "
    status = policy_status(result)
    if status != expect.status:
        yield Problem(
            path=display,
            line=lines.line_for(("cases", index, "expect", "status")),
            field=f"cases.{index}.expect.status",
            message=f"{prefix}expected {expect.status}, got {status}",
            hint=result.summary,
        )
    for criterion_id, wanted in expect.criteria.items():
        yield from _compare_one(policy, result, index, criterion_id, wanted, prefix, lines, display)
    yield from _compare_gaps(case, index, result, prefix, lines, display)


def _compare_one(
    policy: Policy,
    result: Determination,
    index: int,
    criterion_id: str,
    wanted: str,
    prefix: str,
    lines: LineMap,
    display: str,
) -> Iterator[Problem]:
    loc = ("cases", index, "expect", "criteria", criterion_id)
    field = ".".join(str(p) for p in loc)
    found = find_result(result, criterion_id, policy)
    if found is None:
        known = [r.id for r in _all_results(result.criteria)]
        close = difflib.get_close_matches(criterion_id, known, n=1)
        yield Problem(
            path=display,
            line=lines.line_for(loc),
            field=field,
            message=f"{prefix}no criterion '{criterion_id}' in the policy",
            hint=f"did you mean '{close[0]}'?" if close else "",
        )
    elif found.outcome != wanted:
        yield Problem(
            path=display,
            line=lines.line_for(loc),
            field=field,
            message=f"{prefix}expected {wanted}, got {found.outcome}",
            hint=found.explanation,
        )


def _compare_gaps(
    case: RuleCase, index: int, result: Determination, prefix: str, lines: LineMap, display: str
) -> Iterator[Problem]:
    actions = [g.action for g in result.gaps]
    for k, text in enumerate(case.expect.gaps_include):
        if not any(text.casefold() in a.casefold() for a in actions):
            loc = ("cases", index, "expect", "gaps_include", k)
            yield Problem(
                path=display,
                line=lines.line_for(loc),
                field=".".join(map(str, loc)),
                message=f"{prefix}no gap mentions '{text}'",
                hint="gaps: " + (" | ".join(actions) or "none"),
            )


def _all_results(results: tuple[CriterionResult, ...]) -> Iterator[CriterionResult]:
    for r in results:
        yield r
        yield from _all_results(r.children)


def policy_status(result: Determination) -> DeterminationStatus:
    """The status the policy's own criteria give, before the safety floor.

    A rule file's cases test the policy; the floor (docs/safety.md) holds whatever a policy
    says and is tested on its own, so a case's record need not carry a suicide-risk screen.
    """
    return result.criteria_status or result.status


def find_result(result: Determination, criterion_id: str, policy: Policy) -> CriterionResult | None:
    """The result of one criterion or named group (the root's id gives the overall outcome)."""
    for r in _all_results(result.criteria):
        if r.id == criterion_id:
            return r
    if getattr(policy.criteria, "id", None) == criterion_id:
        status = policy_status(result)
        outcome = {"meets": "met", "does_not_meet": "not_met"}.get(status, "unknown")
        return CriterionResult(
            id=criterion_id,
            title="",
            kind="all",
            outcome=outcome,
            explanation=result.summary,
        )
    return None

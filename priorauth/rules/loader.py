"""Load payer rule files into typed :class:`Policy` objects.

``load_rules()`` reads every ``*.yaml`` under ``payer_rules/`` (recursively; ``*.test.yaml`` are
test cases, not policies) and returns a :class:`RuleSet`. The first problem raises
:class:`~priorauth.errors.RuleFileError` naming file, line, field and a hint; ``priorauth rules
check`` reports every problem instead. Results are cached per directory and invalidated when a
file changes (size or modification time).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from priorauth.errors import RuleFileError, UnknownPayerError
from priorauth.paths import rules_dir
from priorauth.rules.models import FORMAT_VERSION, Policy
from priorauth.rules.problems import Problem, problems_from_validation
from priorauth.rules.yamlio import LineMap, YamlProblem, read_yaml

__all__ = [
    "LoadedFile",
    "RuleSet",
    "cases_file_for",
    "load_policy_file",
    "load_rules",
    "read_policy",
    "rule_files",
]

TEST_SUFFIX = ".test.yaml"


@dataclass(frozen=True)
class LoadedFile:
    """One rule file as read: the policy (when valid), its problems and its line map."""

    path: str
    policy: Policy | None
    problems: tuple[Problem, ...]
    lines: LineMap
    data: Any = None


@dataclass(frozen=True)
class RuleSet:
    """Every policy of a rules directory, by id."""

    directory: Path
    policies: tuple[Policy, ...]

    def __iter__(self) -> Iterator[Policy]:
        return iter(self.policies)

    def __len__(self) -> int:
        return len(self.policies)

    def get(self, policy_id: str) -> Policy:
        """The policy with this id; :class:`UnknownPayerError` lists the known ids."""
        for policy in self.policies:
            if policy.id == policy_id:
                return policy
        raise UnknownPayerError(f"no policy '{policy_id}'; known: {', '.join(self.ids())}")

    def ids(self) -> list[str]:
        """Policy ids, sorted."""
        return sorted(p.id for p in self.policies)

    def payer_ids(self) -> list[str]:
        """Payer ids, sorted and unique."""
        return sorted({p.payer.id for p in self.policies})

    def for_payer(self, payer_id: str) -> tuple[Policy, ...]:
        """Every version of one payer's policies."""
        return tuple(p for p in self.policies if p.payer.id == payer_id)

    def in_force(self, day: dt.date) -> tuple[Policy, ...]:
        """Policies in force on ``day`` (status active or retired, inside the effective window)."""
        return tuple(p for p in self.policies if p.in_force(day))


def rule_files(directory: Path) -> list[Path]:
    """Every policy file under ``directory``: ``*.yaml`` but not ``*.test.yaml`` nor hidden."""
    found = [
        path
        for path in directory.rglob("*.yaml")
        if not path.name.endswith(TEST_SUFFIX) and not _hidden(path.relative_to(directory))
    ]
    return sorted(found)


def cases_file_for(path: Path) -> Path:
    """The test-case file beside a policy file (``x.yaml`` -> ``x.test.yaml``)."""
    return path.with_name(path.stem + TEST_SUFFIX)


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def read_policy(path: Path, display: str | None = None) -> LoadedFile:
    """Read and validate one rule file, collecting every problem instead of raising."""
    shown = display or str(path)
    try:
        content = path.read_bytes()
        data, lines = read_yaml(content)
    except OSError as exc:
        return _failed(shown, Problem(path=shown, message=f"cannot read file: {exc.strerror}"))
    except YamlProblem as exc:
        problem = Problem(path=shown, line=exc.line, message=exc.message, hint=exc.hint)
        return _failed(shown, problem)
    if not isinstance(data, dict):
        problem = Problem(
            path=shown,
            line=1,
            message="a rule file must be a mapping of keys",
            hint="start with 'id: <file name>'",
        )
        return _failed(shown, problem)
    return _validate(shown, data, lines, content)


def _failed(shown: str, problem: Problem) -> LoadedFile:
    return LoadedFile(shown, None, (problem,), LineMap())


FORMAT_HINT = f"add `format: {FORMAT_VERSION}`; see payer_rules/README.md 'Format versions'"


def format_problem(shown: str, data: dict[str, Any], lines: LineMap) -> Problem | None:
    """Why a file's ``format`` key is missing or not the version this priorauth reads."""
    if "format" not in data:
        first_key = min((line for loc, line in lines.lines.items() if len(loc) == 1), default=1)
        message = f"no format version: this file predates rule format {FORMAT_VERSION}"
        return Problem(
            path=shown, line=first_key, field="format", message=message, hint=FORMAT_HINT
        )
    if data["format"] != FORMAT_VERSION or isinstance(data["format"], bool):
        message = (
            f"format {data['format']!r} is not one this priorauth reads (only {FORMAT_VERSION})"
        )
        line = lines.line_for(("format",))
        return Problem(path=shown, line=line, field="format", message=message, hint=FORMAT_HINT)
    return None


def _validate(shown: str, data: dict[str, Any], lines: LineMap, content: bytes) -> LoadedFile:
    wrong_format = format_problem(shown, data, lines)
    if wrong_format is not None:
        return LoadedFile(shown, None, (wrong_format,), lines, data)
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation(exc, path=shown, lines=lines, model=Policy)
        return LoadedFile(shown, None, tuple(problems), lines, data)
    return LoadedFile(shown, policy.with_origin(shown, content), (), lines, data)


def load_policy_file(path: Path) -> Policy:
    """One rule file as a :class:`Policy`; :class:`RuleFileError` on the first problem."""
    loaded = read_policy(path)
    if loaded.policy is None:
        raise _first_error(loaded.problems)
    return loaded.policy


def _first_error(problems: tuple[Problem, ...]) -> RuleFileError:
    error = problems[0].to_error()
    if len(problems) > 1:
        more = f"{len(problems) - 1} more problem(s): run `priorauth rules check`"
        error = (
            problems[0]
            .model_copy(update={"hint": "; ".join(filter(None, [problems[0].hint, more]))})
            .to_error()
        )
    return error


def load_rules(directory: Path | None = None) -> RuleSet:
    """Every policy under ``directory`` (default: :func:`priorauth.paths.rules_dir`).

    Cached per directory; a changed, added or removed file reloads it.
    """
    root = (directory or rules_dir()).resolve()
    if not root.is_dir():
        raise RuleFileError("rules directory not found", path=str(root))
    return _load_cached(root, _fingerprint(root))


def _fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    stats = ((p, p.stat()) for p in rule_files(root))
    return tuple((str(p), s.st_size, s.st_mtime_ns) for p, s in stats)


@functools.lru_cache(maxsize=16)
def _load_cached(root: Path, fingerprint: tuple[tuple[str, int, int], ...]) -> RuleSet:
    policies = tuple(load_policy_file(Path(name)) for name, _, _ in fingerprint)
    _refuse_duplicates(policies)
    return RuleSet(root, policies)


def _refuse_duplicates(policies: tuple[Policy, ...]) -> None:
    seen: dict[str, Policy] = {}
    for policy in policies:
        if policy.id in seen:
            raise RuleFileError(
                f"duplicate id '{policy.id}' (also in {seen[policy.id].path})",
                path=policy.path or "<policy>",
                field="id",
                hint="ids are never reused; give this version a new id",
            )
        seen[policy.id] = policy

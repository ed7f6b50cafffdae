"""FHIR OperationOutcome: how every HTTP error is reported.

Each error carries its status, a FHIR issue-type code (``invalid``, ``structure``, ``not-found``,
``too-long``, ``login``, ``forbidden``, ``business-rule``...), one line of diagnostics and, where
the problem has a place in the input, a FHIRPath-like ``expression`` such as
``Bundle.entry[3].resource.status``. Diagnostics never hold patient data: they name locations and
resource ids only.

>>> ApiError(404, "not-found", "no payer 'acme'").outcome()["issue"][0]["code"]
'not-found'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

__all__ = ["ApiError", "Issue", "IssueSeverity", "issue", "operation_outcome"]

IssueSeverity = Literal["fatal", "error", "warning", "information"]
Issue = dict[str, Any]


def issue(
    code: str,
    diagnostics: str,
    *,
    severity: IssueSeverity = "error",
    expression: Sequence[str] = (),
) -> Issue:
    """One ``OperationOutcome.issue``."""
    item: Issue = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if expression:
        item["expression"] = list(expression)
    return item


def operation_outcome(issues: Sequence[Issue]) -> dict[str, Any]:
    """An OperationOutcome resource holding ``issues``."""
    return {"resourceType": "OperationOutcome", "issue": list(issues)}


class ApiError(Exception):
    """An error the HTTP layer answers with ``status`` and an OperationOutcome."""

    def __init__(
        self,
        status: int,
        code: str,
        diagnostics: str,
        *,
        expression: Sequence[str] = (),
        extra: Sequence[Issue] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.diagnostics = diagnostics
        self.issues = [issue(code, diagnostics, expression=expression), *extra]
        self.headers = headers or {}
        super().__init__(diagnostics)

    def outcome(self) -> dict[str, Any]:
        """The OperationOutcome body."""
        return operation_outcome(self.issues)


def fhir_path(location: str, root: str = "Bundle") -> str:
    """``entry[3].resource.status`` → ``Bundle.entry[3].resource.status``.

    >>> fhir_path("entry[3].resource")
    'Bundle.entry[3].resource'
    >>> fhir_path("")
    'Bundle'
    """
    if not location:
        return root
    if location.startswith(root + ".") or location == root:
        return location
    return f"{root}.{location}" if not location.startswith("[") else f"{root}{location}"

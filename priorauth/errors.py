"""Exceptions raised by priorauth, and the CLI's exit codes.

* PriorAuthError            - base of everything priorauth raises on purpose
  x ChartError              - input is not a usable FHIR chart (has .source and .location,
  | |                         e.g. "entry[3].resource.status")
  | + SeveralPatientsError  - the chart holds several patients and none was chosen (.patients)
  x RuleFileError           - a payer_rules/ file failed to load or validate (has .path, .line,
  |                           .field and .hint)
  x UnknownPayerError       - no policy matches the payer id or the chart's Coverage
  x AmbiguousPolicyError    - several policies fit where one is needed (has .candidates)
  x PayerNotOnChartError    - a letter's payer is not among the chart's coverages in force
  x UnknownAttestationError - an id given as attested names no attestation of the policies
  x RenderError             - the letter could not be rendered
  x AuditError              - the audit store could not be written or read
  x AsOfError               - the as-of date is outside the supported calendar window

Messages name what went wrong and where (file, entry index, JSON path, rule-file line) and never
contain patient data beyond resource ids.
"""

from __future__ import annotations

EXIT_OK = 0
"""Evaluated or rendered (any determination outcome)."""
EXIT_ERROR = 1
"""A PriorAuthError: bad chart, bad rule file, unknown payer, render failure."""
EXIT_USAGE = 2
"""Click's usage error: a wrong option or argument."""
EXIT_NOT_MET = 3
"""The patient does not meet the policy (letter not written without --force)."""
EXIT_CHECK_FAILED = 4
"""`rules check` found problems in a rule file."""


class PriorAuthError(Exception):
    """Base class of every error priorauth raises on purpose."""


class ChartError(PriorAuthError):
    """The input is not a usable FHIR chart."""

    def __init__(self, message: str, *, source: str = "<input>", location: str = "") -> None:
        self.source = source
        self.location = location
        self.message = message
        where = f"{source}: {location}: " if location else f"{source}: "
        super().__init__(f"{where}{message}")

    def __reduce__(self) -> tuple[object, ...]:
        """Pickles whole (source and location kept): charts are read in child processes."""
        return (_chart_error, (self.message, self.source, self.location))


class SeveralPatientsError(ChartError):
    """The chart holds several patients where one is needed and none was chosen (``patients``:
    their ``Patient/<id>`` references)."""

    def __init__(self, patients: tuple[str, ...], *, source: str = "<input>") -> None:
        self.patients = patients
        shown = ", ".join(patients[:20]) + (
            f", and {len(patients) - 20} more" if len(patients) > 20 else ""
        )
        super().__init__(
            f"the chart holds {len(patients)} patients ({shown}); choose one with patient= "
            f"(CLI: --patient), e.g. --patient {patients[0]}",
            source=source,
        )

    def __reduce__(self) -> tuple[object, ...]:
        """Pickles whole: charts are read in child processes."""
        return (_several_patients, (self.patients, self.source))


class RuleFileError(PriorAuthError):
    """A payer rule file could not be loaded or failed validation."""

    def __init__(
        self,
        message: str,
        *,
        path: str,
        line: int | None = None,
        field: str = "",
        hint: str = "",
    ) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.hint = hint
        self.message = message
        where = path + (f":{line}" if line is not None else "")
        text = f"{where}: {field + ': ' if field else ''}{message}"
        if hint:
            text += f" ({hint})"
        super().__init__(text)


class UnknownPayerError(PriorAuthError):
    """No payer policy matches the requested id or the chart's coverage."""


class AmbiguousPolicyError(PriorAuthError):
    """Several policies fit the chart where one is needed (a letter, a batch row); the caller
    must choose one. ``candidates``: the policy ids, best first; ``details``: how each fits."""

    def __init__(
        self, message: str, *, candidates: tuple[str, ...], details: tuple[str, ...] = ()
    ) -> None:
        self.candidates = candidates
        self.details = details
        super().__init__(message)


class PayerNotOnChartError(PriorAuthError):
    """A letter would go to a payer that is not one of the chart's coverages in force (the
    caller may override: ``--payer-not-on-chart`` / ``allow_uncovered_payer=true``)."""

    def __init__(self, message: str, *, payer: str, policy: str) -> None:
        self.payer = payer
        self.policy = policy
        super().__init__(message)


class UnknownAttestationError(PriorAuthError):
    """An id given as attested names no attestation of the selected policies."""


class ReviewError(UnknownAttestationError):
    """A safety-alert review that cannot be taken: an absolute alert, an id the chart has no
    relative alert for, or no reviewer named (docs/safety.md)."""


class RenderError(PriorAuthError):
    """The letter could not be rendered."""


class AuditError(PriorAuthError):
    """The audit store could not be written or read."""


class AsOfError(PriorAuthError):
    """The as-of date lies outside the calendar window priorauth computes with (priorauth.dates)."""


class BudgetExceededError(PriorAuthError):
    """Loading the chart and extracting its facts needed more than the work budget (issue 15)."""

    def __init__(self, seconds: float, hint: str = "") -> None:
        self.seconds = seconds
        self.hint = hint
        super().__init__(seconds, hint)

    def __str__(self) -> str:
        text = f"the chart needs more than {self.seconds:g} s of work; it was stopped"
        return f"{text} ({self.hint})" if self.hint else text


def _chart_error(message: str, source: str, location: str) -> ChartError:
    return ChartError(message, source=source, location=location)


def _several_patients(patients: tuple[str, ...], source: str) -> SeveralPatientsError:
    return SeveralPatientsError(patients, source=source)

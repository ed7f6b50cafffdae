"""The whole pipeline in one call: chart → facts → policies → determinations.

>>> import datetime as dt
>>> from priorauth.pipeline import evaluate_file
>>> [d.status for d in evaluate_file("examples/trd_meets_policies.json", payer="aetna",
...                                  as_of=dt.date(2026, 11, 25))]   # doctest: +SKIP
['meets']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterator, Mapping
from pathlib import Path
from typing import Any

from priorauth.determination import Determination
from priorauth.errors import PriorAuthError, SeveralPatientsError
from priorauth.evaluate import (
    check_attested,
    evaluate,
    require_payer_on_chart,
    select_one,
    select_policies,
)
from priorauth.evaluate.floor import check_reviewed
from priorauth.facts import PatientRecord, extract_facts
from priorauth.fhir import ResourceIndex, load_chart
from priorauth.fhir.bulk import BulkExport, BulkReport, PatientChart, is_bulk_export
from priorauth.fhir.loader import ChartSource
from priorauth.gcpause import gc_paused
from priorauth.rules import Policy, RuleSet, load_rules

__all__ = [
    "PatientRecords",
    "chart_facts",
    "evaluate_bundle",
    "evaluate_file",
    "evaluate_record",
    "letter_determination",
    "one_patient_chart",
]


def chart_facts(
    source: ChartSource,
    *,
    as_of: dt.date,
    patient: str | None = None,
    strict: bool = False,
    refuse_absurd: bool = False,
    source_name: str | None = None,
) -> PatientRecord:
    """Stages 1 and 2 in one call: load a chart and extract one patient's PatientRecord.

    The same record as ``extract_facts(load_chart(source), as_of=as_of, patient=patient)``,
    with the garbage collector paused across both stages (priorauth.gcpause), so the tens of
    thousands of objects the chart was parsed into are not walked by a collection between
    them. The CLI, the HTTP service and :func:`evaluate_file` all read charts this way (the
    service with ``refuse_absurd``: see :func:`priorauth.fhir.load_chart`).

    A bulk export of several patients (a path, see :func:`~priorauth.fhir.bulk.is_bulk_export`)
    is split as it streams and only ``patient``'s chart is read, as :class:`PatientRecords`
    reads it; without ``patient`` that is a :class:`~priorauth.errors.SeveralPatientsError`
    naming them.
    """
    export = _bulk_export(source)
    if export is not None:
        chart = one_patient_chart(export, patient)
        if chart is not None:  # a bulk export of several patients: only this one is read
            source, source_name, patient = chart.ndjson, source_name or chart.source, None
    with gc_paused():
        index = load_chart(
            source, strict=strict, refuse_absurd=refuse_absurd, source_name=source_name
        )
        record = extract_facts(index, as_of=as_of, patient=patient)
        del index  # freed while paused: a collection after the pause then walks the record only
    return record


class PatientRecords:
    """Every patient of a chart, one PatientRecord each (or only ``patient``), in a stable order.

    A bulk export (NDJSON file or folder, see :func:`priorauth.fhir.bulk.is_bulk_export`) with
    several patients is split as it streams (:class:`~priorauth.fhir.bulk.BulkExport`, patients
    in id order), and ``report`` tells what could not be attributed; any other chart is loaded
    once and each patient read from its view (``ResourceIndex.for_patient``, patients in chart
    order). A chart of one patient is read exactly as :func:`chart_facts` reads it.

    >>> import datetime as dt
    >>> records = PatientRecords("tests/data/fixtures/synthea_bulk_10pt_ndjson",
    ...                          as_of=dt.date(2026, 11, 25))
    >>> len([r.patient.ref for r in records]), records.report.unknown_patient  # doctest: +SKIP
    (13, 0)
    """

    def __init__(
        self,
        source: ChartSource,
        *,
        as_of: dt.date,
        patient: str | None = None,
        strict: bool = False,
    ) -> None:
        self.source = source
        self.as_of = as_of
        self.patient = patient
        self.strict = strict
        self.report: BulkReport | None = None
        """The export's counts and problems, once iterated (bulk exports of several patients)."""

    def __iter__(self) -> Iterator[PatientRecord]:
        for _patient, found in self.each():
            if isinstance(found, PriorAuthError):
                raise found
            yield found

    def each(self) -> Iterator[tuple[str | None, PatientRecord | PriorAuthError]]:
        """``(patient reference, record)`` per patient; a patient whose chart fails gives
        ``(reference, the error)`` and the others go on. A chart that cannot be read at all
        raises."""
        export = _bulk_export(self.source)
        if export is not None:
            export.only = self.patient
            if len(export.plan()) > 1:
                self.report = export.report
                for chart in export.charts():
                    yield (
                        chart.patient,
                        _guarded(
                            chart_facts, chart.ndjson, as_of=self.as_of, source_name=chart.source
                        ),
                    )
                self.report = export.report
                return
        with gc_paused():
            index = load_chart(self.source, strict=self.strict)
        refs = index.patients()
        chosen = [self.patient] if self.patient else refs if len(refs) > 1 else [None]
        for ref in chosen:
            with gc_paused():
                yield ref, _guarded(extract_facts, index, as_of=self.as_of, patient=ref)


def _guarded(
    stage: Callable[..., PatientRecord], *args: Any, **kwargs: Any
) -> PatientRecord | PriorAuthError:
    try:
        return stage(*args, **kwargs)
    except PriorAuthError as exc:
        return exc


def _bulk_export(source: ChartSource) -> BulkExport | None:
    """``source`` as a bulk export when it is a path to one (NDJSON file or folder)."""
    if isinstance(source, str) and (source.lstrip()[:1] in ("{", "[") or len(source) > 4096):
        return None
    if isinstance(source, str | Path) and is_bulk_export(Path(source)):
        return BulkExport(Path(source))
    return None


def one_patient_chart(export: BulkExport, patient: str | None) -> PatientChart | None:
    """``patient``'s chart when ``export`` holds several patients (None for one or none).

    Raises :class:`~priorauth.errors.SeveralPatientsError` when none is chosen, and
    ``ChartError`` naming the patients when the export does not hold ``patient``.
    """
    patients = export.plan()
    if len(patients) <= 1:
        return None
    if patient is None:
        raise SeveralPatientsError(patients, source=export.label)
    export.only = patient
    return next(export.charts())


def evaluate_record(
    record: PatientRecord, rules: RuleSet, *, payer: str, as_of: dt.date
) -> list[Determination]:
    """Apply the policies ``payer`` selects (an id, ``auto`` or ``all``) to one PatientRecord."""
    policies = select_policies(rules, payer=payer, record=record, as_of=as_of)
    return [evaluate(record, policy, as_of=as_of) for policy in policies]


def letter_determination(
    record: PatientRecord,
    rules: RuleSet,
    *,
    payer: str,
    as_of: dt.date,
    attested: Collection[str] = (),
    reviewed: Mapping[str, str] | None = None,
    allow_uncovered_payer: bool = False,
) -> tuple[Policy, Determination, tuple[str, ...]]:
    """The one policy a letter is written under, its Determination, and the selection's notes.

    Refuses to choose among several policies (:class:`~priorauth.errors.AmbiguousPolicyError`
    naming them) and a policy whose payer is not one of the chart's coverages in force
    (:class:`~priorauth.errors.PayerNotOnChartError`) unless ``allow_uncovered_payer``; refuses
    attested ids the policy lacks and reviews of alerts the chart does not have. The CLI's
    ``letter`` and the service's ``/letters`` and ``batch`` all decide through this.
    """
    choice = select_one(rules, payer=payer, record=record, as_of=as_of)
    require_payer_on_chart(
        choice.policy, record, as_of, allow_uncovered_payer=allow_uncovered_payer
    )
    check_attested(attested, [choice.policy])
    found = evaluate(record, choice.policy, as_of=as_of, attested=attested, reviewed=reviewed)
    check_reviewed(reviewed or {}, found.alerts)
    return choice.policy, found, tuple(choice.notes)


def evaluate_bundle(
    chart: ResourceIndex, rules: RuleSet, *, payer: str, as_of: dt.date
) -> list[Determination]:
    """Extract the facts of a loaded chart and evaluate them."""
    record = extract_facts(chart, as_of=as_of)
    return evaluate_record(record, rules, payer=payer, as_of=as_of)


def evaluate_file(
    path: Path | str | Any,
    *,
    payer: str,
    as_of: dt.date,
    rules_dir: Path | None = None,
) -> list[Determination]:
    """Load a chart (file, folder, bytes or parsed JSON), extract facts, evaluate policies."""
    record = chart_facts(path, as_of=as_of)
    return evaluate_record(record, load_rules(rules_dir), payer=payer, as_of=as_of)

"""What the staff pages ask of the library, in one place: split an upload into patients, review
a request (the payer matrix, the selected policy's Determination, the safety alerts), and write
the packet. Only library calls and bookkeeping; every clinical decision is the library's.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections import OrderedDict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import orjson

from priorauth import alerts as alert_rules
from priorauth.determination import Determination, SafetyAlert
from priorauth.errors import (
    AmbiguousPolicyError,
    PayerNotOnChartError,
    UnknownPayerError,
)
from priorauth.evaluate import PolicyMatch, auto_matches, evaluate, select_policies
from priorauth.evaluate.floor import safety_floor
from priorauth.exchange import pas
from priorauth.facts import PatientRecord
from priorauth.fhir import load_chart
from priorauth.fhir.archive import is_zip, zip_to_ndjson
from priorauth.pipeline import letter_determination
from priorauth.render import LetterOptions, letter_bytes
from priorauth.render.options import PracticeDetails
from priorauth.rules import Policy
from priorauth.service.pipeline import Pipeline
from priorauth.service.web.store import PracticeSettings, Summary

__all__ = ["Review", "packet_pdf", "pas_bundle_json", "preview_html", "review", "split_upload"]

SOURCE = "upload"
"""The name errors and notes give an uploaded chart (never the file's own name)."""


def split_upload(data: bytes, *, max_bytes: int) -> list[bytes]:
    """One chart per patient: the upload itself when it holds one patient (or none), else each
    patient's resources plus the shared ones (``ResourceIndex.for_patient``) as a JSON array.
    A zip archive is read as its JSON / NDJSON members. Raises ``ChartError``."""
    if is_zip(data):
        data = zip_to_ndjson(data, name=SOURCE, max_bytes=max_bytes)
    index = load_chart(data, source_name=SOURCE, max_bytes=max_bytes)
    patients = index.patients()
    if len(patients) <= 1:
        return [data]
    return [orjson.dumps(index.for_patient(ref).raw_resources()) for ref in patients]


@dataclass(frozen=True)
class Review:
    """A request as the request page shows it."""

    record: PatientRecord
    matrix: tuple[Determination, ...]
    """Every policy in force (``--payer all``)."""
    matches: tuple[PolicyMatch, ...]
    """The policies the chart's coverages match, and how (``auto``)."""
    determination: Determination | None
    """Under the selected policy; None when none could be selected (``problem`` says why)."""
    policy: Policy | None
    problem: str | None
    alerts: tuple[SafetyAlert, ...]
    """Safety alerts, in display order: the selected determination's, else the chart's."""
    attested: tuple[str, ...] = ()
    signed_off_by: str | None = None
    confirmable: tuple[tuple[str, str], ...] = field(default=())
    """(id, text) of what a clinician may attest under the selected policy."""

    @property
    def required(self) -> tuple[str, ...]:
        """Attestation ids the letter states, which the clinician must confirm to sign off."""
        if self.determination is None:
            return ()
        stated = {a.id for a in self.determination.attestations}
        return tuple(i for i, _ in self.confirmable if i in stated)

    @property
    def signed_off(self) -> bool:
        """A clinician has confirmed every attestation the letter states."""
        return self.signed_off_by is not None and set(self.required) <= set(self.attested)

    @property
    def blockers(self) -> tuple[str, ...]:
        """Why no packet can be generated yet (empty: ready)."""
        d = self.determination
        if d is None:
            return (self.problem or "no policy selected",)
        found = []
        if alert_rules.is_hold(d):
            found.append("Safety hold: this request must not be submitted.")
        elif alert_rules.blocking(d):
            found.append("A clinician must review the safety alerts first.")
        if d.status != "meets" and not alert_rules.heading(d):
            found.append(f"The policy is not met ({d.status.replace('_', ' ')}).")
        if not self.signed_off:
            found.append("A clinician must confirm the attestations.")
        return tuple(found)

    def summary(self) -> Summary:
        """The queue row's columns."""
        d = self.determination
        first = self.alerts[0] if self.alerts else None
        alert = f"{first.title} ({first.level})" if first else None
        if d is None:  # no policy: an absolute alert still holds the request
            hold = any(a.level == "absolute" for a in self.alerts)
            status = "safety_hold" if hold else "no_policy"
            return Summary(payer="not selected", policy_id=None, status=status, gaps=0, alert=alert)
        return Summary(
            payer=d.policy.payer,
            policy_id=d.policy.id,
            status=d.status,
            gaps=len(d.gaps),
            alert=alert,
        )


class _Records:
    """The last PatientRecords computed, by chart hash and as-of date (a page view re-reads its
    request's chart; the record is immutable, so threads share it)."""

    def __init__(self, size: int = 64) -> None:
        self._items: OrderedDict[tuple[str, dt.date], PatientRecord] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, pipeline: Pipeline, chart: bytes, key: tuple[str, dt.date]) -> PatientRecord:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        record = pipeline.facts(chart, as_of=key[1], source_name=SOURCE)
        with self._lock:
            self._items[key] = record
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return record


@functools.cache
def _records(_pipeline_id: int) -> _Records:
    return _Records()


def facts(pipeline: Pipeline, chart: bytes, chart_sha256: str, as_of: dt.date) -> PatientRecord:
    """The chart's PatientRecord (the pipeline's facts stage, remembered per chart and date)."""
    return _records(id(pipeline)).get(pipeline, chart, (chart_sha256, as_of))


def review(
    pipeline: Pipeline,
    record: PatientRecord,
    *,
    as_of: dt.date,
    policy_id: str | None,
    attested: Collection[str] = (),
    signed_off_by: str | None = None,
    reviewed: Mapping[str, str] | None = None,
) -> Review:
    """The payer matrix, the selected policy (``policy_id``, else ``auto``) and its Determination
    with the attestations a clinician confirmed (those the policy does not have are dropped)."""
    rules = pipeline.ruleset
    matrix = tuple(
        evaluate(record, p, as_of=as_of)
        for p in select_policies(rules, payer="all", record=record, as_of=as_of)
    )
    matches = tuple(auto_matches(rules, record, as_of))
    try:
        policy, found, _ = letter_determination(
            record, rules, payer=policy_id or "auto", as_of=as_of
        )
    except (AmbiguousPolicyError, PayerNotOnChartError, UnknownPayerError) as exc:
        floor = safety_floor(record, None, as_of=as_of)
        return Review(
            record,
            matrix,
            matches,
            None,
            None,
            f"{first_clause(str(exc))}. Choose a policy in the payer matrix below.",
            tuple(alert_rules.ordered(floor.alerts)),
        )
    kept = tuple(a for a in attested if a in policy.attestation_ids())
    relative = {a.id for a in found.alerts if a.level == "relative"}
    reviews = {i: who for i, who in (reviewed or {}).items() if i in relative and who.strip()}
    if kept or reviews:
        found = evaluate(record, policy, as_of=as_of, attested=kept, reviewed=reviews)
    return Review(
        record,
        matrix,
        matches,
        found,
        policy,
        None,
        tuple(alert_rules.ordered(found.alerts)),
        attested=kept,
        signed_off_by=signed_off_by,
        confirmable=_confirmable(policy, found),
    )


def first_clause(message: str) -> str:
    """A library message up to its first top-level ``; `` (the rest names CLI options).

    >>> first_clause("no policy matches (payers: a; b); pass --payer ID; known: x")
    'no policy matches (payers: a; b)'
    """
    depth = 0
    for index, char in enumerate(message):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == ";" and depth == 0:
            return message[:index]
    return message


def _confirmable(policy: Policy, d: Determination) -> tuple[tuple[str, str], ...]:
    texts = {a.id: a.text for a in d.attestations}
    texts.update({leaf.id: leaf.title for leaf in policy.leaves() if leaf.id not in texts})
    return tuple((i, texts.get(i, i)) for i in sorted(policy.attestation_ids()))


def letter_options(settings: PracticeSettings) -> LetterOptions:
    """The letter options the practice settings give (empty fields: the chart's)."""
    s = settings
    lines = tuple(line.strip() for line in s.address.splitlines() if line.strip())
    practice = PracticeDetails(
        name=s.practice_name or None,
        address_lines=lines,
        phone=s.phone or None,
        fax=s.fax or None,
        npi=s.npi or None,
        tin=s.tin or None,
    )
    return LetterOptions(
        signer_name=s.signer_name or None,
        signer_credentials=s.signer_credentials or None,
        signer_npi=s.signer_npi or None,
        signature_block=tuple(x.strip() for x in s.signature_block.splitlines() if x.strip()),
        practice=practice,
    )


def preview_html(d: Determination, settings: PracticeSettings) -> bytes:
    """The letter as HTML (a draft banner when it is not ready)."""
    return letter_bytes(d, format="html", options=letter_options(settings))


def pas_bundle_json(policy: Policy, d: Determination, chart: bytes, letter_pdf: bytes) -> bytes:
    """The Da Vinci PAS request Bundle (the letter PDF attached) as JSON bytes.

    The chart's own Bundle when it is one (its fullUrls kept), else its resources wrapped in one.
    """
    try:
        parsed = orjson.loads(chart)
    except orjson.JSONDecodeError:
        parsed = None
    if not (isinstance(parsed, dict) and parsed.get("resourceType") == "Bundle"):
        resources = load_chart(chart, source_name=SOURCE).raw_resources()
        parsed = {"resourceType": "Bundle", "entry": [{"resource": r} for r in resources]}
    bundle = pas.pas_bundle(policy, d, letter_pdf=letter_pdf, chart=pas.chart_resources(parsed))
    return orjson.dumps(bundle, option=orjson.OPT_INDENT_2)


def packet_pdf(d: Determination, settings: PracticeSettings) -> bytes:
    """The letter of medical necessity as PDF (PDF/A-3b with the Determination attached)."""
    return letter_bytes(d, format="pdf", options=letter_options(settings))

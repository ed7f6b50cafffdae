"""Determination -> LetterView: every value a letter prints, formatted, with its citations.

``build_view`` is the only place that reads the Determination for a letter; the templates read
only the view. Missing facts print "not documented"; building a view never fails on a
Determination that validated.
"""

from __future__ import annotations

from priorauth.determination import Determination
from priorauth.facts.models import Address, CoverageFact, PatientRecord, ProviderFact
from priorauth.render import _format as f
from priorauth.render import _view_clinical as clinical
from priorauth.render import _view_policy as policy
from priorauth.render._view_alerts import alert_block, safety_alert_rows
from priorauth.render._view_appeal import appeal
from priorauth.render._view_continuation import continuation
from priorauth.render._view_rationale import rationale
from priorauth.render.citations import Citations
from priorauth.render.literature import Literature
from priorauth.render.options import LetterOptions, PracticeDetails
from priorauth.render.view_models import (
    LetterView,
    PatientView,
    PayerView,
    PracticeView,
    SignerView,
)

__all__ = ["build_view"]

TITLE = "Letter of Medical Necessity: Transcranial Magnetic Stimulation (TMS)"
SUBJECT = {
    "initial": "Prior authorization request",
    "continuation": "Prior authorization request",
    "appeal": "Appeal of a prior authorization denial",
}
APPEAL_TITLE = "Appeal of a Prior Authorization Denial: Transcranial Magnetic Stimulation (TMS)"


def _address_lines(address: Address | None) -> tuple[str, ...]:
    if address is None:
        return (f"Address {f.NOT_DOCUMENTED}",)
    city = ", ".join(x for x in (address.city, address.state) if x)
    last = " ".join(x for x in (city, address.postal_code) if x)
    return tuple(x for x in (*address.lines, last) if x) or (f"Address {f.NOT_DOCUMENTED}",)


def _practice(
    record: PatientRecord, notes: Citations, given: PracticeDetails | None = None
) -> PracticeView:
    """The letterhead: the practice settings' fields where given, else the chart's."""
    chart = _chart_practice(record, notes)
    if given is None:
        return chart
    return chart.model_copy(
        update={
            "name": given.name or chart.name,
            "address_lines": given.address_lines or chart.address_lines,
            "phone": given.phone or chart.phone,
            "fax": given.fax or chart.fax,
            "npi": given.npi or chart.npi,
            "tin": given.tin or chart.tin,
        }
    )


def _chart_practice(record: PatientRecord, notes: Citations) -> PracticeView:
    org, doc = record.organization, record.practitioner
    address = (org.address if org else None) or (doc.address if doc else None)

    def pick(field: str) -> str:
        values = [getattr(p, field) for p in (org, doc) if p is not None]
        return f.text(next((v for v in values if v), None))

    name = org.name if org and org.name else None
    refs = [*(org.evidence if org else ()), *(doc.evidence if doc and not org else ())]
    return PracticeView(
        name=name or f"Practice name {f.NOT_DOCUMENTED}",
        address_lines=_address_lines(address),
        phone=pick("phone"),
        fax=pick("fax"),
        npi=f.text(org.npi if org else None),
        tin=f.text(org.tin if org else None),
        cites=notes.cite(refs, "practice"),
    )


def pick_coverage(d: Determination) -> CoverageFact | None:
    """The coverage with the payer of the policy the letter was evaluated under (chosen by the
    evaluate stage, see ``Determination.coverage``); None when the chart has none."""
    return d.coverage


def _patient(record: PatientRecord, cov: CoverageFact | None, notes: Citations) -> PatientView:
    p = record.patient
    return PatientView(
        name=f.text(p.name),
        subject=p.name or "The patient",
        birth_date=f.date_short(p.birth_date),
        age=str(p.age) if p.age is not None else f.NOT_DOCUMENTED,
        sex=f.text(p.sex),
        member_id=f.text(cov.member_id if cov else None),
        group=f.text(cov.group if cov else None),
        cites=notes.cite(p.evidence, "patient demographics"),
        coverage_cites=notes.cite(cov.evidence, "coverage") if cov else (),
    )


def _payer(d: Determination, cov: CoverageFact | None, options: LetterOptions) -> PayerView:
    """Always the payer of the policy (never another coverage's payer); an appeal goes to its
    appeals unit."""
    plan = f.text(cov.plan if cov else None)
    if options.kind == "appeal":
        return PayerView(
            name=d.policy.payer,
            department="Appeals / Utilization Management",
            attention="Appeals, Behavioral Health",
            plan=plan,
        )
    return PayerView(name=d.policy.payer, plan=plan)


def _credentials(name: str | None, credentials: str | None) -> str:
    """Credentials not already written after the name ("Ann Lee, MD" + "MD, FAPA" -> "FAPA")."""
    in_name = {part.strip().lower() for part in (name or "").split(",")[1:]}
    parts = dict.fromkeys(p.strip() for p in (credentials or "").split(",") if p.strip())
    kept = [p for p in parts if p.lower() not in in_name]
    return ", ".join(kept) if kept or not parts else ""


def _signer(doc: ProviderFact | None, options: LetterOptions) -> SignerView:
    name = options.signer_name or (doc.name if doc else None)
    credentials = options.signer_credentials or (doc.credentials if doc else None)
    return SignerView(
        name=f.text(name),
        credentials=f.text(_credentials(name, credentials)) if credentials else f.NOT_DOCUMENTED,
        npi=f.text(options.signer_npi or (doc.npi if doc else None)),
        block=options.signature_block,
    )


def _icd10(record: PatientRecord, notes: Citations) -> tuple[str, tuple[int, ...]]:
    dx = clinical.primary_diagnosis(record)
    if dx is None:
        return f.NOT_DOCUMENTED, ()
    label = f"{dx.code} {f.EN_DASH} {dx.display}" if dx.display else dx.code
    when = dx.onset or dx.recorded
    detail = f"diagnosis {dx.code}, {f.date_short(when)}" if when else f"diagnosis {dx.code}"
    return label, notes.cite(dx.evidence, detail)


def build_view(d: Determination, options: LetterOptions) -> LetterView:
    """The complete view of one letter; citations are numbered in reading order."""
    record, notes = d.record, Citations()
    cov = pick_coverage(d)
    practice = _practice(record, notes, options.practice)
    patient = _patient(record, cov, notes)
    icd10, icd_cites = _icd10(record, notes)
    request = policy.request(d, options, icd10, icd_cites)
    cont = continuation(record, notes) if options.kind == "continuation" else None
    diagnoses = clinical.diagnosis_rows(record, notes)
    onset, _ = clinical.episode_onset(record, notes)
    severity = clinical.severity(record, notes)
    trials = clinical.trial_rows(record, notes)
    therapies = clinical.therapy_rows(record, notes)
    psycho, psycho_cites = clinical.psychotherapy(record, notes)
    safety = clinical.safety_rows(record, notes)
    criteria = policy.criterion_rows(d, notes)
    refs = Literature(accelerated_covered=d.policy.service.accelerated_protocols_covered)
    paragraphs = rationale(d, notes, refs, cont, request)
    signer = _signer(record.practitioner, options)
    payer = _payer(d, cov, options)
    appealed = (
        appeal(
            d,
            options,
            criteria=criteria,
            trials=trials,
            trials_summary=clinical.trials_summary(record),
            safety=safety,
            request=request,
        )
        if options.kind == "appeal"
        else None
    )
    return LetterView(
        kind=options.kind,
        doc_title=APPEAL_TITLE if appealed else TITLE,
        doc_subject=f"{SUBJECT[options.kind]}, {payer.name}, policy "
        f"{d.policy.number or d.policy.id} (CPT {', '.join(d.policy.service.cpt_codes)})",
        doc_author=practice.name if practice.name != f.NOT_DOCUMENTED else signer.name,
        created=d.as_of.isoformat(),
        letter_date=f.date_long(d.as_of),
        practice=practice,
        payer=payer,
        patient=patient,
        salutation="Dear Appeals Reviewer:"
        if appealed
        else "Dear Utilization Management Reviewer:",
        request=request,
        alerts=alert_block(d),
        draft=policy.draft(d),
        diagnoses=diagnoses,
        episode_onset=onset,
        severity=severity,
        trials=trials,
        trials_summary=clinical.trials_summary(record),
        therapies=therapies,
        psychotherapy_summary=psycho,
        psychotherapy_cites=psycho_cites,
        ect_summary=clinical.ect_summary(record),
        safety=safety,
        safety_alerts=safety_alert_rows(d),
        policy=policy.policy_view(d),
        criteria=criteria,
        rationale=paragraphs,
        references=refs.rows(),
        attestations=policy.attestations(d),
        signer=signer,
        continuation=cont,
        appeal=appealed,
        sources=notes.notes(),
        source_groups=notes.groups(),
    )

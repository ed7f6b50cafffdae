"""PAS: the ``Claim/$submit`` request Bundle (Da Vinci PAS 2.2.1 ``profile-pas-request-bundle``).

The first entry is a Claim ``use=preauthorization`` (``profile-claim``): one item per CPT code of
the policy's service block (90868 with the sessions the policy allows), the active depression
diagnoses, the requesting practitioner and organization, the insurer and Coverage from the chart,
and ``supportingInfo`` pointing to a DocumentReference that carries the letter PDF and the
Determination JSON (base64 with size and SHA-1 hash), the prefilled DTR QuestionnaireResponse and
every chart resource the determination cites. The chart resources go in as they are, with their
own fullUrl, each once, together with every chart resource they reference (so no reference in
the Bundle dangles).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any

from priorauth.determination import Determination
from priorauth.exchange._common import (
    BASE,
    CPT,
    EVIDENCE_EXT,
    ICD10CM,
    PAS,
    coding,
    reference,
    stable_id,
)
from priorauth.exchange.dtr import prefilled_response
from priorauth.rules.models import Policy

__all__ = ["ChartResources", "chart_resources", "pas_bundle"]

ChartResources = Mapping[str, tuple[str, dict[str, Any]]]
"""``Type/id`` → (fullUrl, raw resource) of the chart."""
_X12 = "https://codesystem.x12.org/005010/"
_PASTEMP = "http://hl7.org/fhir/us/davinci-pas/CodeSystem/PASTempCodes"


def chart_resources(bundle: Mapping[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Index a chart Bundle's entries by ``Type/id`` (and by fullUrl)."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for entry in bundle.get("entry", []) or []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or "resourceType" not in resource:
            continue
        key = f"{resource['resourceType']}/{resource.get('id', '')}"
        url = entry.get("fullUrl") or f"{BASE}:{key}"
        out.setdefault(key, (url, resource))
        out.setdefault(url, (url, resource))
    return out


def pas_bundle(
    policy: Policy,
    determination: Determination,
    *,
    letter_pdf: bytes,
    chart: ChartResources,
) -> dict[str, Any]:
    """The PAS request Bundle for ``determination`` under ``policy``."""
    return _Builder(policy, determination, chart).bundle(letter_pdf)


class _Builder:
    def __init__(self, policy: Policy, d: Determination, chart: ChartResources) -> None:
        self.policy, self.d, self.chart = policy, d, chart
        self.entries: dict[str, dict[str, Any]] = {}  # fullUrl -> entry
        self.key = stable_id(policy.id, policy.content_hash, d.record.source, d.as_of)

    def bundle(self, letter_pdf: bytes) -> dict[str, Any]:
        record = self.d.record
        patient = self._chart_ref(record.patient.ref)
        coverage = self._chart_ref(_first(record.coverages[0].evidence if record.coverages else ()))
        if coverage and self.entries[coverage]["resource"]["resourceType"] != "Coverage":
            coverage = None
        if coverage:
            self._subscriber_is_beneficiary(coverage)
        practitioner = self._chart_ref(
            _first(record.practitioner.evidence if record.practitioner else ())
        )
        organization = self._chart_ref(
            _first(record.organization.evidence if record.organization else ())
        )
        insurer = self._insurer(coverage)
        coverage = coverage or self._add(self._coverage(patient, insurer))
        order = self._add(self._service_request(patient, practitioner))
        qr = prefilled_response(self.policy, self.d, context=(coverage, order))
        qr_ref = self._add(qr)
        letter = self._add(self._document(letter_pdf, patient, practitioner))
        cited = [self._chart_ref(r) for r in self._cited()]
        supporting = [letter, qr_ref, *dict.fromkeys(r for r in cited if r)]
        claim = self._claim(
            patient, coverage, practitioner, organization, insurer, order, supporting
        )
        _drop_unresolved_evidence(qr, self._targets())
        entries = [
            {"fullUrl": f"{BASE}:Claim:{self.key}", "resource": claim},
            *self.entries.values(),
        ]
        return {
            "resourceType": "Bundle",
            "id": self.key,
            "meta": {"profile": [f"{PAS}profile-pas-request-bundle"]},
            "identifier": {"system": f"{BASE}:pas-request", "value": self.key},
            "type": "collection",
            "timestamp": f"{self.d.as_of.isoformat()}T00:00:00Z",
            "entry": entries,
        }

    # --- entries -------------------------------------------------------------------------------

    def _chart_ref(self, ref: str | None) -> str | None:
        """Add the chart resource ``ref`` (and what it references) once; its entry fullUrl."""
        if not ref or ref not in self.chart or _financial(ref, self.chart):
            return None
        first = self.chart[ref][0]
        pending = [ref]
        while pending:  # iteratively: reference chains in a large chart can be long
            url, resource = self.chart[pending.pop()]
            if url in self.entries:
                continue
            self.entries[url] = {"fullUrl": url, "resource": resource}
            pending += [
                t
                for t in _references(resource)
                if t in self.chart and not _financial(t, self.chart)
            ]
        return first

    def _subscriber_is_beneficiary(self, url: str) -> None:
        """PAS codes "self" as X12 18 or wants ``subscriber``: a chart Coverage coded with HL7's
        ``self`` gets ``subscriber`` = its beneficiary (in the Bundle's copy only)."""
        resource = self.entries[url]["resource"]
        relationship = resource.get("relationship") or {}
        codes = {c.get("code") for c in relationship.get("coding", []) if isinstance(c, dict)}
        if "self" in codes and "subscriber" not in resource and "beneficiary" in resource:
            self.entries[url] = {
                "fullUrl": url,
                "resource": {**resource, "subscriber": resource["beneficiary"]},
            }

    def _targets(self) -> set[str]:
        """Every fullUrl and ``Type/id`` in the Bundle so far."""
        found = set(self.entries)
        for entry in self.entries.values():
            resource = entry["resource"]
            found.add(f"{resource['resourceType']}/{resource.get('id')}")
        return found

    def _coverage(self, patient: str | None, insurer: str) -> dict[str, Any]:
        """A Coverage from the CoverageFact, when the chart holds none (e.g. only claims data).

        It does not claim the PAS Coverage profile: claims data leave the member id and the
        subscriber relationship unknown, and PAS requires both."""
        fact = self.d.record.coverages[0] if self.d.record.coverages else None
        coverage: dict[str, Any] = {
            "resourceType": "Coverage",
            "id": f"coverage-{self.key}",
            "status": "active",
            "beneficiary": reference(patient or "Patient/unknown"),
            "payor": [reference(insurer)],
        }
        if fact and fact.member_id:
            coverage["subscriberId"] = fact.member_id
        return coverage

    def _add(self, resource: dict[str, Any]) -> str:
        url = f"{BASE}:{resource['resourceType']}:{resource['id']}"
        self.entries[url] = {"fullUrl": url, "resource": resource}
        return url

    def _insurer(self, coverage: str | None) -> str:
        payors = (
            self.chart[coverage][1].get("payor", []) if coverage and coverage in self.chart else []
        )
        for payor in payors:
            url = self._chart_ref(payor.get("reference"))
            if url and self.entries[url]["resource"]["resourceType"] == "Organization":
                return url
        name = self.d.record.coverages[0].payer_name if self.d.record.coverages else None
        return self._add(
            {
                "resourceType": "Organization",
                "id": f"insurer-{self.key}",
                "meta": {"profile": [f"{PAS}profile-insurer"]},
                "active": True,
                "name": name or self.policy.payer.name,
            }
        )

    def _cited(self) -> list[str]:
        refs: list[str] = []
        for result in _walk(self.d.criteria):
            refs += [r for e in result.evidence for r in e.resources]
        for alert in self.d.alerts:
            refs += [r for e in alert.evidence for r in e.resources]
        return list(dict.fromkeys(refs))

    def _service_request(self, patient: str | None, practitioner: str | None) -> dict[str, Any]:
        service = self.policy.service
        return {
            "resourceType": "ServiceRequest",
            "id": f"tms-{self.key}",
            "meta": {"profile": [f"{PAS}profile-servicerequest"]},
            "status": "active",
            "intent": "order",
            "code": {
                "coding": [coding(CPT, code) for code in service.cpt],
                "text": service.description or "Transcranial magnetic stimulation",
            },
            "subject": reference(patient or "Patient/unknown"),
            "authoredOn": self.d.as_of.isoformat(),
            **({"requester": reference(practitioner)} if practitioner else {}),
            "reasonCode": [{"coding": [coding(ICD10CM, dx)]} for dx in self._diagnoses()],
        }

    def _document(self, pdf: bytes, patient: str | None, author: str | None) -> dict[str, Any]:
        determination = self.d.model_dump_json().encode()
        return {
            "resourceType": "DocumentReference",
            "id": f"letter-{self.key}",
            "meta": {"profile": [f"{PAS}profile-documentreference"]},
            "status": "current",
            "type": {"text": "Letter of medical necessity: TMS prior authorization"},
            "category": [
                {
                    "coding": [
                        coding(
                            "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category",
                            "clinical-note",
                            "Clinical Note",
                        )
                    ]
                }
            ],
            "subject": reference(patient or "Patient/unknown"),
            "date": f"{self.d.as_of.isoformat()}T00:00:00Z",
            **({"author": [reference(author)]} if author else {}),
            "description": f"{self.policy.id}: {self.d.status}",
            "content": [
                _attachment(pdf, "application/pdf", "letter.pdf"),
                _attachment(determination, "application/json", "determination.json"),
            ],
        }

    def _diagnoses(self) -> list[str]:
        codes = [
            dx.code
            for dx in self.d.record.diagnoses
            if dx.active and dx.category == "mdd" and dx.system == ICD10CM
        ]
        return (
            list(dict.fromkeys(codes))
            or [dx.code for dx in self.d.record.diagnoses if dx.system == ICD10CM][:1]
        )

    def _claim(
        self,
        patient: str | None,
        coverage: str | None,
        practitioner: str | None,
        organization: str | None,
        insurer: str,
        order: str,
        supporting: list[str],
    ) -> dict[str, Any]:
        diagnoses = self._diagnoses()
        claim: dict[str, Any] = {
            "resourceType": "Claim",
            "id": self.key,
            "meta": {"profile": [f"{PAS}profile-claim"]},
            "identifier": [{"system": f"{BASE}:claim", "value": self.key}],
            "status": "active",
            "type": {
                "coding": [
                    coding("http://terminology.hl7.org/CodeSystem/claim-type", "professional")
                ]
            },
            "use": "preauthorization",
            "patient": reference(patient or "Patient/unknown"),
            "created": f"{self.d.as_of.isoformat()}T00:00:00Z",
            "insurer": reference(insurer),
            "provider": reference(organization or practitioner or insurer),
            "priority": {
                "coding": [
                    coding("http://terminology.hl7.org/CodeSystem/processpriority", "normal")
                ]
            },
            "supportingInfo": [_supporting(i + 1, ref) for i, ref in enumerate(supporting)],
            "diagnosis": [
                {"sequence": i + 1, "diagnosisCodeableConcept": {"coding": [coding(ICD10CM, code)]}}
                for i, code in enumerate(diagnoses)
            ],
            "insurance": [
                {
                    "sequence": 1,
                    "focal": True,
                    "coverage": reference(coverage or "Coverage/unknown"),
                }
            ],
            "item": self._items(order, len(diagnoses), practitioner is not None),
        }
        if practitioner:
            claim["careTeam"] = [
                {
                    "extension": [
                        {"url": f"{PAS}extension-careTeamClaimScope", "valueBoolean": True}
                    ],
                    "sequence": 1,
                    "provider": reference(practitioner),
                }
            ]
        return claim

    def _items(self, order: str, diagnoses: int, care_team: bool) -> list[dict[str, Any]]:
        service = self.policy.service
        acute = service.initial_sessions
        if service.max_weeks is not None:  # daily, 5 a week: as many as the letter requests
            weekly = service.max_weeks * 5
            acute = min(acute, weekly) if acute is not None else weekly
        sessions = (acute or 0) + (service.taper_sessions or 0)
        items = []
        for i, code in enumerate(service.cpt):
            quantity = max(sessions - 1, 1) if code == "90868" and sessions else 1
            items.append(
                {
                    "extension": [
                        {
                            "url": f"{PAS}extension-serviceItemRequestType",
                            "valueCodeableConcept": {
                                "coding": [coding(f"{_X12}1525", "HS", "Health Services Review")]
                            },
                        },
                        {
                            "url": f"{PAS}extension-certificationType",
                            "valueCodeableConcept": {
                                "coding": [coding(f"{_X12}1322", "I", "Initial")]
                            },
                        },
                        {
                            "url": f"{PAS}extension-requestedService",
                            "valueReference": reference(order),
                        },
                    ],
                    "sequence": i + 1,
                    **({"careTeamSequence": [1]} if care_team else {}),
                    "diagnosisSequence": list(range(1, diagnoses + 1)),
                    "category": {"coding": [coding(f"{_X12}1365", "MH", "Mental Health")]},
                    "productOrService": {"coding": [coding(CPT, code)]},
                    "locationCodeableConcept": {
                        "coding": [
                            coding(
                                "https://www.cms.gov/Medicare/Coding/place-of-service-codes/"
                                "Place_of_Service_Code_Set",
                                "11",
                                "Office",
                            )
                        ]
                    },
                    "quantity": {"value": quantity},
                }
            )
        return items


def _supporting(sequence: int, ref: str) -> dict[str, Any]:
    return {
        "extension": [
            {
                "url": f"{PAS}extension-documentInformation",
                "extension": [
                    {
                        "url": "reportTypeCode",
                        "valueCodeableConcept": {
                            "coding": [
                                coding(
                                    "https://codesystem.x12.org/005010/755",
                                    "OZ",
                                    "Support Data for Claim",
                                )
                            ]
                        },
                    }
                ],
            }
        ],
        "sequence": sequence,
        "category": {"coding": [coding(_PASTEMP, "additionalInformation")]},
        "valueReference": reference(ref),
    }


def _attachment(data: bytes, content_type: str, title: str) -> dict[str, Any]:
    return {
        "attachment": {
            "contentType": content_type,
            "data": base64.b64encode(data).decode("ascii"),
            "size": len(data),
            "hash": base64.b64encode(hashlib.sha1(data).digest()).decode("ascii"),  # noqa: S324 - FHIR R4 Attachment.hash is SHA-1
            "title": title,
        }
    }


_FINANCIAL = frozenset({"Claim", "ClaimResponse", "ExplanationOfBenefit"})


def _financial(ref: str, chart: ChartResources) -> bool:
    """Claims-data resources stay out: a PAS request carries one Claim, the request itself."""
    return chart[ref][1].get("resourceType") in _FINANCIAL


def _drop_unresolved_evidence(qr: dict[str, Any], targets: set[str]) -> None:
    """Evidence extensions of the prefilled answers that point outside the Bundle are removed."""
    for item in qr.get("item", []):
        for answer in item.get("answer", []):
            answer["extension"] = [
                e
                for e in answer["extension"]
                if e["url"] != EVIDENCE_EXT or e["valueReference"]["reference"] in targets
            ]
        _drop_unresolved_evidence(item, targets)


def _first(refs: tuple[str, ...]) -> str | None:
    return refs[0] if refs else None


def _walk(results: Any) -> Any:
    for result in results:
        yield result
        yield from _walk(result.children)


def _references(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["reference"]] if isinstance(node.get("reference"), str) else []
        return found + [r for k, v in node.items() if k != "contained" for r in _references(v)]
    if isinstance(node, list):
        return [r for v in node for r in _references(v)]
    return []

"""Da Vinci outputs (PAS Bundle, DTR Questionnaire and prefill, CRD response) pass the profile
conformance check, and the check rejects broken copies with the element path."""

import base64
import copy
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from priorauth.exchange import crd, dtr, pas
from priorauth.exchange.build import crd_for_request, determine, pas_for_chart
from priorauth.exchange.conformance import (
    Profiles,
    check_bundle,
    check_cds_response,
    check_resource,
)
from priorauth.render import ATTACHMENT_NAME
from priorauth.rules import load_rules

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "davinci"
AS_OF = dt.date(2026, 11, 25)
PAS_BUNDLE = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/profile-pas-request-bundle"
DTR_Q = "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/dtr-std-questionnaire"
DTR_QR = "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/dtr-questionnaireresponse"
COVERAGE_INFO = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information"
# teen_trd's coverage is "Example State Medicaid": the NY policy is named with the override
CHARTS = {
    "meets": ("examples/trd_meets_policies.json", "auto", "meets"),
    "not_met": ("tests/data/charts/teen_trd.json", "ny-medicaid", "does_not_meet"),
    "safety": ("tests/data/charts/safety/phq9_item9_nearly_every_day.json", "auto", "safety_hold"),
}


@pytest.fixture(scope="module")
def profiles():
    return Profiles.from_dir(DATA)


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def _chart(name):
    return json.loads((ROOT / CHARTS[name][0]).read_text("utf-8"))


@pytest.fixture(scope="module")
def bundles(rules):
    return {
        name: pas_for_chart(
            _chart(name), rules, payer=CHARTS[name][1], as_of=AS_OF, allow_uncovered_payer=True
        )
        for name in CHARTS
    }


def _example(name):
    return json.loads((DATA / "examples" / name).read_text("utf-8"))


# --- the check itself ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Bundle-ReferralAuthorizationBundleExample.json",
        "Bundle-MedicalServicesAuthorizationBundleExample.json",
    ],
)
def test_the_guides_pas_examples_pass(profiles, name):
    assert check_bundle(_example(name), profiles, profile=PAS_BUNDLE) == []


def test_the_guides_dtr_examples_pass(profiles):
    qr = _example("QuestionnaireResponse-home-o2-questionnaireresponse.json")
    assert check_resource(qr, DTR_QR, profiles) == []
    assert (
        check_resource(_example("Questionnaire-home-o2-std-questionnaire.json"), DTR_Q, profiles)
        == []
    )


def test_inferno_v110_fixture_differs_from_221_only_where_the_profiles_differ(profiles):
    """The Inferno 'conformant' bundle was written for PAS 1.1.0. Against 2.2.1 it fails exactly
    where 2.2.1 differs: item.category became required, the X12 1365 code system is listed under
    https (in the Claim item and the ServiceRequest), the Coverage needs a member id and a
    relationship (and so fails self-beneficiary and US Core's us-core-15), and the insurer's and
    the practitioner's 6-digit "NPI"s break US Core's us-core-16."""
    problems = check_bundle(
        _example("conformant_pas_bundle_v110.json"), profiles, profile=PAS_BUNDLE
    )
    assert sorted((p.path, p.message.split(":")[0]) for p in problems) == sorted(
        [
            ("Bundle.entry[0].resource.item.category", "minimum 1, found 0"),
            ("Bundle.entry[0].resource.item.productOrService", "http"),
            ("Bundle.entry[2].resource.identifier[0]", "invariant us-core-16 failed"),
            ("Bundle.entry[3].resource", "invariant us-core-15 failed"),
            ("Bundle.entry[3].resource", "invariant self-beneficiary failed"),
            ("Bundle.entry[3].resource.identifier", "minimum 1, found 0"),
            ("Bundle.entry[3].resource.identifier:memberid", "minimum 1, found 0"),
            ("Bundle.entry[3].resource.relationship", "minimum 1, found 0"),
            ("Bundle.entry[5].resource.code", "http"),
            ("Bundle.entry[6].resource.identifier[0]", "invariant us-core-16 failed"),
        ]
    )


def test_inferno_missing_referenced_resource_is_rejected(profiles):
    problems = check_bundle(
        _example("missing_referenced_resource_request_bundle.json"), profiles, profile=PAS_BUNDLE
    )
    dangling = [p for p in problems if "does not resolve" in p.message]
    assert [p.path for p in dangling] == ["Bundle.entry[0].resource.careTeam[0].provider"]


def _broken(bundle, edit):
    copy_ = copy.deepcopy(bundle)
    edit(copy_["entry"][0]["resource"])
    return copy_


def test_broken_copies_are_rejected_with_the_path(profiles, bundles):
    good = bundles["meets"]
    assert check_bundle(good, profiles) == []
    no_use = check_bundle(_broken(good, lambda c: c.pop("use")), profiles)
    assert "Bundle.entry[0].resource.use" in [p.path for p in no_use]
    wrong_use = check_bundle(_broken(good, lambda c: c.update(use="claim")), profiles)
    assert any(
        p.path == "Bundle.entry[0].resource.use" and "pattern" in p.message for p in wrong_use
    )

    def dangle(claim):
        claim["supportingInfo"][0]["valueReference"]["reference"] = "DocumentReference/nowhere"

    dangling = check_bundle(_broken(good, dangle), profiles)
    assert [p.path for p in dangling] == [
        "Bundle.entry[0].resource.supportingInfo[0].valueReference"
    ]

    def duplicate(claim):
        claim["item"][1]["sequence"] = claim["item"][0]["sequence"]

    assert [p.path for p in check_bundle(_broken(good, duplicate), profiles)] == [
        "Bundle.entry[0].resource.item[1].sequence"
    ]
    bad_icd = check_bundle(
        _broken(
            good,
            lambda c: c["diagnosis"][0]["diagnosisCodeableConcept"]["coding"][0].update(
                system="http://snomed.info/sct"
            ),
        ),
        profiles,
    )
    assert [p.path for p in bad_icd] == ["Bundle.entry[0].resource.diagnosis.diagnosis[x]"]


def test_the_guides_fhirpath_invariants_are_evaluated(profiles, bundles):
    """PAS's ClaimFirst invariant: slicing alone does not see the Claim moved to the end."""
    moved = copy.deepcopy(bundles["meets"])
    moved["entry"].append(moved["entry"].pop(0))
    problems = check_bundle(moved, profiles)
    assert [(p.path, p.message.split(":")[0]) for p in problems] == [
        ("Bundle", "invariant ClaimFirst failed")
    ]


def test_a_qr_answer_with_both_answer_and_items_breaks_qrs_1(profiles, rules):
    policy, d = determine(_chart("meets"), rules, payer="auto", as_of=AS_OF)
    qr = dtr.prefilled_response(policy, d, context=("Coverage/a", "ServiceRequest/b"))
    first = qr["item"][0]["item"][0]
    first["item"] = [{"linkId": "x", "text": "x"}]
    problems = check_resource(qr, DTR_QR, profiles)
    assert any("invariant qrs-1" in p.message for p in problems), problems


def test_a_qr_answer_without_origin_is_rejected(profiles, rules):
    policy, d = determine(_chart("meets"), rules, payer="auto", as_of=AS_OF)
    qr = dtr.prefilled_response(policy, d, context=("Coverage/a", "ServiceRequest/b"))
    qr["item"][0]["item"][0]["answer"][0]["extension"] = []
    assert any("extension" in p.path for p in check_resource(qr, DTR_QR, profiles))


# --- the three charts ---------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CHARTS))
def test_pas_bundle_conforms(profiles, bundles, name):
    bundle = bundles[name]
    assert check_bundle(bundle, profiles) == []
    claim = bundle["entry"][0]["resource"]
    assert claim["resourceType"] == "Claim"
    assert claim["use"] == "preauthorization"
    assert [i["productOrService"]["coding"][0]["code"] for i in claim["item"]] == [
        "90867",
        "90868",
        "90869",
    ]
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(urls) == len(set(urls))
    sequences = [s["sequence"] for s in claim["supportingInfo"]]
    assert sequences == list(range(1, len(sequences) + 1))


@pytest.mark.parametrize("name", list(CHARTS))
def test_the_letter_pdf_reads_back_out_of_the_document_reference(bundles, name):
    bundle = bundles[name]
    docs = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "DocumentReference"
    ]
    assert len(docs) == 1
    pdf, determination = (c["attachment"] for c in docs[0]["content"])
    data = base64.b64decode(pdf["data"])
    assert data.startswith(b"%PDF")
    assert pdf["size"] == len(data)
    (embedded,) = PdfReader(io.BytesIO(data)).attachments[ATTACHMENT_NAME]
    assert json.loads(embedded)["status"] == CHARTS[name][2]  # the Determination, in the PDF
    parsed = json.loads(base64.b64decode(determination["data"]))
    assert parsed["status"] == CHARTS[name][2]
    assert parsed["policy"]["id"] in docs[0]["description"]


@pytest.mark.parametrize("name", list(CHARTS))
def test_questionnaire_and_prefill_conform(profiles, rules, name):
    policy, d = determine(
        _chart(name), rules, payer=CHARTS[name][1], as_of=AS_OF, allow_uncovered_payer=True
    )
    assert d.status == CHARTS[name][2]
    form = dtr.questionnaire(policy)
    assert check_resource(form, DTR_Q, profiles) == []
    qr = dtr.prefilled_response(policy, d, context=("Coverage/a", "ServiceRequest/b"))
    assert check_resource(qr, DTR_QR, profiles) == []
    answered = {i["linkId"]: i for i in _items(qr["item"]) if "answer" in i}
    leaves = {c.id: c for c in _results(d.criteria) if not c.children}
    for link in answered:
        assert leaves[link].outcome != "unknown"
        assert leaves[link].kind != "attestation"
    unknown = [c.id for c in leaves.values() if c.outcome == "unknown"]
    assert all(u not in answered for u in unknown)
    assert qr["status"] == "in-progress"  # attestations are for the clinician


def _items(items):
    for item in items:
        yield item
        yield from _items(item.get("item", []))


def _results(results):
    for r in results:
        yield r
        yield from _results(r.children)


def _hook_request(name):
    request = _example("CRDServiceRequest.json")
    request["prefetch"] = {"chart": _chart(name)}
    order = request["context"]["draftOrders"]["entry"][0]["resource"]
    order["code"] = {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "90867"}]}
    return request


@pytest.mark.parametrize("name", list(CHARTS))
def test_crd_response(profiles, rules, name):
    answer = crd_for_request(_hook_request(name), rules, payer=CHARTS[name][1], as_of=AS_OF)
    assert check_cds_response(answer, profiles) == []
    cards = answer["cards"]
    if name == "safety":
        assert cards[0]["indicator"] == "critical"
        assert "suicide" in cards[0]["summary"].lower()
    else:
        assert all(c["indicator"] != "critical" for c in cards)
    assert "Prior authorization required" in cards[-1]["summary"]
    for card in cards:
        assert len(card["summary"]) <= 140
        assert card["source"]["label"]
        assert card["uuid"]
    (action,) = answer["systemActions"]
    ext = action["resource"]["extension"][-1]
    assert check_resource(ext, COVERAGE_INFO, profiles) == []
    if name == "not_met":
        assert (
            any(e["url"] == "reason" for e in ext["extension"])
            or "not met" in cards[-1]["detail"].lower()
        )


def test_the_cds_response_check_fails_on_broken_responses(profiles, rules):
    answer = crd_for_request(_hook_request("safety"), rules, payer="auto", as_of=AS_OF)
    broken = copy.deepcopy(answer)
    broken["cards"][0]["indicator"] = "hard-stop"
    broken["cards"][1]["summary"] = "x" * 141
    coverage_info = broken["systemActions"][0]["resource"]["extension"][-1]["extension"]
    coverage_info[:] = [e for e in coverage_info if e["url"] != "date"]
    broken["systemActions"][0]["resource"]["status"] = "not-a-status-but-a-list".split("-")
    paths = [p.path for p in check_cds_response(broken, profiles)]
    assert "cards[0].indicator" in paths
    assert "cards[1].summary" in paths
    assert any(p.startswith("systemActions[0].resource.extension[") for p in paths), paths
    assert "systemActions[0].resource.status" in paths


def test_crd_without_a_tms_order_has_no_cards(rules):
    request = _example("CRDServiceRequest.json")
    assert crd_for_request(request, rules, payer="auto", as_of=AS_OF) == {"cards": []}


def test_discovery_lists_both_hooks():
    assert sorted(s["hook"] for s in crd.discovery()["services"]) == ["order-select", "order-sign"]


def test_chart_resources_index():
    index = pas.chart_resources(_chart("not_met"))
    assert "Patient/teen-skyler" in index


def _all_policies():
    return load_rules().policies


@pytest.mark.parametrize("policy", _all_policies(), ids=lambda p: p.id)
def test_every_policy_gives_a_conforming_questionnaire(profiles, policy):
    form = dtr.questionnaire(policy)
    assert check_resource(form, DTR_Q, profiles) == []
    items = {i["linkId"]: i for i in _items(form["item"])}
    for item in items.values():
        for condition in item.get("enableWhen", []):
            assert items[condition["question"]]["type"] == "boolean"
    questions = [i for i in items.values() if i["type"] not in ("group", "display")]
    leaves = [leaf.id for leaf in policy.leaves()] + [a.id for a in policy.attestations]
    assert sorted(i["linkId"] for i in questions) == sorted(leaves)


def test_pas_claim_names_the_requesting_organization_and_practitioner(bundles):
    bundle = bundles["meets"]
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    claim = bundle["entry"][0]["resource"]
    provider = by_url[claim["provider"]["reference"]]
    systems = {i.get("system") for i in provider["identifier"]}
    assert {
        "http://hl7.org/fhir/sid/us-npi",
        "urn:oid:2.16.840.1.113883.4.4",
    } <= systems  # NPI, TIN
    practitioner = by_url[claim["careTeam"][0]["provider"]["reference"]]
    assert practitioner["resourceType"] == "Practitioner"
    assert by_url[claim["insurer"]["reference"]]["resourceType"] == "Organization"
    assert by_url[claim["insurance"][0]["coverage"]["reference"]]["resourceType"] == "Coverage"
    kinds = [
        by_url[s["valueReference"]["reference"]]["resourceType"] for s in claim["supportingInfo"]
    ]
    assert kinds[:2] == ["DocumentReference", "QuestionnaireResponse"]
    assert {"Condition", "Observation", "MedicationRequest"} <= set(kinds)
    assert [d["diagnosisCodeableConcept"]["coding"][0]["code"] for d in claim["diagnosis"]] == [
        "F33.2"
    ]


def test_pas_items_carry_the_sessions_the_policy_allows(rules, bundles):
    claim = bundles["meets"]["entry"][0]["resource"]
    policy_id = json.loads(
        base64.b64decode(
            next(
                e["resource"]["content"][1]["attachment"]["data"]
                for e in bundles["meets"]["entry"]
                if e["resource"]["resourceType"] == "DocumentReference"
            )
        )
    )["policy"]["id"]
    service = next(p for p in rules.policies if p.id == policy_id).service
    quantities = {
        i["productOrService"]["coding"][0]["code"]: i["quantity"]["value"] for i in claim["item"]
    }
    sessions = (service.initial_sessions or 0) + (service.taper_sessions or 0)
    assert quantities["90868"] == (sessions - 1 if sessions else 1)
    assert quantities["90867"] == 1


def test_pas_items_follow_a_week_limit_without_a_session_count(rules, profiles):
    """L34998 allows daily TMS for up to six weeks (max_weeks 6, no session count): 30 sessions,
    as the letter requests, so 90868 is billed 29 times after the first session (90867)."""
    chart = _chart("meets")
    text = json.dumps(chart).replace('"Aetna"', '"Medicare"')
    bundle = pas_for_chart(json.loads(text), rules, payer="l34998-tms-2022", as_of=AS_OF)
    assert check_bundle(bundle, profiles) == []
    claim = bundle["entry"][0]["resource"]
    quantities = {
        i["productOrService"]["coding"][0]["code"]: i["quantity"]["value"] for i in claim["item"]
    }
    assert quantities["90867"] == 1
    assert quantities["90868"] == 29


def _claims_data_chart():
    """The example chart with its Coverage known only from claims data, as in Synthea: an
    ExplanationOfBenefit with a contained Coverage, pointing at a billing Claim."""
    chart = _chart("meets")
    patient = next(e for e in chart["entry"] if e["resource"]["resourceType"] == "Patient")
    chart["entry"] = [e for e in chart["entry"] if e["resource"]["resourceType"] != "Coverage"]
    subject = {"reference": patient["fullUrl"]}
    claim = {
        "resourceType": "Claim",
        "id": "billing-1",
        "status": "active",
        "type": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/claim-type",
                    "code": "professional",
                }
            ]
        },
        "use": "claim",
        "patient": subject,
        "created": "2026-10-01",
        "provider": {"display": "Clinic"},
        "priority": {"coding": [{"code": "normal"}]},
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": "Aetna"}}],
    }
    eob = {
        "resourceType": "ExplanationOfBenefit",
        "id": "eob-1",
        "status": "active",
        "contained": [
            {
                "resourceType": "Coverage",
                "id": "cov",
                "status": "active",
                "beneficiary": subject,
                "payor": [{"display": "Aetna"}],
            }
        ],
        "type": claim["type"],
        "use": "claim",
        "patient": subject,
        "created": "2026-10-01",
        "billablePeriod": {"start": "2026-10-01", "end": "2026-10-01"},
        "insurer": {"display": "Aetna"},
        "provider": {"display": "Clinic"},
        "claim": {"reference": "Claim/billing-1"},
        "outcome": "complete",
        "insurance": [{"focal": True, "coverage": {"reference": "#cov"}}],
    }
    chart["entry"] += [
        {"fullUrl": "urn:uuid:0c8e4a3e-0000-4000-8000-000000000001", "resource": claim},
        {"fullUrl": "urn:uuid:0c8e4a3e-0000-4000-8000-000000000002", "resource": eob},
    ]
    return chart


def test_pas_from_claims_data_carries_one_claim_and_a_coverage(profiles, rules):
    # the claims data's coverage ended 2026-10-01: Aetna is named with the override
    chart = _claims_data_chart()
    bundle = pas_for_chart(chart, rules, payer="aetna", as_of=AS_OF, allow_uncovered_payer=True)
    assert check_bundle(bundle, profiles) == []
    types = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert types.count("Claim") == 1
    assert "ExplanationOfBenefit" not in types
    claim = bundle["entry"][0]["resource"]
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    coverage = by_url[claim["insurance"][0]["coverage"]["reference"]]
    assert coverage["resourceType"] == "Coverage"
    assert by_url[coverage["payor"][0]["reference"]]["name"] == "Aetna"


PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/profile-"


def _roles(bundle):
    """Each entry with the PAS profile of its role in the Claim (chart resources included)."""
    claim = bundle["entry"][0]["resource"]
    roles = {
        claim["patient"]["reference"]: "beneficiary",
        claim["insurer"]["reference"]: "insurer",
        claim["provider"]["reference"]: "requestor",
        claim["insurance"][0]["coverage"]["reference"]: "coverage",
        claim["careTeam"][0]["provider"]["reference"]: "practitioner",
    }
    for entry in bundle["entry"][1:]:
        kind = entry["resource"]["resourceType"]
        role = roles.get(entry["fullUrl"]) or {
            "ServiceRequest": "servicerequest",
            "DocumentReference": "documentreference",
        }.get(kind)
        if role:
            yield entry, role


@pytest.mark.parametrize("name", list(CHARTS))
def test_every_entry_conforms_to_the_pas_profile_of_its_role(profiles, bundles, name):
    roles = list(_roles(bundles[name]))
    assert sorted(r for _, r in roles) == sorted(
        [
            "beneficiary",
            "insurer",
            "requestor",
            "coverage",
            "practitioner",
            "servicerequest",
            "documentreference",
        ]
    )
    for entry, role in roles:
        problems = check_resource(entry["resource"], PAS + role, profiles)
        assert problems == [], (entry["fullUrl"], role, problems)


def test_a_chart_coverage_coded_self_gets_its_subscriber_in_the_bundle_only(bundles):
    chart = {e["resource"].get("id"): e["resource"] for e in _chart("meets")["entry"]}
    claim = bundles["meets"]["entry"][0]["resource"]
    by_url = {e["fullUrl"]: e["resource"] for e in bundles["meets"]["entry"]}
    coverage = by_url[claim["insurance"][0]["coverage"]["reference"]]
    assert coverage["subscriber"] == coverage["beneficiary"]
    assert "subscriber" not in chart[coverage["id"]]

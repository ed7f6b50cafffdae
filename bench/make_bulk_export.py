"""Write a scaled-up FHIR bulk export ($export NDJSON + manifest) to measure ``screen`` on.

    python bench/make_bulk_export.py --patients 1000 -o /tmp/export-1k
    python bench/make_bulk_export.py --patients 10000 --trd 300 --seed 7 --gzip -o /tmp/export-10k

Every patient is a clone of a template patient, with new ids for each of its resources (every
reference rewritten to match) and its dates shifted by a per-clone number of days:

* templates: the Synthea patients the tests ship (``tests/data/fixtures/synthea_r4_smart/*.json``
  bundles and the 13 patients of ``tests/data/fixtures/synthea_bulk_10pt_ndjson/``), plus any
  ``--extra-bundles`` folder of Synthea bundles (say ``/work/shared/fixtures/synthea_r4_smart``);
* ``--trd`` of them (a few hundred by default) are given a TRD history: every resource but the
  Patient of one of the project's own TRD charts (``tests/data/charts``: the shaped charts, the
  ``bulk_ndjson`` folder, ``sigs/`` and ``safety/``, and ``examples/``) is added to the clone,
  pointed at the clone's Patient, which takes the chart's birth date, sex and deceased flag. Their
  dates move by at most ``--trd-shift`` days back (default 14), so most keep their recency windows
  for the as-of date 2026-11-25 and some just miss them; Synthea patients move by up to
  ``--shift`` days (default 730) back or a quarter of that forward.

Shared resources (Practitioner, Organization, Location, Medication, ...) keep their id and are
written once, as an EHR's export writes each practitioner once. The export holds the resource
types priorauth reads, as an ``$export?_type=...`` request would (ExplanationOfBenefit stays:
Synthea's coverage is in it); ``--all-types`` keeps the billing and imaging ones too (Claim,
DiagnosticReport, ImagingStudy, ...: a third of a Synthea chart's bytes). One
``<Type>.000.ndjson`` per type (``.ndjson.gz`` with ``--gzip``), resources of all patients
interleaved, and ``manifest.json`` naming each file with its count. The output is a function of
the inputs, ``--patients``, ``--trd`` and ``--seed`` (no clock is read: the manifest's
transactionTime is fixed). Nothing is kept in memory but the templates: patients are written
one at a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from priorauth.fhir.resource_types import VALIDATED_TYPES

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SYNTHEA_BUNDLES = DATA / "fixtures" / "synthea_r4_smart"
SYNTHEA_NDJSON = DATA / "fixtures" / "synthea_bulk_10pt_ndjson"
TRD_CHARTS = DATA / "charts"
SHARED_TYPES = frozenset(
    {"Practitioner", "PractitionerRole", "Organization", "Location", "Medication", "Device"}
)
DEFAULT_TYPES = VALIDATED_TYPES | {"Location"}
"""The types priorauth reads, and Location (a shared type EHR exports carry)."""
TRANSACTION_TIME = "2026-11-25T00:00:00Z"
_TOKEN = re.compile(rb'@@([RI])(\d+)@@|(?<=")(\d{4}-\d{2}-\d{2})(?=[T"])')
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2})?)?$")


@dataclass(frozen=True)
class Slot:
    """One resource of a template: its type, its id there, and whether clones share it."""

    type: str
    id: str
    shared: bool


@dataclass
class Template:
    """A patient's resources as NDJSON lines with ``@@I<slot>@@`` for ids and ``@@R<slot>@@``
    for references, ready to be cloned by substitution."""

    name: str
    slots: list[Slot]
    own: list[tuple[str, bytes]]
    """(type, line) of the patient's own resources, its Patient first."""
    shared: list[tuple[str, bytes]]
    patient_slot: int
    patient: dict[str, Any]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-o", "--out", type=Path, required=True, help="Folder to write.")
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--trd", type=int, default=300, help="Patients given a TRD history.")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--shift", type=int, default=730, help="Synthea date shift range (days).")
    parser.add_argument("--trd-shift", type=int, default=14, help="TRD date shift (days back).")
    parser.add_argument("--gzip", action="store_true", help="Write .ndjson.gz files.")
    parser.add_argument("--all-types", action="store_true", help="Keep every resource type.")
    parser.add_argument("--extra-bundles", type=Path, help="More Synthea bundles (a folder).")
    args = parser.parse_args()
    if args.trd > args.patients:
        parser.error("--trd cannot exceed --patients")
    types = None if args.all_types else DEFAULT_TYPES
    synthea = [t for t in synthea_templates(args.extra_bundles, types)]
    trd = [t for t in trd_templates(types)]
    counts = write_export(args, synthea, trd, types)
    total = sum(counts.values())
    print(
        f"{args.patients} patients ({args.trd} with a TRD history from {len(trd)} charts, "
        f"{len(synthea)} Synthea templates), {total:,} resources -> {args.out}",
        file=sys.stderr,
    )


# --- templates ---------------------------------------------------------------------------------


def synthea_templates(extra: Path | None, types: frozenset[str] | None) -> Iterator[Template]:
    """One template per Synthea patient: each bundle, then each patient of the NDJSON export."""
    bundles = sorted(SYNTHEA_BUNDLES.glob("*.json"))
    if extra is not None:
        known = {p.name for p in bundles}
        bundles += sorted(p for p in extra.glob("*.json") if p.name not in known)
    for path in bundles:
        yield template(path.stem.rsplit("_", 1)[-1][:8], bundle_resources(path), types)
    by_patient: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for path in sorted(SYNTHEA_NDJSON.glob("*.ndjson")):
        for line in path.read_bytes().splitlines():
            resource = orjson.loads(line)
            owner = patient_of(resource)
            if owner is not None:
                by_patient.setdefault(owner, []).append((f"{_key(resource)}", resource))
    for owner in sorted(by_patient):
        yield template(f"ndjson-{owner[:8]}", by_patient[owner], types)


def trd_templates(types: frozenset[str] | None) -> Iterator[Template]:
    """One template per TRD chart of the project."""
    paths = sorted(TRD_CHARTS.glob("*.json")) + sorted((ROOT / "examples").glob("*.json"))
    paths += sorted((TRD_CHARTS / "sigs").glob("*.json"))
    paths += sorted((TRD_CHARTS / "safety").glob("*.json"))
    for path in paths:
        yield template(f"trd-{path.stem}", bundle_resources(path), types)
    folder = TRD_CHARTS / "bulk_ndjson"
    resources = [
        (_key(r), r)
        for p in sorted(folder.glob("*.ndjson"))
        for r in map(orjson.loads, p.read_bytes().splitlines())
    ]
    yield template("trd-bulk_ndjson", resources, types)


def bundle_resources(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """(fullUrl or Type/id, resource) of every entry of a Bundle file."""
    bundle = orjson.loads(path.read_bytes())
    return [
        (entry.get("fullUrl") or _key(entry["resource"]), entry["resource"])
        for entry in bundle.get("entry", [])
        if isinstance(entry.get("resource"), dict)
    ]


def _key(resource: dict[str, Any]) -> str:
    return f"{resource['resourceType']}/{resource['id']}"


def patient_of(resource: dict[str, Any]) -> str | None:
    """The Patient a resource belongs to (its id, or the reference as written)."""
    if resource["resourceType"] == "Patient":
        return str(resource["id"])
    for name in ("subject", "patient", "beneficiary"):
        ref = resource.get(name)
        if isinstance(ref, dict) and isinstance(ref.get("reference"), str):
            return str(ref["reference"]).removeprefix("Patient/")
    return None


def template(
    name: str, entries: list[tuple[str, dict[str, Any]]], types: frozenset[str] | None
) -> Template:
    """Number the resources (slots), turn ids and resolvable references into placeholders."""
    slots: list[Slot] = []
    names: dict[str, int] = {}
    for full_url, resource in entries:
        kind, rid = resource["resourceType"], str(resource["id"])
        names[full_url] = names[f"{kind}/{rid}"] = len(slots)
        slots.append(Slot(kind, rid, kind in SHARED_TYPES and patient_of(resource) is None))
    patient_slots = [i for i, s in enumerate(slots) if s.type == "Patient"]
    if len(patient_slots) != 1:
        raise SystemExit(f"{name}: {len(patient_slots)} Patient resources, expected 1")
    own: list[tuple[str, bytes]] = []
    shared: list[tuple[str, bytes]] = []
    for (_url, resource), slot in zip(entries, slots, strict=True):
        if types is not None and slot.type not in types:
            continue
        text = dict(resource, id=f"@@I{names[_key(resource)]}@@")
        line = orjson.dumps(_placeholders(text, names))
        (shared if slot.shared else own).append((slot.type, line))
    own.sort(key=lambda pair: pair[0] != "Patient")
    patient = next(r for _u, r in entries if r["resourceType"] == "Patient")
    return Template(name, slots, own, shared, patient_slots[0], patient)


def _placeholders(value: Any, names: dict[str, int]) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "reference" and isinstance(item, str) and item in names:
                out[key] = f"@@R{names[item]}@@"
            else:
                out[key] = _placeholders(item, names)
        return out
    if isinstance(value, list):
        return [_placeholders(item, names) for item in value]
    return value


# --- clones --------------------------------------------------------------------------------------


class Writer:
    """One NDJSON (or gzip) file per resource type, opened as the type first appears."""

    def __init__(self, out: Path, gzipped: bool) -> None:
        self.out = out
        self.gzipped = gzipped
        self.files: dict[str, IO[bytes]] = {}
        self.counts: dict[str, int] = {}

    def name(self, kind: str) -> str:
        return f"{kind}.000.ndjson" + (".gz" if self.gzipped else "")

    def write(self, kind: str, line: bytes) -> None:
        handle = self.files.get(kind)
        if handle is None:
            path = self.out / self.name(kind)
            handle = gzip.open(path, "wb", compresslevel=1) if self.gzipped else path.open("wb")
            self.files[kind] = handle
        handle.write(line + b"\n")
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()


def write_export(
    args: argparse.Namespace,
    synthea: list[Template],
    trd: list[Template],
    types: frozenset[str] | None,
) -> dict[str, int]:
    args.out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    chosen = set(rng.sample(range(args.patients), args.trd))
    writer = Writer(args.out, args.gzip)
    written_shared: set[bytes] = set()
    try:
        for clone in range(args.patients):
            base = synthea[rng.randrange(len(synthea))]
            shift = rng.randint(-args.shift, args.shift // 4)
            donor = trd[rng.randrange(len(trd))] if clone in chosen else None
            trd_shift = -rng.randint(0, args.trd_shift)
            write_patient(writer, args.seed, clone, base, shift, donor, trd_shift)
            for tpl in (base, donor):
                for kind, line in tpl.shared if tpl is not None else ():
                    text = substitute(line, tpl, "", None, 0)
                    if text not in written_shared:  # each practitioner etc. once
                        written_shared.add(text)
                        writer.write(kind, text)
    finally:
        writer.close()
    manifest = {
        "transactionTime": TRANSACTION_TIME,
        "request": "https://ehr.example/fhir/$export"
        + ("" if types is None else "?_type=" + ",".join(sorted(types))),
        "requiresAccessToken": False,
        "output": [
            {"type": kind, "url": writer.name(kind), "count": writer.counts[kind]}
            for kind in sorted(writer.counts)
        ],
        "error": [],
    }
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return writer.counts


def write_patient(
    writer: Writer,
    seed: int,
    clone: int,
    base: Template,
    shift: int,
    donor: Template | None,
    trd_shift: int,
) -> None:
    """One clone of ``base``; with ``donor``, the donor chart's resources join it."""
    prefix = f"s{seed}c{clone}"
    patient_id = new_id(prefix, base.slots[base.patient_slot].id)
    for index, (kind, line) in enumerate(base.own):
        text = substitute(line, base, prefix, None, shift)
        if index == 0 and donor is not None:  # the Patient: the TRD chart's age, sex, death
            text = take_demographics(text, donor.patient, trd_shift)
        writer.write(kind, text)
    if donor is None:
        return
    donor_prefix = f"{prefix}t"
    for kind, line in donor.own[1:]:
        writer.write(kind, substitute(line, donor, donor_prefix, patient_id, trd_shift))


def new_id(prefix: str, old: str) -> str:
    """A FHIR id (at most 64 characters) unique to the clone."""
    tail = old if len(old) <= 48 else hashlib.sha256(old.encode()).hexdigest()[:40]
    return f"{prefix}-{tail}"


def substitute(
    line: bytes, tpl: Template, prefix: str, patient_id: str | None, shift: int
) -> bytes:
    """The template line for one clone: ids, references and dates filled in.

    ``patient_id``: the Patient every reference to the template's own Patient is pointed at
    (a donor chart's resources join the clone's Patient). Shared resources keep their id."""
    cache: dict[bytes, bytes] = {}

    def fill(match: re.Match[bytes]) -> bytes:
        if match.group(3) is not None:
            day = match.group(3)
            found = cache.get(day)
            if found is None:
                moved = dt.date.fromisoformat(day.decode()) + dt.timedelta(days=shift)
                found = cache[day] = moved.isoformat().encode()
            return found
        slot_index = int(match.group(2))
        slot = tpl.slots[slot_index]
        if slot_index == tpl.patient_slot and patient_id is not None:
            rid = patient_id
        else:
            rid = slot.id if slot.shared else new_id(prefix, slot.id)
        return rid.encode() if match.group(1) == b"I" else f"{slot.type}/{rid}".encode()

    return _TOKEN.sub(fill, line)


def take_demographics(line: bytes, donor: dict[str, Any], shift: int) -> bytes:
    patient = orjson.loads(line)
    for key in ("birthDate", "gender", "deceasedBoolean", "deceasedDateTime"):
        patient.pop(key, None)
        if key in donor:
            value = donor[key]
            if isinstance(value, str) and _DATE.match(value):
                day = dt.date.fromisoformat(value[:10]) + dt.timedelta(days=shift)
                value = day.isoformat() + value[10:]
            patient[key] = value
    return orjson.dumps(patient)


if __name__ == "__main__":
    main()

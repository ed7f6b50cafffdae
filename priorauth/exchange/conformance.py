"""A profile conformance check over StructureDefinition snapshots (no Java validator needed).

:func:`check_resource` walks one resource against a profile's snapshot elements and reports
:class:`Problem` values (an element path and a message); :func:`check_bundle` first validates the
Bundle against base FHIR with the ``fhir.resources`` R4B models, then the bundle profile, each entry
against the profiles named in its ``meta.profile`` that are loaded, and the bundle-wide rules the
guides state in prose: unique ``fullUrl``, every reference resolves to an entry, unique sequences
in a Claim's lists.

What the snapshot walk checks, per element: cardinality (``min``/``max``) of each child present
under a present parent, ``fixed[x]`` (equality) and ``pattern[x]`` (containment) values, required
bindings to a ValueSet that is loaded (its ``expansion``, its enumerated ``compose`` concepts, or
the code systems it includes whole: then the system is checked), slices whose discriminator is a
``value``/``pattern`` at ``url`` or a sub-path, or a ``type``/``profile`` of a resource (matching
members are checked against the slice's own cardinality and children), ``contentReference``
(nested Questionnaire items), and extensions whose profile is loaded. What it does not check is
listed in docs/davinci.md (FHIRPath invariants, non-required bindings, unloaded value sets,
discriminators written as FHIRPath expressions, must-support).

>>> profiles = Profiles([{"resourceType": "StructureDefinition", "url": "http://x/p",
...     "type": "Claim", "snapshot": {"element": [{"id": "Claim", "path": "Claim", "min": 0,
...     "max": "*"}, {"id": "Claim.use", "path": "Claim.use", "min": 1, "max": "1",
...     "patternCode": "preauthorization"}]}}])
>>> [str(p) for p in check_resource({"resourceType": "Claim"}, "http://x/p", profiles)]
['Claim.use: minimum 1, found 0']
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "Problem",
    "Profiles",
    "check_base",
    "check_bundle",
    "check_cds_response",
    "check_resource",
]

COVERAGE_INFORMATION = (
    "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information"
)
_INDICATORS = ("info", "warning", "critical")
_ACTIONS = ("create", "update", "delete")

_CHOICE = re.compile(r"[A-Z]")


@dataclass(frozen=True)
class Problem:
    """One conformance failure: where (a FHIRPath-like element path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class Profiles:
    """StructureDefinitions, ValueSets and CodeSystems by canonical URL."""

    def __init__(self, resources: Iterable[dict[str, Any]]) -> None:
        self._by_url: dict[str, dict[str, Any]] = {}
        for resource in resources:
            if "url" in resource:
                self._by_url[resource["url"]] = resource
        self._elements: dict[str, dict[str, dict[str, Any]]] = {}

    @classmethod
    def from_dir(cls, folder: Path | str) -> Profiles:
        """Every ``*.json`` conformance resource in ``folder``."""
        return cls(json.loads(p.read_text("utf-8")) for p in sorted(Path(folder).glob("*.json")))

    def get(self, url: str) -> dict[str, Any] | None:
        """The resource with canonical ``url`` (a ``|version`` suffix is ignored)."""
        return self._by_url.get(url.split("|", 1)[0])

    def elements(self, url: str) -> dict[str, dict[str, Any]]:
        """A profile's snapshot elements by element id."""
        key = url.split("|", 1)[0]
        if key not in self._elements:
            sd = self.get(key)
            if sd is None or sd.get("resourceType") != "StructureDefinition":
                raise KeyError(f"profile not loaded: {url}")
            self._elements[key] = {e["id"]: e for e in sd["snapshot"]["element"]}
        return self._elements[key]

    def allowed(self, valueset: str) -> tuple[set[tuple[str, str]], set[str]] | None:
        """(system, code) pairs and whole systems a ValueSet allows; None when not loaded."""
        vs = self.get(valueset)
        if vs is None:
            return None
        codes = {
            (c.get("system", ""), c["code"]) for c in vs.get("expansion", {}).get("contains", [])
        }
        systems: set[str] = set()
        for include in vs.get("compose", {}).get("include", []):
            system = include.get("system", "")
            if "concept" in include:
                codes |= {(system, c["code"]) for c in include["concept"]}
            elif system and "filter" not in include and "valueSet" not in include:
                systems.add(system)
        return codes, systems


def check_resource(resource: dict[str, Any], profile: str, profiles: Profiles) -> list[Problem]:
    """Problems of ``resource`` against ``profile`` (a loaded StructureDefinition URL)."""
    sd = profiles.get(profile)
    if sd is None:
        raise KeyError(f"profile not loaded: {profile}")
    root = sd["type"]
    if sd.get("kind") != "complex-type" and root != "Extension":
        if resource.get("resourceType") != root:
            return [
                Problem(root, f"resourceType must be {root}, found {resource.get('resourceType')}")
            ]
    walk = _Walk(profiles, profile, resource)
    return [*walk.invariants(resource, root, root), *walk.node(resource, root, root)]


class _Walk:
    def __init__(self, profiles: Profiles, profile: str, root: dict[str, Any]) -> None:
        self.profiles = profiles
        self.root = root
        self.elements = profiles.elements(profile)
        self.children: dict[str, list[str]] = {}
        for eid in self.elements:
            parent, _, last = eid.rpartition(".")
            if parent and ":" not in last:
                self.children.setdefault(parent, []).append(eid)

    def node(self, value: dict[str, Any], eid: str, path: str) -> Iterator[Problem]:
        ref = self.elements.get(eid, {}).get("contentReference")
        if ref:
            eid = ref.lstrip("#").split("#")[-1]
        for child in self.children.get(eid, []):
            yield from self._child(value, child, path)

    def _child(self, value: dict[str, Any], cid: str, path: str) -> Iterator[Problem]:
        element = self.elements[cid]
        name = cid.rsplit(".", 1)[1]
        found = _values(value, name)
        where = f"{path}.{name}"
        yield from _cardinality(element, len(found), where)
        for i, item in enumerate(found):
            yield from self._value(item, cid, f"{where}[{i}]" if len(found) > 1 else where)
        for sid in self._slices(cid):
            verdicts = [self._matches(v, cid, sid) for v in found]
            if any(v is None for v in verdicts):
                continue  # an unsupported discriminator: the slice is not checked
            matched = [(i, v) for i, v in enumerate(found) if verdicts[i]]
            label = f"{where}:{sid.rsplit(':', 1)[1]}"
            yield from _cardinality(self.elements[sid], len(matched), label)
            for i, item in matched:
                yield from self._value(item, sid, f"{where}[{i}]")

    def _value(self, item: Any, eid: str, where: str) -> Iterator[Problem]:
        ref = self.elements[eid].get("contentReference")
        eid = ref.split("#")[-1] if ref else eid  # nested items take the referenced rules
        element = self.elements[eid]
        for key, expected in element.items():
            if key.startswith("fixed") and item != expected:
                yield Problem(where, f"must be {json.dumps(expected)}, found {json.dumps(item)}")
            if key.startswith("pattern") and not _contains(item, expected):
                yield Problem(where, f"must match pattern {json.dumps(expected)}")
        yield from self.invariants(item, eid, where)
        binding = element.get("binding", {})
        if binding.get("strength") == "required" and binding.get("valueSet"):
            yield from self._binding(item, binding["valueSet"], where)
        if isinstance(item, dict):
            yield from self.node(item, eid, where)
            for typ in element.get("type", []):
                for prof in typ.get("profile", []):
                    if typ.get("code") == "Extension" and self.profiles.get(prof) is not None:
                        sub = _Walk(self.profiles, prof, self.root)
                        yield from sub.invariants(item, "Extension", where)
                        yield from sub.node(item, "Extension", where)

    def invariants(self, item: Any, eid: str, where: str) -> Iterator[Problem]:
        """The element's error-severity FHIRPath constraints that evaluate to false."""
        for constraint in self.elements.get(eid, {}).get("constraint", []):
            if constraint.get("severity") != "error":
                continue
            if _holds(constraint["expression"], item, self.root) is False:
                text = constraint.get("human", constraint["expression"])
                yield Problem(where, f"invariant {constraint['key']} failed: {text}")

    def _binding(self, item: Any, valueset: str, where: str) -> Iterator[Problem]:
        allowed = self.profiles.allowed(valueset)
        codings = _codings(item)
        if allowed is None or not codings:
            return
        codes, systems = allowed
        if not any(
            (s, c) in codes or s in systems or (not s and c in {x for _, x in codes})
            for s, c in codings
        ):
            shown = ", ".join(f"{s}|{c}" if s else c for s, c in codings)
            yield Problem(where, f"{shown} is not in required value set {valueset.split('|')[0]}")

    def _slices(self, cid: str) -> list[str]:
        return [
            eid
            for eid in self.elements
            if eid.startswith(f"{cid}:") and "." not in eid[len(cid) + 1 :]
        ]

    def _matches(self, item: Any, cid: str, sid: str) -> bool | None:
        """Whether ``item`` belongs to slice ``sid``; None when the discriminator is unsupported."""
        slicing = self.elements[cid].get("slicing", {})
        results = [self._discriminator(item, sid, d) for d in slicing.get("discriminator", [])]
        if not results or any(r is None for r in results):
            return None
        return all(results)

    def _discriminator(self, item: Any, sid: str, disc: dict[str, str]) -> bool | None:
        kind, sub = disc.get("type"), disc.get("path", "")
        if not isinstance(item, dict):
            return None
        if kind in ("type", "profile") and sub == "resource":
            types = self.elements.get(f"{sid}.resource", {}).get("type", [])
            wanted = {self._type_of(p) for t in types for p in t.get("profile", [])} - {None}
            return item.get("resource", {}).get("resourceType") in wanted if wanted else None
        if kind not in ("value", "pattern") or "(" in sub:
            return None
        if sub == "url":
            element = self.elements.get(f"{sid}.url", {})
            profile = next(
                (p for t in self.elements[sid].get("type", []) for p in t.get("profile", [])), None
            )
            url = element.get("fixedUri") or (profile or "").split("|")[0]
            return item.get("url") == url if url else None
        element = self.elements.get(sid if sub == "$this" else f"{sid}.{sub}", {})
        expected = next((v for k, v in element.items() if k.startswith(("fixed", "pattern"))), None)
        if expected is None:
            return None
        found = item if sub == "$this" else _values(item, sub)
        return any(_contains(v, expected) for v in (found if isinstance(found, list) else [found]))

    def _type_of(self, profile: str) -> str | None:
        sd = self.profiles.get(profile)
        if sd is not None:
            return str(sd["type"])
        base = "http://hl7.org/fhir/StructureDefinition/"
        return profile[len(base) :].split("|")[0] if profile.startswith(base) else None


@functools.cache
def _compiled(expression: str) -> Any:
    """The compiled FHIRPath expression, or None when fhirpathpy cannot compile it."""
    import fhirpathpy  # type: ignore[import-untyped,import-not-found,unused-ignore]
    from fhirpathpy.models import models  # type: ignore[import-untyped,import-not-found,unused-ignore]

    try:
        return fhirpathpy.compile(expression, models["r4"], {"traceFn": _no_trace})
    except Exception:
        return None


def _no_trace(_label: str, _value: Any) -> None:
    """FHIRPath ``trace()`` in the guides' invariants: silent (fhirpathpy prints by default)."""


def _holds(expression: str, item: Any, root: dict[str, Any]) -> bool | None:
    """True/False when the invariant evaluates, None when fhirpathpy cannot evaluate it."""
    function = _compiled(expression)
    if function is None:
        return None
    try:
        result = function(item, {"resource": root, "rootResource": root})
    except Exception:
        return None
    return bool(result != [False])


def _values(node: dict[str, Any], name: str) -> list[Any]:
    """The values of child ``name`` (``value[x]`` matches ``valueString`` etc.) as a list."""
    if name.endswith("[x]"):
        stem = name[:-3]
        keys = [
            k for k in node if k.startswith(stem) and _CHOICE.match(k[len(stem) : len(stem) + 1])
        ]
    else:
        keys = [name] if name in node else []
    out: list[Any] = []
    for key in keys:
        value = node[key]
        out.extend(value if isinstance(value, list) else [value])
    return out


def _cardinality(element: dict[str, Any], count: int, where: str) -> Iterator[Problem]:
    low, high = element.get("min", 0), element.get("max", "*")
    if count < low:
        yield Problem(where, f"minimum {low}, found {count}")
    if high != "*" and count > int(high):
        yield Problem(where, f"maximum {high}, found {count}")


def _contains(value: Any, pattern: Any) -> bool:
    """FHIR pattern semantics: every part of ``pattern`` is present in ``value``."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(
            _contains(value.get(k), v) for k, v in pattern.items()
        )
    if isinstance(pattern, list):
        items = value if isinstance(value, list) else []
        return all(any(_contains(i, p) for i in items) for p in pattern)
    return bool(value == pattern)


def _codings(item: Any) -> list[tuple[str, str]]:
    if isinstance(item, str):
        return [("", item)]
    if not isinstance(item, dict):
        return []
    if "code" in item and isinstance(item["code"], str):
        return [(item.get("system", ""), item["code"])]
    return [(c.get("system", ""), c["code"]) for c in item.get("coding", []) if "code" in c]


def check_bundle(
    bundle: dict[str, Any], profiles: Profiles, *, profile: str | None = None
) -> list[Problem]:
    """Base R4 validation, ``profile`` (else ``meta.profile``), each entry's loaded profiles,
    unique fullUrls, resolvable references and unique Claim sequences."""
    problems = check_base(bundle)
    names = [profile] if profile else bundle.get("meta", {}).get("profile", [])
    for url in names:
        if profiles.get(url) is not None:
            problems += check_resource(bundle, url, profiles)
    entries = bundle.get("entry", [])
    for i, entry in enumerate(entries):
        resource = entry.get("resource", {})
        for url in resource.get("meta", {}).get("profile", []):
            if profiles.get(url) is not None:
                problems += _prefixed(
                    check_resource(resource, url, profiles), f"Bundle.entry[{i}].resource"
                )
    problems += _full_urls(entries) + _references(entries) + _sequences(entries)
    return problems


def _prefixed(problems: list[Problem], prefix: str) -> list[Problem]:
    return [
        Problem(prefix + p.path[p.path.find(".") :] if "." in p.path else prefix, p.message)
        for p in problems
    ]


def check_cds_response(response: dict[str, Any], profiles: Profiles) -> list[Problem]:
    """A CDS Hooks 2.0 response as CRD uses it: each card's required fields (``summary`` of at
    most 140 characters, ``indicator``, ``source.label``), absolute links; each systemAction's
    type and resource (base R4), and every ``coverage-information`` extension on it against
    the CRD profile."""
    problems: list[Problem] = []
    cards = response.get("cards")
    if not isinstance(cards, list):
        return [Problem("cards", "required, a list")]
    for i, card in enumerate(cards):
        problems += _card(card, f"cards[{i}]")
    for i, action in enumerate(response.get("systemActions", [])):
        where = f"systemActions[{i}]"
        if action.get("type") not in _ACTIONS:
            problems.append(Problem(f"{where}.type", f"must be one of {', '.join(_ACTIONS)}"))
        resource = action.get("resource")
        if not isinstance(resource, dict):
            problems.append(Problem(f"{where}.resource", "required for create and update"))
            continue
        problems += _prefixed(check_base(resource), f"{where}.resource")
        for j, ext in enumerate(resource.get("extension", [])):
            if ext.get("url") == COVERAGE_INFORMATION:
                found = check_resource(ext, COVERAGE_INFORMATION, profiles)
                problems += _prefixed(found, f"{where}.resource.extension[{j}]")
    return problems


def _card(card: dict[str, Any], where: str) -> list[Problem]:
    problems = []
    summary = card.get("summary")
    if not isinstance(summary, str) or not summary or len(summary) > 140:
        problems.append(Problem(f"{where}.summary", "required, at most 140 characters"))
    if card.get("indicator") not in _INDICATORS:
        problems.append(Problem(f"{where}.indicator", f"must be one of {', '.join(_INDICATORS)}"))
    if not (card.get("source") or {}).get("label"):
        problems.append(Problem(f"{where}.source.label", "required"))
    for k, link in enumerate(card.get("links", [])):
        if link.get("type") not in ("absolute", "smart") or not link.get("url"):
            problems.append(Problem(f"{where}.links[{k}]", "needs a url and type absolute|smart"))
    return problems


def check_base(resource: dict[str, Any]) -> list[Problem]:
    """Base FHIR validation of one resource with the ``fhir.resources`` R4B models."""
    from fhir.resources.R4B import get_fhir_model_class
    from pydantic import ValidationError

    try:
        get_fhir_model_class(str(resource.get("resourceType"))).model_validate(resource)
    except (KeyError, ValueError) as exc:
        if not isinstance(exc, ValidationError):
            return [Problem(str(resource.get("resourceType")), f"not a FHIR resource: {exc}")]
        return [
            Problem(
                ".".join([str(resource.get("resourceType")), *map(str, e["loc"])]),
                f"base R4: {e['msg']}",
            )
            for e in exc.errors()
        ]
    return []


def _full_urls(entries: list[dict[str, Any]]) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for i, entry in enumerate(entries):
        url = entry.get("fullUrl")
        if url in seen:
            problems.append(Problem(f"Bundle.entry[{i}].fullUrl", f"duplicate fullUrl {url}"))
        if url:
            seen.add(url)
    return problems


def _references(entries: list[dict[str, Any]]) -> list[Problem]:
    """Every literal reference in an entry resolves to an entry (by fullUrl or Type/id)."""
    targets: set[str] = set()
    for entry in entries:
        resource = entry.get("resource", {})
        if entry.get("fullUrl"):
            targets.add(entry["fullUrl"])
        if resource.get("id"):
            targets.add(f"{resource.get('resourceType')}/{resource['id']}")
    problems = []
    for i, entry in enumerate(entries):
        contained = {f"#{c.get('id')}" for c in entry.get("resource", {}).get("contained", [])}
        for where, ref in _literal_references(entry.get("resource", {}), "resource"):
            local = ref.split("/_history/")[0]
            tail = "/".join(local.rsplit("/", 2)[-2:])
            if ref in contained or local in targets or tail in targets:
                continue
            problems.append(
                Problem(
                    f"Bundle.entry[{i}].{where}",
                    f"reference {ref} does not resolve to an entry of the Bundle",
                )
            )
    return problems


def _literal_references(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield path, value
            elif key not in ("contained",):
                yield from _literal_references(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _literal_references(value, f"{path}[{i}]")


_SEQUENCED = ("careTeam", "supportingInfo", "diagnosis", "procedure", "insurance", "item")


def _sequences(entries: list[dict[str, Any]]) -> list[Problem]:
    problems = []
    for i, entry in enumerate(entries):
        resource = entry.get("resource", {})
        if resource.get("resourceType") != "Claim":
            continue
        for name in _SEQUENCED:
            numbers = [member.get("sequence") for member in resource.get(name, [])]
            for j, number in enumerate(numbers):
                if number in numbers[:j]:
                    problems.append(
                        Problem(
                            f"Bundle.entry[{i}].resource.{name}[{j}].sequence",
                            f"duplicate sequence {number}",
                        )
                    )
    return problems

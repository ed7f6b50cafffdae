"""Reading FHIR references: the pieces of a Reference and the lookup keys they map to.

``ResourceIndex.resolve`` tries these forms in order (first match wins):

1. ``#med1``: a resource contained in the ``context`` resource (``#`` alone: the container);
2. the ``fullUrl`` of an entry: ``urn:uuid:8adf7251-…``, ``http://x/fhir/Patient/1``;
3. a relative reference ``Patient/123`` (also ``Patient/123/_history/2``);
4. an absolute URL ending in ``Type/id``: ``http://x/fhir/Patient/1`` → ``Patient/1``;
5. a conditional reference ``Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|99``
   (``identifier`` and ``_id`` parameters; every parameter must match);
6. a logical reference: ``Reference.identifier`` (restricted to ``Reference.type`` if given).

>>> reference_parts({"reference": "Patient/1", "display": "x"})
('Patient/1', None, None)
>>> reference_parts({"identifier": {"system": "urn:sys", "value": "42"}, "type": "Patient"})
(None, ('urn:sys', '42'), 'Patient')
>>> type_and_id("Patient/123/_history/2"), type_and_id("http://x/fhir/Patient/1")
(('Patient', '123'), ('Patient', '1'))
>>> type_and_id("urn:uuid:8adf7251"), type_and_id("#med1")
(None, None)
>>> conditional("Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|99")
('Practitioner', [('identifier', 'http://hl7.org/fhir/sid/us-npi|99')])
>>> describe("Patient?identifier=urn:oid:2.16.840.1.113883.4.1|123-45-6789")
'Patient?identifier=urn:oid:2.16.840.1.113883.4.1|…'
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from priorauth.fhir.datatypes import field

Identifier = tuple[str | None, str]

_RELATIVE = re.compile(r"([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]+)(?:/_history/[A-Za-z0-9\-.]+)?")
_ABSOLUTE_TAIL = re.compile(r"/([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]+)(?:/_history/[A-Za-z0-9\-.]+)?$")
_CONDITIONAL = re.compile(r"([A-Z][A-Za-z]+)\?(.+)")
_HISTORY = re.compile(r"/_history/[^/]+$")
_SHOWABLE = re.compile(r"[!-~]{1,512}")  # printable ASCII, no spaces


def reference_parts(reference: Any) -> tuple[str | None, Identifier | None, str | None]:
    """``(reference string, (identifier system, value), type)`` of a Reference, dict or string."""
    if reference is None:
        return None, None, None
    if isinstance(reference, str):
        return (reference.strip() or None), None, None
    text = field(reference, "reference")
    identifier = field(reference, "identifier")
    value = field(identifier, "value")
    system = field(identifier, "system")
    ref_type = field(reference, "type")
    return (
        text.strip() or None if isinstance(text, str) else None,
        (system if isinstance(system, str) else None, value) if isinstance(value, str) else None,
        ref_type if isinstance(ref_type, str) else None,
    )


def without_history(reference: str) -> str:
    """Drop a trailing ``/_history/<version>``."""
    return _HISTORY.sub("", reference)


def type_and_id(reference: str) -> tuple[str, str] | None:
    """``(type, id)`` of a relative ``Type/id`` or of an absolute URL ending in ``Type/id``."""
    if "?" in reference:
        return None
    match = _RELATIVE.fullmatch(reference) or _ABSOLUTE_TAIL.search(reference)
    if match is None:
        return None
    return match.group(1), match.group(2)


def conditional(reference: str) -> tuple[str, list[tuple[str, str]]] | None:
    """``(type, [(parameter, value)])`` of a conditional reference ``Type?param=value&…``."""
    match = _CONDITIONAL.fullmatch(reference)
    if match is None:
        return None
    return match.group(1), parse_qsl(match.group(2), keep_blank_values=True)


def token(value: str) -> Identifier | tuple[None, str]:
    """A search token ``system|value``, ``|value`` or ``value`` as ``(system, value)``.

    ``system`` is ``""`` for ``|value`` (no system) and ``None`` for ``value`` (any system).

    >>> token("urn:sys|42"), token("|42"), token("42")
    (('urn:sys', '42'), ('', '42'), (None, '42'))
    """
    if "|" not in value:
        return None, value
    system, _, code = value.partition("|")
    return system, code


def describe(reference: str | None, identifier: Identifier | None = None) -> str:
    """A reference as notes may show it: ids and URLs kept, identifier *values* hidden.

    Identifier values (MRNs, SSNs, member ids) are patient data; systems are not. A reference
    with spaces or control characters is free text, not a reference, and is not shown.

    >>> describe("Patient/Jane Doe"), describe(None, ("urn:mrn", "123"))
    ('(a malformed reference)', 'identifier urn:mrn|…')
    """
    if reference is not None and not _SHOWABLE.fullmatch(reference):
        return "(a malformed reference)"
    if reference is not None:
        parsed = conditional(reference)
        if parsed is None:
            return reference
        kind, params = parsed
        shown = [f"{name}={_hide_value(value)}" for name, value in params]
        return f"{kind}?{'&'.join(shown)}"
    if identifier is not None:
        return f"identifier {identifier[0] or ''}|…"
    return "(empty reference)"


def _hide_value(value: str) -> str:
    system, _, _ = value.rpartition("|")
    return f"{system}|…" if system else "…"

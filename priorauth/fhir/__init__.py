"""Stage 1 of the pipeline: a FHIR R4 chart → :class:`ResourceIndex`.

Knows FHIR, knows nothing of payers. ``load_chart`` reads a Bundle (any type), a single
resource, NDJSON or a bulk-export folder; only the resource types priorauth uses
(:data:`VALIDATED_TYPES`) are validated, lazily, with the ``fhir.resources.R4B`` models.

>>> from priorauth.fhir import load_chart
>>> index = load_chart(b'{"resourceType": "Patient", "id": "p1"}')
>>> [index.ref_of(p) for p in index.resources("Patient")]
['Patient/p1']

Modules: ``reader`` (bytes/files → JSON) → ``entries`` (flatten Bundles) → ``store`` +
``validation`` (lazy R4B models) → ``index`` (ResourceIndex, ``references`` resolution);
``datatypes`` and ``codes`` are helpers for the stages after this one.
"""

from priorauth.fhir.index import ResourceIndex
from priorauth.fhir.loader import load_chart
from priorauth.fhir.notes import DataQualityNote
from priorauth.fhir.resource_types import VALIDATED_TYPES

__all__ = ["VALIDATED_TYPES", "DataQualityNote", "ResourceIndex", "load_chart"]

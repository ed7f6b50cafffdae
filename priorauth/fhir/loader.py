"""``load_chart``: stage 1 of the pipeline, chart → :class:`ResourceIndex`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from priorauth.errors import ChartError
from priorauth.fhir.entries import collect
from priorauth.fhir.index import ResourceIndex, build_index
from priorauth.fhir.reader import read_source
from priorauth.fhir.store import Store
from priorauth.gcpause import gc_paused

DEFAULT_MAX_BYTES = 200_000_000

ChartSource = Path | str | bytes | dict[str, Any] | list[Any]


def load_chart(
    source: ChartSource,
    *,
    strict: bool = False,
    refuse_absurd: bool = False,
    source_name: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ResourceIndex:
    """Load a FHIR R4 chart into a :class:`ResourceIndex`.

    ``source`` is one of:

    * a path (``Path`` or ``str``) to a ``.json`` file: a Bundle of any type (collection,
      transaction, batch, searchset, document, ``$everything`` output), a single resource, a
      JSON list of them, or a CDS Hooks request/response;
    * a path to an ``.ndjson`` / ``.jsonl`` file, or to a folder of them (a bulk export; ``.json``
      files in the folder are read too, a bulk manifest is ignored);
    * ``bytes`` holding JSON or NDJSON; a ``str`` starting with ``{`` or ``[`` is JSON text;
    * an already-parsed ``dict`` or ``list``.

    Nested Bundles are flattened. Resources are validated lazily with the ``fhir.resources.R4B``
    models on first access; an invalid one becomes a ``DataQualityNote`` and is left out. With
    ``strict=True`` every resource is validated now and the first invalid one raises.

    Values out of bounds (``priorauth.fhir.ranges``: a date outside 1000..8999, a supply over
    ten years, a text over 10,000 characters) become notes as their resource is read. An
    *absurd* value (a code over 256 characters, a run of more than 15 digits in a dosage text)
    is a note too, unless ``refuse_absurd`` (the HTTP service) or ``strict`` is set: then the
    chart is refused with a ChartError naming its JSON path.

    ``ResourceIndex.source`` (used in every error and note) is the file or folder name, except
    that a Synthea-style ``Given_Family_<uuid>.json`` keeps only ``<uuid>.json``, so the
    patient's name never appears; ``source_name`` replaces it altogether.

    Raises ``ChartError`` (one line, naming the file and location, never patient data) when the
    input is not JSON, not FHIR, has a wrong top-level ``resourceType``, nests too deeply,
    exceeds ``max_bytes``, or holds no resources.
    """
    with gc_paused():  # parsed JSON holds no cycles: see priorauth.gcpause
        chart = read_source(source, source_name=source_name, max_bytes=max_bytes)
        collected = collect(chart, strict=strict)
        if not collected.entries:
            count = len(collected.notes)
            left_out = (
                f" ({count} {'entry' if count == 1 else 'entries'} left out)" if count else ""
            )
            message = f"no FHIR resources: empty chart or empty Bundle{left_out}"
            raise ChartError(message, source=chart.name)
        store = Store(
            collected.entries, source=chart.name, strict=strict, refuse_absurd=refuse_absurd
        )
        index = build_index(store, collected.notes)
        if strict:
            store.validate_all()
        elif refuse_absurd:
            store.refuse_absurd_values()
    return index

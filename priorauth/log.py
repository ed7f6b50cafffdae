"""priorauth's logger and its written logging policy.

Policy (every module follows it):

* **Raise** (a ``PriorAuthError`` subclass) when the input as a whole is unusable: a chart that is
  not JSON or not FHIR, a rule file that does not validate, an unknown payer, a render failure.
* **Record a data-quality note** (``priorauth.fhir.notes.DataQualityNote``) when one part of a
  chart is unusable and the rest is fine: an invalid resource, a dangling reference, a medication
  order with no date, an unparseable dose. Notes travel inside the PatientRecord to the output.
* **Log** only operational events (timings, counts, request ids, API key ids, policy ids) at
  ``INFO``/``DEBUG``. Logs are not a place for clinical content: never a patient name, birth date,
  identifier, free text from the chart, or a value from a resource — resource ids
  (``MedicationRequest/abc``) at most.

Libraries log to ``logging.getLogger("priorauth")`` and never configure handlers; the CLI and the
HTTP service configure logging at their edges.
"""

from __future__ import annotations

import logging

LOGGER = logging.getLogger("priorauth")
"""The one logger priorauth writes to (children: ``priorauth.service``, ``priorauth.batch``)."""

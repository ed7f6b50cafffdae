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


def escape_controls(text: str) -> str:
    r"""``text`` with every control character (C0, DEL, C1, and the Unicode line and paragraph
    separators) written as a visible escape, so input echoed into a log line or a terminal can
    neither start a forged line nor send a terminal escape sequence.

    >>> escape_controls("/x\nINFO forged\x1b[2J")
    '/x\\nINFO forged\\x1b[2J'
    """
    if text.isprintable():
        return text
    return "".join(_escape(ch) for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    if ch.isprintable() or ch == " ":
        return ch
    if ch in "\n\r\t":
        return repr(ch)[1:-1]
    return (
        f"\\x{code:02x}"
        if code <= 0xFF
        else f"\\u{code:04x}"
        if code <= 0xFFFF
        else ascii(ch)[1:-1]
    )


class EscapeControls(logging.Filter):
    """A handler filter that escapes control characters in every message and its arguments
    (``escape_controls``); tracebacks, written by the handler's formatter, are left as they are."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if not message.isprintable():
            record.msg, record.args = escape_controls(message), None
        return True

"""Web pages for billing staff and the signing clinician, inside the HTTP service (``/web``).

Server-rendered HTML forms (Jinja2 ``templates/web/``, autoescaped, no script), behind a login:

* ``store`` — users, sessions, practice settings and the work queue, in the audit database;
* ``users`` — Argon2id password hashes (``priorauth users add``); ``security`` — session cookies
  and CSRF tokens; ``pages`` — the template environment and security headers;
* ``work`` — the library calls (split an upload into patients, review a request, the packet);
  ``actions`` — what each action does to the store and the audit log; ``views`` — formatting;
  ``routes`` — the pages themselves (``add_web``): parse the form, call an action, answer.

Loaded only by ``create_app``: ``priorauth serve --help`` and the batch runner never import it.
"""

from __future__ import annotations

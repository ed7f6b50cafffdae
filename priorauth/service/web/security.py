"""Sessions and CSRF for the staff pages.

* The session cookie holds a random token (its SHA-256 is what the database keeps), and is
  ``HttpOnly``, ``Secure``, ``SameSite=Strict``, path ``/``, for 8 hours at most.
* Every form carries the session's CSRF token in a hidden ``csrf_token`` field, compared in
  constant time; the login form, before any session, uses a double-submit cookie. A POST
  without a matching token is refused with 403 before anything else is read.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from priorauth.service.web.store import Session, WebStore

__all__ = [
    "LOGIN_COOKIE",
    "SESSION_COOKIE",
    "CsrfError",
    "LoginRequired",
    "check_csrf",
    "current_session",
    "set_cookie",
]

SESSION_COOKIE = "priorauth_session"
LOGIN_COOKIE = "priorauth_login"


class LoginRequired(Exception):
    """No live session: the browser is sent to the login page."""


class CsrfError(Exception):
    """A form without the right CSRF token (403)."""


def set_cookie(response: Response, name: str, value: str, *, max_age: int) -> None:
    """A cookie scripts cannot read, sent only over HTTPS (or to localhost) and same-site."""
    response.set_cookie(
        name, value, max_age=max_age, path="/", secure=True, httponly=True, samesite="strict"
    )


def current_session(request: Request, store: WebStore) -> Session:
    """The request's session; :class:`LoginRequired` when there is none."""
    token = request.cookies.get(SESSION_COOKIE)
    found = store.session(token) if token else None
    if found is None:
        raise LoginRequired
    return found


def check_csrf(expected: str, given: object) -> None:
    """:class:`CsrfError` unless ``given`` is the expected token."""
    if not isinstance(given, str) or not given or not hmac.compare_digest(expected, given):
        raise CsrfError


def new_login_token() -> str:
    """The double-submit token of the login form."""
    return secrets.token_urlsafe(24)

"""The staff pages' routes under ``/web``: thin over ``work`` (the library) and ``store``.

Every page is a plain HTML form flow (no script); every POST checks the CSRF token first, and
every action writes an audit row naming the user (``key_id`` = ``user:NAME``). Nothing here
logs patient data: the access log shows the path (request and resource ids) only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from priorauth.errors import PriorAuthError
from priorauth.fhir import load_chart
from priorauth.service.handling import Handler
from priorauth.service.web import actions, views, work
from priorauth.service.web.actions import Web
from priorauth.service.web.pages import SECURITY_HEADERS, page, static_dir
from priorauth.service.web.security import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    CsrfError,
    LoginRequired,
    check_csrf,
    current_session,
    new_login_token,
    set_cookie,
)
from priorauth.service.web.store import PracticeSettings, QueueRow, Session, WebStore
from priorauth.service.web.users import check_login

__all__ = ["add_web"]


def add_web(app: FastAPI, handler: Handler) -> None:
    """Mount the staff pages and their stylesheet on ``app``."""
    web = Web(handler, WebStore(handler.audit.engine))
    app.state.web = web
    app.mount("/web/static", StaticFiles(directory=static_dir() / "static"), name="web-static")
    app.include_router(_router(web))

    @app.exception_handler(LoginRequired)
    async def login_required(_request: Request, _exc: Exception) -> Response:
        return RedirectResponse("/web/login", status_code=303)

    @app.exception_handler(_NotFound)
    async def not_found(_request: Request, exc: Exception) -> Response:
        session = exc.session if isinstance(exc, _NotFound) else None
        return _error(session, 404, "No such request", "It is not in the work queue.")

    @app.exception_handler(CsrfError)
    async def csrf_refused(_request: Request, _exc: Exception) -> Response:
        return page(
            "error.html",
            403,
            title="Form expired",
            message="The form was missing its security token. Reload the page and try again.",
            session=None,
        )


async def _form(request: Request, session: Session, *, files: int = 0) -> FormData:
    """The posted form, once its CSRF token is checked (403 otherwise). An uploaded file is
    closed by the caller (``form.close()``)."""
    request.state.started = time.perf_counter()
    form = await request.form(max_files=files, max_fields=200)
    try:
        check_csrf(session.csrf, form.get("csrf_token"))
    except CsrfError:
        await form.close()
        raise
    return form


def _router(web: Web) -> APIRouter:
    router = APIRouter(prefix="/web", include_in_schema=False)
    _auth_routes(router, web)
    _queue_routes(router, web)
    _request_routes(router, web)
    _settings_routes(router, web)
    return router


def _session(web: Web) -> Callable[[Request], Awaitable[Session]]:
    async def dependency(request: Request) -> Session:
        found: Session = await web.run(current_session, request, web.store)
        return found

    return dependency


# --- login ------------------------------------------------------------------------------------


def _auth_routes(router: APIRouter, web: Web) -> None:
    @router.get("/login")
    async def login_form(error: str = "") -> Response:
        token = new_login_token()
        response = page("login.html", 200, csrf=token, error=error, session=None)
        set_cookie(response, LOGIN_COOKIE, token, max_age=3600)
        return response

    @router.post("/login")
    async def login(request: Request) -> Response:
        request.state.started = time.perf_counter()
        form = await request.form(max_files=0, max_fields=10)
        check_csrf(request.cookies.get(LOGIN_COOKIE, ""), form.get("csrf_token"))
        username = str(form.get("username", "")).strip().lower()
        user = await web.run(check_login, web.store, username, str(form.get("password", "")))
        if user is None:
            await web.run(lambda: web.audit(request, None, "web-login-fail", status=401))
            token = new_login_token()
            refused = page(
                "login.html", 401, csrf=token, error="Wrong user name or password.", session=None
            )
            set_cookie(refused, LOGIN_COOKIE, token, max_age=3600)
            return refused
        token = await web.run(web.store.new_session, user.username)
        await web.run(lambda: web.audit(request, user.username, "web-login", status=303))
        response = RedirectResponse("/web/", status_code=303)
        set_cookie(response, SESSION_COOKIE, token, max_age=8 * 3600)
        response.delete_cookie(LOGIN_COOKIE, path="/")
        return response

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        session = await _session(web)(request)
        await _form(request, session)
        await web.run(web.store.end_session, request.cookies.get(SESSION_COOKIE, ""))
        await web.run(lambda: web.audit(request, session.user.username, "web-logout"))
        response = RedirectResponse("/web/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response


# --- the work queue ---------------------------------------------------------------------------


def _queue_routes(router: APIRouter, web: Web) -> None:
    @router.get("/")
    async def queue(
        request: Request,
        q: str = "",
        status: str = "",
        sort: str = "updated",
        order: str = "desc",
        notice: str = "",
    ) -> Response:
        session = await _session(web)(request)
        rows: list[QueueRow] = await web.run(web.store.rows)
        shown = views.filter_rows(
            rows, text=q, status=status, sort=sort, descending=order == "desc"
        )
        payers = await web.run(web.handler.pipeline.payer_ids)
        return page(
            "queue.html",
            session=session,
            rows=shown,
            total=len(rows),
            q=q,
            status=status,
            sort=sort,
            order=order,
            notice=notice[:200],
            statuses=views.STATUS_LABELS,
            sort_keys=views.SORT_KEYS,
            payers=payers,
            today=web.today().isoformat(),
            when=views.when,
        )

    @router.post("/requests")
    async def upload(request: Request) -> Response:
        session = await _session(web)(request)
        limit = web.handler.settings.max_body_bytes
        if int(request.headers.get("content-length") or 0) > limit + 65536:
            return _error(session, 413, "File too large", f"Upload at most {limit} bytes.")
        form = await _form(request, session, files=1)
        chart = form.get("chart")
        if not isinstance(chart, UploadFile):
            return _error(session, 400, "No file", "Choose a chart file to upload.")
        try:
            data = await chart.read(limit + 1)
        finally:
            await form.close()
        if not data or len(data) > limit:
            return _error(session, 400, "Unusable file", f"Upload 1 to {limit} bytes.")
        try:
            as_of = dt.date.fromisoformat(str(form.get("as_of") or web.today().isoformat()))
        except ValueError:
            return _error(session, 400, "Bad date", "The request date must be YYYY-MM-DD.")
        payer = str(form.get("payer") or "auto")
        if not web.handler.pipeline.known(payer) or payer == "all":
            return _error(session, 400, "Unknown payer", "Choose a payer from the list.")
        try:
            ids = await web.run(actions.queue_upload, web, request, session, data, as_of, payer)
        except PriorAuthError as exc:
            await web.run(
                lambda: web.audit(
                    request,
                    session.user.username,
                    "web-upload",
                    input_sha256=hashlib.sha256(data).hexdigest(),
                    outcome="error",
                    status=422,
                )
            )
            return _error(session, 422, "The chart could not be read", str(exc))
        if len(ids) == 1:
            return RedirectResponse(f"/web/requests/{ids[0]}", status_code=303)
        return RedirectResponse(f"/web/?notice={len(ids)}+requests+queued", status_code=303)


def _error(session: Session | None, status: int, title: str, message: str) -> Response:
    return page("error.html", status, title=title, message=message, session=session)


# --- one request ------------------------------------------------------------------------------


def _request_routes(router: APIRouter, web: Web) -> None:
    async def loaded(request: Request, request_id: str) -> tuple[Session, actions.Loaded]:
        session = await _session(web)(request)
        found = await web.run(actions.load, web, request_id)
        if found is None:
            raise _NotFound(session)
        return session, found

    @router.get("/requests/{request_id}")
    async def request_page(request: Request, request_id: str) -> Response:
        session, found = await loaded(request, request_id)
        settings = await web.run(web.store.settings)
        signer = ", ".join(x for x in (settings.signer_name, settings.signer_credentials) if x)
        return _request_page(session, found, reviewer=signer)

    @router.get("/requests/{request_id}/letter.html")
    async def letter_preview(request: Request, request_id: str) -> Response:
        _session_, found = await loaded(request, request_id)
        d = found.review.determination
        if d is None:
            return _error(_session_, 404, "No letter", "Select a policy first.")
        settings = await web.run(web.store.settings)
        body = await web.run(work.preview_html, d, settings)
        headers = {**SECURITY_HEADERS, "Content-Security-Policy": _PREVIEW_CSP}
        return Response(body, media_type="text/html; charset=utf-8", headers=headers)

    @router.get("/requests/{request_id}/resources/{resource_type}/{resource_id}")
    async def resource(
        request: Request, request_id: str, resource_type: str, resource_id: str
    ) -> Response:
        session, found = await loaded(request, request_id)
        ref = f"{resource_type}/{resource_id}"
        raw = await web.run(_find_resource, found.chart, ref)
        if raw is None:
            return _error(session, 404, "Not in this chart", f"{ref} is not in the chart.")
        fields = list(views.resource_fields(raw))
        return page("resource.html", session=session, row=found.row, ref=ref, fields=fields)

    @router.post("/requests/{request_id}/policy")
    async def choose_policy(request: Request, request_id: str) -> Response:
        session, found = await loaded(request, request_id)
        form = await _form(request, session)
        policy_id = str(form.get("policy_id", ""))
        if policy_id not in web.handler.pipeline.ruleset.ids():
            return _error(session, 400, "Unknown policy", "Choose a policy from the matrix.")
        await web.run(actions.choose, web, request, session, found, policy_id)
        return RedirectResponse(f"/web/requests/{request_id}", status_code=303)

    @router.post("/requests/{request_id}/attestations")
    async def attest(request: Request, request_id: str) -> Response:
        session, found = await loaded(request, request_id)
        form = await _form(request, session)
        if not session.user.clinician:
            return await _clinicians_only(web, request, session, "web-attest")
        ticked = [str(v) for v in form.getlist("attest")]
        known = {i for i, _ in found.review.confirmable}
        if found.review.determination is None or not set(ticked) <= known:
            return _error(session, 400, "Unknown attestation", "Tick only the listed items.")
        await web.run(actions.attest, web, request, session, found, ticked)
        return RedirectResponse(f"/web/requests/{request_id}#packet", status_code=303)

    @router.post("/requests/{request_id}/reviews")
    async def review_alerts(request: Request, request_id: str) -> Response:
        session, found = await loaded(request, request_id)
        form = await _form(request, session)
        if not session.user.clinician:
            return await _clinicians_only(web, request, session, "web-review")
        reviewer = str(form.get("reviewer", "")).strip()[:200]
        ids = [str(v) for v in form.getlist("reviewed")]
        reviewable = {a.id for a in found.review.alerts if a.level == "relative"}
        if not reviewer or not ids or not set(ids) <= reviewable:
            return _error(
                session, 400, "Review not recorded", "Tick a listed alert and name the reviewer."
            )
        await web.run(
            actions.review_alerts, web, request, session, found, dict.fromkeys(ids, reviewer)
        )
        return RedirectResponse(f"/web/requests/{request_id}#packet", status_code=303)

    @router.post("/requests/{request_id}/packet")
    async def packet(request: Request, request_id: str) -> Response:
        session, found = await loaded(request, request_id)
        form = await _form(request, session)
        d, policy = found.review.determination, found.review.policy
        if d is None or policy is None or found.review.blockers:
            return _request_page(session, found, status=409, refused=True)
        settings = await web.run(web.store.settings)
        pdf = await web.run(work.packet_pdf, d, settings)
        if form.get("format") == "pas":
            body = await web.run(work.pas_bundle_json, policy, d, found.chart, pdf)
            await web.run(actions.record_packet, web, request, session, found, body, "web-pas")
            return _download(body, f"priorauth-pas-{request_id[:8]}.json", "application/fhir+json")
        await web.run(actions.record_packet, web, request, session, found, pdf, "web-packet")
        return _download(pdf, f"priorauth-packet-{request_id[:8]}.pdf", "application/pdf")


async def _clinicians_only(web: Web, request: Request, session: Session, action: str) -> Response:
    """403 (audited) for a billing user's attestation or review."""
    await web.run(lambda: web.audit(request, session.user.username, action, status=403))
    what = "confirm attestations" if action == "web-attest" else "review safety alerts"
    return _error(session, 403, "Clinicians only", f"Only a clinician can {what}.")


def _download(body: bytes, name: str, media_type: str) -> Response:
    headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=media_type, headers=headers)


_PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"


class _NotFound(Exception):
    def __init__(self, session: Session) -> None:
        self.session = session


def _find_resource(chart: bytes, ref: str) -> dict[str, Any] | None:
    return load_chart(chart, source_name=work.SOURCE).find_raw(ref)


def _request_page(
    session: Session,
    found: actions.Loaded,
    *,
    status: int = 200,
    refused: bool = False,
    reviewer: str = "",
) -> Response:
    r = found.review
    return page(
        "request.html",
        status,
        session=session,
        row=found.row,
        review=r,
        refused=refused,
        reviewer=reviewer,
        matched={m.policy.id: m.how for m in r.matches},
        criteria=list(views.criterion_rows(r.determination.criteria)) if r.determination else [],
        statuses=views.STATUS_LABELS,
        link=lambda ref: views.resource_link(found.row.id, ref),
        when=views.when,
    )


# --- settings ---------------------------------------------------------------------------------


def _settings_routes(router: APIRouter, web: Web) -> None:
    @router.get("/settings")
    async def settings_page(request: Request, saved: int = 0) -> Response:
        session = await _session(web)(request)
        current = await web.run(web.store.settings)
        return page("settings.html", session=session, s=current, errors={}, saved=bool(saved))

    @router.post("/settings")
    async def save_settings(request: Request) -> Response:
        session = await _session(web)(request)
        form = await _form(request, session)
        values = {name: str(form.get(name, "")).strip() for name in PracticeSettings.model_fields}
        try:
            new = PracticeSettings(**values)
        except ValidationError as exc:
            errors = {str(e["loc"][0]): _field_error(str(e["loc"][0])) for e in exc.errors()}
            shown = PracticeSettings.model_construct(None, **values)
            return page("settings.html", 400, session=session, s=shown, errors=errors, saved=False)
        await web.run(web.store.save_settings, new, session.user.username)
        await web.run(lambda: web.audit(request, session.user.username, "web-settings", status=303))
        return RedirectResponse("/web/settings?saved=1", status_code=303)


def _field_error(name: str) -> str:
    if name.endswith("npi"):
        return "An NPI is 10 digits."
    if name == "tin":
        return "A TIN is 9 digits (12-3456789)."
    return "Too long."

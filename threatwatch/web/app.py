"""The ASGI application: JSON API, pages and bundled static files, behind the security guard.

    from threatwatch.web import create_app
    app = create_app("threatwatch.db")            # any ASGI server; `threatwatch serve` uses uvicorn
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from threatwatch import __version__
from threatwatch.web import api, pages
from threatwatch.web.readonly import StorePool
from threatwatch.web.security import LOOPBACK_NAMES, ASGIApp, Guard, Limits, Message, Receive, Scope, Send

STATIC = Path(__file__).parent / "static"


def create_app(
    db: str | Path, token: str | None = None, allowed_hosts: frozenset[str] | None = LOOPBACK_NAMES,
    limits: Limits | None = None,
) -> Guard:
    """The server for the store at `db`, opened read-only (a StoreError if it cannot be).

    `token`: required on every request when set. `allowed_hosts`: Host header names accepted
    (None accepts any; keep the loopback names when serving on localhost without a token, so a
    web page elsewhere cannot reach the server by DNS rebinding).
    """
    app = FastAPI(
        title="threatwatch", version=__version__, docs_url=None, redoc_url=None, openapi_url="/openapi.json",
        description="Read-only API over a threatwatch store: documents, entities, events, numeric claims, "
                    "stories. Records as in SPEC.md.",
    )
    app.state.pool = StorePool(db)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_middleware(HeadAsGet)
    return Guard(app, token=token, allowed_hosts=allowed_hosts, limits=limits or Limits())


class HeadAsGet:
    """HEAD answered as GET without the body (same status and headers, Content-Length included):
    the routes are declared for GET only, which would answer HEAD with 405."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


async def _http_error(request: Request, exc: HTTPException) -> Response:
    """JSON under /api/ and for other errors; a page for a page that does not exist."""
    if exc.status_code == 404 and not request.url.path.startswith(("/api/", "/static/", "/openapi")):
        return pages.not_found(f"No page at {request.url.path}.")
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

"""Who is writing: the bearer token of a write request, checked against the configured tokens (jiukg.auth).

Every write route (POST /data, /update, the Graph Store's PUT/POST/DELETE) calls `writer`; what the token
may write is checked where the write happens, in the pipeline's commit, so no route can forget it."""

from __future__ import annotations

from fastapi import Request

from jiukg.auth import Token, Tokens, bearer
from service.querying import ServiceError


def tokens(request: Request) -> Tokens:
    """The app's tokens, read from the settings once (create_app reads them, so a bad file stops the start)."""
    app = request.app
    if getattr(app.state, "tokens", None) is None:
        app.state.tokens = Tokens.from_settings(app.state.settings)
    return app.state.tokens


def writer(request: Request) -> Token:
    """The token presented, or the answer: 403 when writes are off, 401 without a valid token."""
    configured = tokens(request)
    if not configured:
        raise ServiceError(403, "Writes are disabled on this service (configure tokens with JIUKG_WRITE_TOKENS_FILE, "
                                "or set JIUKG_WRITE_TOKEN, to enable them).")
    token = configured.find(bearer(request.headers.get("authorization")))
    if token is None:
        raise ServiceError(401, "Send Authorization: Bearer <a write token>.", {"WWW-Authenticate": "Bearer"})
    # a status template sent with an organisation's token is that organisation's submission
    request.state.token_org = None if token.admin else token.organisation
    return token

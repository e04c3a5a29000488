"""Request-body size limit for every route (413), enforced before a route reads anything.

Why a middleware: a route that calls `await request.body()` has already held the whole
body in memory by the time it can compare its length. Here a declared Content-Length
over the limit is answered 413 without reading a byte, and a body without one (chunked)
is counted as it arrives and cut off at the limit.
"""

from __future__ import annotations

from starlette.responses import PlainTextResponse


class _TooLarge(Exception):
    pass


def _too_large(limit: int) -> PlainTextResponse:
    mb = limit / (1024 * 1024)
    return PlainTextResponse(f"413: the request body is larger than this service accepts ({mb:g} MB)\n",
                             status_code=413, headers={"Connection": "close"})


class BodyLimit:
    """ASGI middleware: bodies over `max_bytes` get 413."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = int(max_bytes)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or self.max_bytes <= 0:
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                too_big = False  # the server rejects a malformed length itself
            if too_big:
                await _too_large(self.max_bytes)(scope, receive, send)
                return
        seen = 0
        started = False

        async def counted_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracked_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except _TooLarge:
            if started:
                raise
            await _too_large(self.max_bytes)(scope, receive, send)

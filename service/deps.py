"""Shared FastAPI dependencies: the one store of the running app, and its public base URL."""

from fastapi import Request


def get_store(request: Request):
    """The store the app was created with (the service keeps no other state)."""
    return request.app.state.store


def public_base(scope) -> str:
    """The service's public base URL, for absolute links and redirects: JIUKG_BASE_URL when set (behind
    a proxy it must be), else the address this server answered on. Never the Host header, which any
    client sets: an absolute URL built from it would send readers, or a cache, to another site."""
    base = getattr(scope["app"].state.settings, "base_url", None)
    if base:
        return base.rstrip("/")
    scheme = scope.get("scheme", "http")
    host, port = scope.get("server") or ("127.0.0.1", None)
    host = f"[{host}]" if ":" in host else host
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}{'' if port in (None, default) else f':{port}'}{scope.get('root_path', '')}"


def public_url(request: Request, name: str, **path_params) -> str:
    """The absolute public URL of a named route (request.url_for without the Host header)."""
    return public_base(request.scope) + str(request.app.url_path_for(name, **path_params))

"""Store backends behind one interface; `open_store` picks one from a path or URL."""

from __future__ import annotations

from .base import (
    INTERNAL_LANE,
    LANES,
    USER_LANE,
    QueryRefused,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    RawResult,
    ResultTooLarge,
    Store,
    StoreBusy,
    StoreError,
    StoreUnavailable,
)


def open_store(location: str | None = None, **options) -> Store:
    """Open the store at `location`: a URL gives the remote backend (options:
    update_url, gsp_url, user, password, token, auth, timeout, retries,
    default_graph_mode, write_mode; see RemoteStore), ':memory:' an in-memory
    embedded store, anything else an on-disk embedded store (default var/store;
    options: read_only, query_workers, internal_workers, max_result_bytes; see EmbeddedStore)."""
    from jiukg.paths import DEFAULT_STORE

    if location and location.startswith(("http://", "https://")):
        from .remote import RemoteStore

        return RemoteStore(location, **options)
    from .embedded import DEFAULT_INTERNAL_WORKERS, DEFAULT_QUERY_WORKERS, EmbeddedStore

    if location == ":memory:":
        return EmbeddedStore(None)
    return EmbeddedStore(location or DEFAULT_STORE, read_only=options.get("read_only", False),
                         query_workers=options.get("query_workers") or DEFAULT_QUERY_WORKERS,
                         internal_workers=options.get("internal_workers") or DEFAULT_INTERNAL_WORKERS,
                         max_result_bytes=options.get("max_result_bytes"))


__all__ = [
    "INTERNAL_LANE",
    "LANES",
    "USER_LANE",
    "QueryRefused",
    "QueryResult",
    "QuerySyntaxError",
    "QueryTimeout",
    "RawResult",
    "ResultTooLarge",
    "Store",
    "StoreBusy",
    "StoreError",
    "StoreUnavailable",
    "open_store",
]

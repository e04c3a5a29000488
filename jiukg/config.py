"""Settings from the environment (JIUKG_*), a settings file (jiukg.env) or the command line."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JIUKG_", env_file="jiukg.env", extra="ignore")

    store: str | None = None  # a path (embedded) or a SPARQL query URL (remote)
    update_url: str | None = None
    gsp_url: str | None = None
    user: str | None = None
    password: str | None = None
    token: str | None = None  # bearer token for a remote store (instead of user/password)
    auth: str = "basic"  # basic or digest (Virtuoso's /sparql-auth) for user/password
    retries: int = 2  # retries on connection errors to a remote store
    default_graph_mode: str = "auto"  # remote: auto, oxigraph, explicit or native (docs/deployment.md)
    write_mode: str = "auto"  # remote: auto, update (one SPARQL Update request) or gsp (PUT per graph)
    store_timeout: float = 30.0  # seconds for one request to a remote store
    graph_cache_seconds: float = 2.0  # remote, explicit mode: how long a listing of the server's graphs is reused
    query_timeout: float = 10.0  # seconds a user query may run
    query_workers: int = 4  # embedded: most worker processes for user queries at once; more queue
    internal_workers: int = 2  # embedded: worker processes of the service's own queries (pages, linked data)
    write_token: str | None = None  # bearer token for POST /data; without it the service takes no writes
    write_tokens_file: str | None = None  # TOML or JSON file of hashed write tokens, scoped to organisations
    write_tokens: str | None = None  # the same configuration as JSON text (for containers without a file)
    update_timeout: float = 30.0  # seconds a SPARQL Update may run (on a copy of the store) before it is stopped
    cors_origins: str = "*"  # origins whose pages may read (/sparql, linked data, dumps...): '*', a list, or '' for none
    cors_write_origins: str = ""  # origins whose pages may call the write routes; none unless set
    cache_max_age: int = 0  # seconds caches may reuse an answer unasked; 0: they revalidate each time (ETag, 304)
    gzip_min_size: int = 1024  # bytes: longer answers are gzip-compressed when the client accepts it; -1: never
    releases: str | None = None  # folder of `jiukg release` output served under /releases/ (default var/releases)
    base_url: str | None = None  # the service's public URL (https://kg.example.org); redirects and absolute links use it
    max_body_bytes: int = 16 * 1024 * 1024  # largest request body on any route (413 beyond)
    body_timeout: float = 60.0  # seconds the service may spend parsing one RDF body (400 beyond)
    validation_timeout: float = 60.0  # seconds one /validate may run its shapes (a worker process, stopped: 503)
    max_result_bytes: int = 64 * 1024 * 1024  # embedded: largest answer to a /sparql query (stopped beyond: 400)
    answer_cache_bytes: int = 64 * 1024 * 1024  # embedded: answers kept until the next write (service/answer_cache.py); 0: none
    answer_cache_entries: int = 4096  # embedded: most answers kept
    response_cache_bytes: int = 64 * 1024 * 1024  # embedded: whole responses sent by the parser (service/fastpath.py); 0: none
    response_cache_entries: int = 4096  # embedded: most responses kept
    host: str = "127.0.0.1"
    port: int = 8000


def settings(**overrides) -> Settings:
    """Settings with command-line values (those not None) taking precedence."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def store_options(s: Settings) -> dict:
    """Keyword options for open_store(s.store, ...): remote settings for a URL, worker counts otherwise."""
    if not (s.store and s.store.startswith(("http://", "https://"))):
        return {"query_workers": s.query_workers, "internal_workers": s.internal_workers,
                "max_result_bytes": s.max_result_bytes}
    keys = ("update_url", "gsp_url", "user", "password", "token", "auth", "retries", "default_graph_mode",
            "write_mode", "graph_cache_seconds")
    return {k: getattr(s, k) for k in keys if getattr(s, k) is not None} | {"timeout": s.store_timeout}

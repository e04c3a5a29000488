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
    token: str | None = None
    store_timeout: float = 30.0  # seconds for one request to a remote store
    query_timeout: float = 10.0  # seconds a user query may run
    query_workers: int = 2
    host: str = "127.0.0.1"
    port: int = 8000


def settings(**overrides) -> Settings:
    """Settings with command-line values (those not None) taking precedence."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def store_options(s: Settings) -> dict:
    return {k: getattr(s, k) for k in ("update_url", "gsp_url", "user", "password", "token") if getattr(s, k)} | (
        {"timeout": s.store_timeout} if s.store and s.store.startswith("http") else {})

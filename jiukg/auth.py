"""Write tokens: who may change which named graphs.

A token belongs to an organisation and may write the graphs of that
organisation's submissions only: the graphs whose IRI starts with one of the
organisation's graph prefixes (its documents' symbols, under the IRI policy:
WIPO's `WO/PBC/38/2` lives in `graph/WO/PBC/38/2`, so WIPO's prefix is
`https://w3id.org/jiukg/graph/WO/`), and its status-template submissions
(`graph/JIUKG/STATUS/<ORG>/...`, without configuration). An admin token may write every graph. No
token may write the catalogue graph: the service writes it, as the record of
every write.

Tokens are configured hashed (`sha256:<hex>`), never in clear: a leaked
configuration gives no token. A token is 32 random bytes, so one SHA-256 is
enough (a slow hash only helps against guessable passwords); the comparison
runs in constant time over every configured hash.

The configuration is a TOML or JSON file (setting `write_tokens_file`,
`JIUKG_WRITE_TOKENS_FILE`), or the same JSON in `JIUKG_WRITE_TOKENS`:

    [organisations.WIPO]
    graphs = ["https://w3id.org/jiukg/graph/WO/"]

    [[tokens]]
    name = "wipo-publisher"
    organisation = "WIPO"
    hash = "sha256:…"          # `jiukg token` prints a new token and this line

    [[tokens]]
    name = "steward"
    admin = true
    hash = "sha256:…"

`JIUKG_WRITE_TOKEN` (a token in clear, from before scoped tokens) keeps
working as an admin token named `write-token`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from jiukg.namespaces import graph_iri, org_iri, submission_symbol, written_by_jiukg


class TokenConfigError(ValueError):
    """The token configuration is malformed; the message says where."""


@dataclass(frozen=True)
class Token:
    """What a token may do. `name` and `organisation` are recorded with every write it makes."""

    name: str
    digest: str  # hex SHA-256 of the token
    organisation: str | None = None
    admin: bool = False
    graphs: tuple[str, ...] = field(default=())  # IRI prefixes of the graphs it may write

    @property
    def agent(self):
        """The organisation as a PROV agent (its IRI in the reference data), or None for an admin without one."""
        return org_iri(self.organisation) if self.organisation else None

    def may_write(self, graph) -> bool:
        g = str(graph)
        if written_by_jiukg(g):
            return False
        return self.admin or any(g.startswith(p) for p in self.prefixes)

    @property
    def prefixes(self) -> tuple[str, ...]:
        """The configured graph prefixes, and the organisation's own status submissions (the template's
        graphs, `graph/JIUKG/STATUS/<ORG>/`), which no configuration needs to name."""
        if not self.organisation:
            return self.graphs
        return (*self.graphs, str(graph_iri(submission_symbol(self.organisation, "X", "0")).rsplit("X/", 1)[0]))

    def refused(self, graphs: Iterable) -> list[str]:
        """The graphs of `graphs` this token may not write, sorted."""
        return sorted(str(g) for g in graphs if not self.may_write(g))

    def new_graph_prefix(self) -> str | None:
        """Where a graph created without a name (Graph Store POST) goes: the first of its prefixes."""
        from jiukg.namespaces import GRAPH

        if self.graphs:
            return self.graphs[0]
        return str(GRAPH["new/"]) if self.admin else None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """A new random token and the `hash = "sha256:…"` value to configure for it."""
    token = secrets.token_urlsafe(32)
    return token, f"sha256:{digest(token)}"


def bearer(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (the scheme is case-insensitive, RFC 9110 11.1)."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


class Tokens:
    """The configured tokens; `find` tells which one a request presents."""

    def __init__(self, tokens: Iterable[Token] = ()):
        self.tokens = list(tokens)

    def __bool__(self) -> bool:
        return bool(self.tokens)

    def find(self, given: str | None) -> Token | None:
        """The token matching `given`, comparing with every configured hash in constant time."""
        if not given:
            return None
        d = digest(given).encode()
        found = None
        for t in self.tokens:
            if hmac.compare_digest(d, t.digest.encode()) and found is None:
                found = t
        return found

    @classmethod
    def from_settings(cls, settings) -> Tokens:
        tokens: list[Token] = []
        clear = getattr(settings, "write_token", None)
        if clear:
            tokens.append(Token(name="write-token", digest=digest(clear), admin=True))
        text = getattr(settings, "write_tokens", None)
        if text:
            try:
                data = json.loads(text)
            except ValueError as e:
                raise TokenConfigError(f"JIUKG_WRITE_TOKENS: not valid JSON: {e}") from e
            tokens += parse_config(data, "JIUKG_WRITE_TOKENS")
        path = getattr(settings, "write_tokens_file", None)
        if path:
            tokens += load_file(Path(path))
        for attr, what in (("name", "name"), ("digest", "hash")):
            seen = [getattr(t, attr) for t in tokens]
            twice = sorted({x for x in seen if seen.count(x) > 1})
            if twice:
                raise TokenConfigError(f"two write tokens share a {what}"
                                       + (f": {', '.join(twice)}" if attr == "name" else "")
                                       + " (each write is recorded under its token's name)")
        return cls(tokens)


def load_file(path: Path) -> list[Token]:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise TokenConfigError(f"cannot read the token file {path}: {e}") from e
    try:
        data = json.loads(raw) if path.suffix.lower() == ".json" else tomllib.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise TokenConfigError(f"{path}: not valid {'JSON' if path.suffix.lower() == '.json' else 'TOML'}: {e}") from e
    return parse_config(data, str(path))


def parse_config(data: dict, where: str) -> list[Token]:
    """Tokens from the parsed configuration; every mistake is an error naming the token, never a token that
    silently can do more (or less) than meant."""
    if not isinstance(data, dict):
        raise TokenConfigError(f"{where}: expected a table with 'organisations' and 'tokens'")
    orgs = data.get("organisations", {}) or {}
    out = []
    for i, t in enumerate(data.get("tokens", []) or [], 1):
        name = t.get("name") or f"token {i}"
        h = str(t.get("hash", ""))
        algo, _, hexdigest = h.partition(":")
        if algo != "sha256" or len(hexdigest) != 64 or any(c not in "0123456789abcdef" for c in hexdigest):
            raise TokenConfigError(f"{where}: {name}: 'hash' must be sha256:<64 lowercase hex digits> "
                                   "(`jiukg token` prints one)")
        admin = bool(t.get("admin", False))
        org = t.get("organisation")
        if not admin and not org:
            raise TokenConfigError(f"{where}: {name}: a token needs an 'organisation' (or admin = true)")
        graphs: tuple[str, ...] = ()
        if org:
            spec = orgs.get(org)
            if spec is None and not admin:
                raise TokenConfigError(f"{where}: {name}: organisation {org!r} has no [organisations.{org}] table "
                                       "saying which graphs are its own (graphs = [] for its status "
                                       "submissions only)")
            graphs = tuple(str(p) for p in (spec or {}).get("graphs", []))
            # graphs = [] is allowed: the organisation then writes its status submissions only (Token.prefixes)
            for p in graphs:
                if not p.startswith(("http://", "https://", "urn:")) or not p.endswith(("/", "#", ":")):
                    raise TokenConfigError(f"{where}: organisation {org!r}: graph prefix {p!r} must be an absolute "
                                           "IRI ending in '/', '#' or ':' (so WO/ never also grants WOX/)")
        out.append(Token(name=name, digest=hexdigest, organisation=org, admin=admin, graphs=graphs))
    return out

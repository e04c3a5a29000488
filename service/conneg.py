"""HTTP content negotiation: pick the best of the media types we can serve."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class MediaRange:
    type: str
    subtype: str
    q: float

    def matches(self, media: str) -> int:
        """0 when not matching, else a specificity (3 exact, 2 type/*, 1 */*)."""
        t, _, s = media.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type == t and self.subtype == "*":
            return 2
        if self.type == t and self.subtype == s:
            return 3
        return 0


def parse_accept(header: str | None) -> list[MediaRange]:
    out = []
    for part in (header or "").split(","):
        part = part.strip()
        if not part:
            continue
        media, *params = [x.strip() for x in part.split(";")]
        q = 1.0
        for p in params:
            k, _, v = p.partition("=")
            if k.strip().lower() == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 0.0
        t, _, s = media.lower().partition("/")
        out.append(MediaRange(t, s or "*", q))
    return out


def negotiate(header: str | None, offers: list[str]) -> str | None:
    """The offer the client prefers most (q, then specificity, then our order);
    offers[0] when there is no Accept header; None when nothing is acceptable."""
    if not header or not header.strip():
        return offers[0] if offers else None
    ranges = parse_accept(header)
    best, best_key = None, None
    for i, offer in enumerate(offers):
        # the most specific range that matches decides the offer's quality (RFC 9110)
        spec, q = 0, None
        for r in ranges:
            m = r.matches(offer)
            if m > spec:
                spec, q = m, r.q
        if not spec or not q:
            continue
        key = (q, spec, -i)
        if best_key is None or key > best_key:
            best, best_key = offer, key
    return best


def preferred_language(header: str | None, supported=("en", "zh"), default: str = "en") -> str:
    """The first supported language of an Accept-Language header."""
    langs = []
    for part in (header or "").split(","):
        tag, *params = [x.strip() for x in part.split(";")]
        if not tag:
            continue
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        langs.append((q, tag.lower().split("-")[0]))
    for q, tag in sorted(langs, key=lambda x: -x[0]):
        if q > 0 and tag in supported:
            return tag
    return default

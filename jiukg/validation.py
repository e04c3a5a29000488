"""SHACL validation (placeholder until the shapes land: everything conforms)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ValidationReport:
    conforms: bool = True
    results: list = field(default_factory=list)


def validate_write(store, graphs) -> ValidationReport:
    return ValidationReport()

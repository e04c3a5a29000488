"""The `jiukg` command as a user runs it: a real subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

JIUKG = str(Path(sys.executable).with_name("jiukg"))
SUBCOMMANDS = ["build", "load", "validate", "query", "serve", "export"]


def run(*args, **kw):
    return subprocess.run([JIUKG, *args], capture_output=True, text=True, timeout=300, **kw)


def test_help_lists_every_subcommand():
    out = run("--help")
    assert out.returncode == 0
    for name in SUBCOMMANDS:
        assert name in out.stdout


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_each_subcommand_has_help(name):
    out = run(name, "--help")
    assert out.returncode == 0, out.stderr
    assert "Usage" in out.stdout


def test_version():
    from jiukg import __version__

    out = run("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"jiukg {__version__}"
    assert __version__[0].isdigit()

"""Shared fixtures: the bundled corpus, stores, a built graph."""

from __future__ import annotations

import os
import shutil

import pytest

from jiukg.paths import CORPUS_DIR
from servers import CORPUS_BACKENDS, make_store_factory
from servers import oxigraph_server, store_backend, virtuoso_server  # noqa: F401  (real SPARQL servers)


# Debian's Chromium, as the probe of this machine kind starts it (no background networking: nothing
# but 127.0.0.1 is ever asked for)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """A real headless Chromium driven by Playwright (skipped where Debian's chromium is missing)."""
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def corpus_dir():
    return CORPUS_DIR


@pytest.fixture
def memory_store():
    from jiukg.store import open_store

    with open_store(":memory:") as st:
        yield st


@pytest.fixture(scope="session")
def built_store(tmp_path_factory):
    """The bundled corpus built into an on-disk embedded store, once per session (read it, never write it)."""
    from jiukg import pipeline
    from jiukg.store import open_store

    st = open_store(str(tmp_path_factory.mktemp("built") / "store"))
    pipeline.build(st, CORPUS_DIR)
    yield st
    st.close()


@pytest.fixture(scope="module", params=CORPUS_BACKENDS)
def corpus_store(request, tmp_path_factory):
    """The bundled corpus built by the real loaders into each backend in turn (embedded on disk, an
    Oxigraph server, Virtuoso where installed), once per module and backend: read it, never write it.
    Skipped until every loader module exists."""
    try:
        import loaders

        loaders.registry()
    except ImportError as e:
        pytest.skip(f"the loaders are not all written yet: {e}")
    if request.param == "embedded-disk":
        yield request.getfixturevalue("built_store")
        return
    from jiukg import pipeline

    make, opened = make_store_factory(request.param, request, tmp_path_factory)
    st = make()
    pipeline.build(st, CORPUS_DIR)
    yield st
    for s in opened:
        s.close()

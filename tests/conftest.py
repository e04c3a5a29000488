"""Shared fixtures: the bundled corpus, stores, a built graph."""

from __future__ import annotations

import pytest

from jiukg.paths import CORPUS_DIR
from servers import oxigraph_server, store_backend, virtuoso_server  # noqa: F401  (real SPARQL servers)


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

"""Shared fixtures: the bundled corpus, stores, a built graph."""

from __future__ import annotations

import pytest

from jiukg.paths import CORPUS_DIR
from servers import CORPUS_BACKENDS, make_store_factory
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

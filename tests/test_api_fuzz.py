"""Schemathesis over the service's OpenAPI description: generated requests to every operation,
against a real server on a loopback port, never answer 5xx (issue 10, "keep what holds").

Bounded: a few examples per operation, derandomized, no deadline. Writes are enabled with a token the
generator does not know, so POST /data is exercised up to its 401.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from _service_server import serve, static_store  # noqa: E402

from jiukg.config import Settings  # noqa: E402


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    st = static_store(tmp_path_factory.mktemp("fuzz") / "store")
    with serve(st, settings=Settings(write_token="not-guessable-token", query_timeout=3)) as url:
        yield schemathesis.openapi.from_url(f"{url}/openapi.json"), url
    st.close()


def test_no_generated_request_gets_a_server_error(api):
    """Every operation of /openapi.json, a few generated requests each (schemathesis strategies driven
    by Hypothesis directly: schemathesis' pytest plugin does not load under pytest 9)."""
    from hypothesis import given

    schema, url = api
    failures: list[str] = []
    statuses: list[int] = []
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) > 10

    for op in operations:
        @given(case=op.as_strategy())
        @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def check(case):
            response = case.call(base_url=url, timeout=30)
            statuses.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query} -> {response.status_code}: "
                                f"{response.text[:200]}")

        check()
    assert failures == []
    assert len(statuses) >= 2 * len(operations)  # the generator really sent requests

"""schemathesis against the generated OpenAPI document: no generated request makes the API answer 5xx."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.web.conftest import WebDemo


def test_no_generated_request_gets_a_server_error(web_demo: WebDemo) -> None:
    schema = schemathesis.openapi.from_dict(web_demo.app.openapi())
    schema.app = web_demo.app
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9
    failures: list[str] = []
    calls: list[int] = []

    for operation in operations:

        @given(operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: Any) -> None:
            for user in ("alice", "admin"):
                response = case.call(headers={"Authorization": f"Bearer {web_demo.tokens[user]}"})
                calls.append(response.status_code)
                if response.status_code >= 500:
                    failures.append(
                        f"{case.method} {case.formatted_path} {case.query}: {response.text[:200]}"
                    )

        check()
    assert failures == []
    assert len(calls) > 100 and 200 in calls

"""A property-based run of the OpenAPI document against the app (schemathesis, in-process over
WSGI): generated requests, valid and invalid, to every operation find no server error and no
response that breaks the document (status codes, content types, bodies)."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from channel.services.api_tokens import create_token

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 12  # per operation and mode: the whole run stays well under a minute


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_requests_find_no_server_error_and_no_response_breaking_the_spec(app, world, mode):
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    _, secret = create_token(world.user_agent_gd, "schemathesis")
    headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)

        check()


def _param(spec: dict, path: str, name: str) -> dict:
    return next(p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == name)["schema"]


@pytest.mark.parametrize("path, name, accepted, refused", [
    ("/agents", "after", ["0", "2147483647"], ["2147483648", "9999999999"]),
    ("/statement_lines", "period", ["1900-01", "2999-12", "2026-10"], ["1899-12", "3000-01", "3671-10", "2026-13"]),
    ("/statements/{payee_id}", "period", ["1900-01", "2999-12"], ["3671-10", "0000-01"]),
])
def test_the_document_allows_exactly_the_months_and_cursors_the_api_accepts(app, world, path, name, accepted, refused):
    """A value the document allows is answered 200, one it refuses answers 400 naming it: the
    patterns follow the server's bounds (months of 1900-2999, cursors up to 2**31-1)."""
    import re

    app.config["API_RATE_LIMIT"] = "100000 per minute"
    client = app.test_client()
    spec = client.get("/api/v1/openapi.json").json
    pattern = re.compile(_param(spec, path, name)["pattern"])
    _, secret = create_token(world.user_admin, "spec")
    headers = {"Authorization": f"Bearer {secret}"}
    url = path.replace("{payee_id}", str(world.GD.id)).replace("{id}", str(world.GD.id))
    for value in accepted:
        assert pattern.search(value), value
        assert client.get(f"/api/v1{url}", query_string={name: value}, headers=headers).status_code == 200, value
    for value in refused:
        assert not pattern.search(value), value
        response = client.get(f"/api/v1{url}", query_string={name: value}, headers=headers)
        assert response.status_code == 400 and response.json["error"]["field"] == name, value

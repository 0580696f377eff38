"""The OpenAPI 3.0 document of /api/v1, built from the resource registry
(`channel.services.api.API_RESOURCES`), so a registered resource is documented at once."""
from __future__ import annotations

from channel.domain.periods import FIRST_YEAR, LAST_YEAR
from channel.services.api import MAX_ID, MAX_LIMIT, ORDER_PUSH_SCHEMA, SELLER_SCHEMA, API_RESOURCES
from channel.services.api_features import PERIOD_PATTERN

# What the parameters really accept (a document that allows more has clients send what answers
# 400): months of the years FIRST_YEAR..LAST_YEAR (PERIOD_PATTERN), cursors 0..MAX_ID.
assert (FIRST_YEAR, LAST_YEAR, MAX_ID) == (1900, 2999, 2**31 - 1), "update PERIOD_PATTERN and CURSOR_PARAM"
DATE_PARAM = {"type": "string", "format": "date"}
PERIOD_PARAM = {"type": "string", "pattern": PERIOD_PATTERN}
CURSOR_PARAM = {"type": "string", "pattern": "^([0-9]{1,9}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}"
                                             "|2147[0-3][0-9]{5}|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}"
                                             "|2147483[0-5][0-9]{2}|21474836[0-3][0-9]|214748364[0-7])$"}

ERROR_SCHEMA = {
    "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["status", "title", "message"], "properties": {
        "status": {"type": "integer"}, "title": {"type": "string"}, "message": {"type": "string"},
        "field": {"type": "string", "description": "The parameter or body field at fault, when there is one"}}}},
}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


COMMON_ERRORS = {
    "400": _error("A parameter or field is invalid (`error.field` names it)"),
    "401": _error("No valid token (send `Authorization: Bearer <token>`)"),
    "403": _error("Your role may not do this"),
    "404": _error("No such object, or you may not see it"),
    "429": _error("Too many requests"),
}


def _page_schema(item_ref: str) -> dict:
    return {"type": "object", "required": ["data", "next_cursor"], "properties": {
        "data": {"type": "array", "items": {"$ref": item_ref}},
        "next_cursor": {"type": "string", "nullable": True, "description": "Pass as `after` for the next page; null on the last page"}}}


def _ok(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


PAGING = [
    {"name": "after", "in": "query", "required": False, "description": "The `next_cursor` of the previous page",
     "schema": CURSOR_PARAM},
    {"name": "limit", "in": "query", "required": False, "description": f"Rows per page (default 50, at most {MAX_LIMIT})",
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}},
]


def _id_param(description: str = "Id") -> dict:
    return {"name": "id", "in": "path", "required": True, "description": description,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}


def _filter_param(f) -> dict:
    schema = {"integer": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
              "date": DATE_PARAM,
              "string": {"type": "string", "maxLength": 200}}[f.type]
    if f.name == "period":
        schema = PERIOD_PARAM
    if f.name == "level":
        schema = {"type": "integer", "minimum": 0, "maximum": 99}
    if f.enum:
        schema = {"type": "string", "enum": list(f.enum)}
    return {"name": f.name, "in": "query", "required": False, "description": f.description, "schema": schema}


def build_spec(server_url: str = "/api/v1") -> dict:
    schemas = {"Error": ERROR_SCHEMA, "OrderPush": ORDER_PUSH_SCHEMA}
    paths: dict = {}
    for name, res in API_RESOURCES.items():
        item = name.title().replace("_", "")
        schemas[item] = res.schema
        ref = f"#/components/schemas/{item}"
        if res.detail_schema:
            schemas[item + "Detail"] = res.detail_schema
        detail_ref = f"#/components/schemas/{item}Detail" if res.detail_schema else ref
        schemas[item + "Page"] = _page_schema(ref)
        paths[f"/{name}"] = {"get": {
            "operationId": f"list_{name}", "summary": res.summary, "tags": [res.tag or name],
            "parameters": [_filter_param(f) for f in res.filters] + PAGING,
            "responses": {"200": _ok({"$ref": f"#/components/schemas/{item}Page"}),
                          **_pick("400", "401", *(("403",) if res.roles else ()), "429")},
        }}
        paths[f"/{name}/{{id}}"] = {"get": {
            "operationId": f"get_{name}", "summary": f"One of: {res.summary}", "tags": [res.tag or name],
            "parameters": [_id_param()],
            "responses": {"200": _ok({"$ref": detail_ref}), **_pick("401", *(("403",) if res.roles else ()), "404", "429")},
        }}
        if res.seller_tree:
            for what, summary in (("children", "Direct children (today)"), ("subtree", "Whole downline (today), itself excluded")):
                paths[f"/{name}/{{id}}/{what}"] = {"get": {
                    "operationId": f"{name}_{what}", "summary": summary, "tags": [res.tag],
                    "parameters": [_id_param()] + PAGING,
                    "responses": {"200": _ok({"$ref": "#/components/schemas/SellerPage"}), **_pick("400", "401", "404", "429")},
                }}
            paths[f"/{name}/{{id}}/uplines"] = {"get": {
                "operationId": f"{name}_uplines", "summary": "Uplines in force on a date, nearest first (within your scope)",
                "tags": [res.tag],
                "parameters": [_id_param(), {"name": "on", "in": "query", "required": False, "description": "Date (default today)",
                                             "schema": DATE_PARAM}],
                "responses": {"200": _ok({"$ref": "#/components/schemas/UplinePage"}), **_pick("400", "401", "404", "429")},
            }}
    schemas["Seller"] = SELLER_SCHEMA
    schemas["SellerPage"] = _page_schema("#/components/schemas/Seller")
    schemas["Upline"] = {**SELLER_SCHEMA, "properties": {**SELLER_SCHEMA["properties"], "distance": {"type": "integer"}},
                         "required": SELLER_SCHEMA["required"] + ["distance"]}
    schemas["UplinePage"] = _page_schema("#/components/schemas/Upline")
    paths["/orders"]["post"] = {
        "operationId": "push_order", "summary": "Push an order from an ERP (idempotent by external_id)", "tags": ["sales"],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderPush"}}}},
        "responses": {
            "201": _ok({"$ref": "#/components/schemas/OrdersDetail"}, "Created"),
            "200": _ok({"$ref": "#/components/schemas/OrdersDetail"}, "Already stored under this external_id: the stored order"),
            **_pick("400", "401", "403", "404", "429"),
            "409": _error("The order number is already used by another order"),
        },
    }
    _feature_paths(paths, schemas)
    return {
        "openapi": "3.0.3",
        "info": {"title": "Qudao API", "version": "1.0.0",
                 "description": "Agents, direct sellers, territories, customers, products, orders, returns, commission "
                                "statements, conflict cases, code scans and payouts. "
                                "Authenticate with `Authorization: Bearer <token>` (create a token on the API tokens page "
                                "or with `flask --app app tokens create USERNAME`). A token sees what its user sees in the UI. "
                                "Money is integer fen. Lists are keyset-paginated: pass `next_cursor` as `after`."},
        "servers": [{"url": server_url}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {"schemas": schemas,
                       "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "description": "A personal API token"}}},
    }


def _pick(*codes: str) -> dict:
    return {code: COMMON_ERRORS[code] for code in codes}


def _feature_paths(paths: dict, schemas: dict) -> None:
    """The statement of one payee and the scan push (routes beside the registry's lists)."""
    from channel.services.api_features import SCAN_PUSH_RESULT, SCAN_PUSH_SCHEMA, STATEMENT_SCHEMA

    schemas["Statement"] = STATEMENT_SCHEMA
    schemas["ScanPush"] = SCAN_PUSH_SCHEMA
    schemas["ScanPushResult"] = SCAN_PUSH_RESULT
    paths["/statements/{payee_id}"] = {"get": {
        "operationId": "get_statement", "summary": "A payee's commission statement for a month, with its lines",
        "tags": ["commissions"],
        "parameters": [{"name": "payee_id", "in": "path", "required": True, "description": "Seller id of the payee",
                        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}},
                       {"name": "period", "in": "query", "required": True, "description": "Month YYYY-MM",
                        "schema": PERIOD_PARAM}],
        "responses": {"200": _ok({"$ref": "#/components/schemas/Statement"}), **_pick("400", "401", "404", "429")},
    }}
    paths["/code_scans"]["post"] = {
        "operationId": "push_scans", "summary": "Record scans from scanners (idempotent by code + district + time)",
        "tags": ["conflicts"],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScanPush"}}}},
        "responses": {
            "201": _ok({"$ref": "#/components/schemas/ScanPushResult"}, "Stored (at least one scan was new)"),
            "200": _ok({"$ref": "#/components/schemas/ScanPushResult"}, "Every scan was stored before: nothing new"),
            **_pick("400", "401", "403", "429"),
        },
    }

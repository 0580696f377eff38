from channel.domain.territory_data import COUNTRY_ID, load_divisions, parse_adcodes
from channel.domain.tree import Place, territories_nest

SAMPLE = """adcode,name,longitude,latitude
440000000000,广东省,113.2,23.1
440300000000,深圳市,114.0,22.5
440305000000,南山区,113.9,22.5
420000000000,湖北省,114.3,30.5
429004000000,仙桃市,113.4,30.3
"""


def test_derives_the_tree_from_the_codes():
    by_id = {d.id: d for d in parse_adcodes(SAMPLE)}
    assert by_id[COUNTRY_ID].level == 0
    assert (by_id[440000].level, by_id[440000].parent_id, by_id[440000].province_id) == (1, COUNTRY_ID, 440000)
    assert (by_id[440300].level, by_id[440300].parent_id, by_id[440300].city_id) == (2, 440000, 440300)
    nanshan = by_id[440305]
    assert (nanshan.level, nanshan.parent_id, nanshan.province_id, nanshan.city_id) == (3, 440300, 440000, 440300)


def test_a_county_directly_under_a_province_hangs_from_the_province():
    xiantao = {d.id: d for d in parse_adcodes(SAMPLE)}[429004]
    assert (xiantao.level, xiantao.parent_id, xiantao.city_id) == (3, 420000, None)


def test_ships_every_province_level_division_and_thousands_of_districts():
    divisions = load_divisions()
    provinces = [d for d in divisions if d.level == 1]
    assert len(provinces) == 34  # 23 provinces, 5 autonomous regions, 4 municipalities, 2 SARs
    assert {"北京市", "广东省", "新疆维吾尔自治区", "香港特别行政区", "澳门特别行政区", "台湾省"} <= {p.name for p in provinces}
    assert sum(1 for d in divisions if d.level == 3) > 2800
    parents = {d.id for d in divisions}
    assert all(d.parent_id in parents for d in divisions if d.parent_id)


def test_containment_uses_the_division_ancestry():
    shenzhen = Place(440300, 2, 440000, 440300)
    nanshan = Place(440305, 3, 440000, 440300)
    guangzhou = Place(440100, 2, 440000, 440100)
    guangdong = Place(440000, 1, 440000, None)
    assert shenzhen.contains(nanshan) and guangdong.contains(nanshan)
    assert not guangzhou.contains(nanshan)
    assert territories_nest(nanshan, guangdong) and not territories_nest(shenzhen, guangzhou)

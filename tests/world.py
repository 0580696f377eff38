"""A small hand-made company for integration and functional tests.

Agent pyramid (level: 1 national, 2 provincial, 3 city, 4 reseller):

    N1 总代理 (country, shared)
    ├── GD 广东省代 (440000 shared)        user agent_gd
    │   ├── SZ 深圳市代 (440300 exclusive) user agent_sz
    │   │   └── NS 南山分销 (440305 shared)
    │   └── GZ 广州市代 (440100 exclusive)
    │       └── TH 天河分销 (440106 shared)
    └── ZJ 浙江省代 (330000 shared)        user agent_zj
        └── HZ 杭州市代 (330100 exclusive)

Direct team: DIR 总监 (user director) → MGR 经理 (user mgr) → REP1 (user rep1), REP2;
             DIR → MGR2 → REP3 (user rep3). Every user's password is 'secret-pass'.

One product (净水器: cost ¥1,000, retail ¥3,000, floor ¥2,550) and one sell-out order per
customer in October 2026: NS ¥6,000 (2 × ¥3,000), TH ¥2,800, HZ ¥2,900, REP1 ¥3,000, REP3 ¥2,700.
"""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from channel.services.orders import LineInput, add_customer, add_product, record_order
from channel.services.tree import add_seller, grant_territory
from channel.services.users import create_user

PASSWORD = "secret-pass"
JOINED = date(2025, 1, 1)


def build_world() -> SimpleNamespace:
    w = SimpleNamespace()

    def agent(code, name, level, parent, area, exclusive):
        seller = add_seller(code=code, name=name, channel="agent", level=level,
                            parent_id=parent.id if parent else None, joined_on=JOINED)
        grant_territory(seller.id, area, exclusive=exclusive, valid_from=JOINED)
        return seller

    w.N1 = agent("N1", "全国总代理", 1, None, 100000, False)
    w.GD = agent("GD", "广东省代", 2, w.N1, 440000, False)
    w.ZJ = agent("ZJ", "浙江省代", 2, w.N1, 330000, False)
    w.SZ = agent("SZ", "深圳市代", 3, w.GD, 440300, True)
    w.GZ = agent("GZ", "广州市代", 3, w.GD, 440100, True)
    w.HZ = agent("HZ", "杭州市代", 3, w.ZJ, 330100, True)
    w.NS = agent("NS", "南山分销", 4, w.SZ, 440305, False)
    w.TH = agent("TH", "天河分销", 4, w.GZ, 440106, False)

    def direct(code, name, level, parent):
        return add_seller(code=code, name=name, channel="direct", level=level,
                          parent_id=parent.id if parent else None, joined_on=JOINED, payee_type="employee")

    w.DIR = direct("DIR", "直销总监", 1, None)
    w.MGR = direct("MGR", "销售经理甲", 2, w.DIR)
    w.MGR2 = direct("MGR2", "销售经理乙", 2, w.DIR)
    w.REP1 = direct("REP1", "销售代表一", 3, w.MGR)
    w.REP2 = direct("REP2", "销售代表二", 3, w.MGR)
    w.REP3 = direct("REP3", "销售代表三", 3, w.MGR2)
    grant_territory(w.REP1.id, 310100, exclusive=False, valid_from=JOINED)

    for username, role, seller in [
        ("admin", "admin", None), ("manager", "channel_manager", None), ("finance", "finance", None),
        ("finance2", "finance", None), ("agent_gd", "agent", w.GD), ("agent_zj", "agent", w.ZJ),
        ("agent_sz", "agent", w.SZ), ("director", "sales_rep", w.DIR), ("mgr", "sales_rep", w.MGR),
        ("rep1", "sales_rep", w.REP1), ("rep3", "sales_rep", w.REP3),
    ]:
        setattr(w, "user_" + username, create_user(username, PASSWORD, role, seller_id=seller.id if seller else None))

    w.product = add_product(sku="P1", name="净水器", category="净水设备", cost_fen=100000, retail_price_fen=300000,
                            floor_price_fen=255000, sell_in_prices={1: 165000, 2: 186000, 3: 210000, 4: 240000})

    def customer(name, owner, district):
        return add_customer(name=name, owner_seller_id=owner.id, district_id=district)

    w.cust_ns = customer("深圳南山华盛贸易有限公司", w.NS, 440305)
    w.cust_th = customer("广州天河宏达电器有限公司", w.TH, 440106)
    w.cust_hz = customer("杭州西湖恒通科技有限公司", w.HZ, 330106)
    w.cust_rep1 = customer("上海浦东金诚实业有限公司", w.REP1, 310115)
    w.cust_rep3 = customer("上海徐汇永兴商贸有限公司", w.REP3, 310104)

    def sale(no, seller, cust, district, qty, price, day):
        return record_order(order_no=no, kind="sell_out", seller_id=seller.id, customer_id=cust.id,
                            ship_to_district_id=district, order_date=day,
                            lines=[LineInput(w.product.id, qty, price)])

    w.order_ns = sale("SO-NS-1", w.NS, w.cust_ns, 440305, 2, 300000, date(2026, 10, 5))
    w.order_th = sale("SO-TH-1", w.TH, w.cust_th, 440106, 1, 280000, date(2026, 10, 8))
    w.order_hz = sale("SO-HZ-1", w.HZ, w.cust_hz, 330106, 1, 290000, date(2026, 10, 9))
    w.order_rep1 = sale("SO-REP1-1", w.REP1, w.cust_rep1, 310115, 1, 300000, date(2026, 10, 10))
    w.order_rep3 = sale("SO-REP3-1", w.REP3, w.cust_rep3, 310104, 1, 270000, date(2026, 10, 11))
    return w

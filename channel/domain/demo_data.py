"""A deterministic demo company, generated as plain row dicts (no database here).

`DemoCompany(divisions, agents=N, orders=M, seed=S, until=D).tables()` yields
`(table_name, [row, ...])` chunks in insertion order (parents before children), so that a
million order lines stream through bounded memory. The same arguments give the same rows.
"""
from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterator

from stdnum.cn import uscc

from channel.domain.customers import normalize_name
from channel.domain.territory_data import COUNTRY_ID, Division

CHUNK = 20000
MAINLAND = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65}
# Provinces the named demo agents hold: `agent` in Guangdong, `agent2` in Zhejiang.
AGENT_PROVINCE, AGENT2_PROVINCE = 440000, 330000

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强海燕雪梅文博晓东子涵思远嘉怡浩然雨轩欣怡宇航梓涵"
WORDS = "华盛 鑫源 恒通 汇丰 宏达 金诚 永兴 瑞丰 博远 天成 新创 众合 嘉禾 锦程 信达 安泰 东方 盛世 百川 聚宝 润泽 长城 九州 万象 同德 和顺 宏图 中联 正泰 远航".split()
INDUSTRIES = "贸易 商贸 科技 电器 实业 建材 酒店管理 餐饮管理 物业服务 医疗器械 教育咨询 电子 机电 环保工程 食品 连锁超市".split()
ROADS = "人民路 解放路 中山路 建设路 和平路 新华路 胜利路 朝阳路 文化路 青年路 长江路 黄河路 光明路 幸福路 迎宾大道 滨江路".split()

PRODUCTS = [
    # sku, name, category, cost, retail (yuan), has unit codes
    ("QY-RO-400", "清源 RO 反渗透净水器 400G", "净水设备", 1150, 2999, True),
    ("QY-RO-600", "清源 RO 反渗透净水器 600G", "净水设备", 1480, 3899, True),
    ("QY-RO-800C", "清源 商用净水机 800G", "净水设备", 3300, 8999, True),
    ("QY-UF-01", "清源 超滤净水器", "净水设备", 420, 1299, True),
    ("QY-PP-1", "PP 棉滤芯", "滤芯耗材", 18, 69, False),
    ("QY-CTO-1", "活性炭复合滤芯", "滤芯耗材", 35, 129, False),
    ("QY-RO-M", "RO 反渗透膜滤芯", "滤芯耗材", 160, 499, False),
    ("QY-AP-300", "清源 空气净化器 AP300", "空气净化", 760, 2199, True),
    ("QY-AP-600", "清源 商用空气净化器 AP600", "空气净化", 2100, 5999, True),
    ("QY-HF-H13", "H13 HEPA 滤网", "滤芯耗材", 90, 299, False),
    ("QY-SVC-Y", "年度上门维护服务", "服务", 120, 600, False),
    ("QY-IOT-1", "水质监测物联网模块", "配件", 140, 459, False),
]
SELL_IN_SHARE = (55, 62, 70, 80)  # % of retail an agent of level 1..4 pays
FLOOR_SHARE = 85  # % of retail: the lowest allowed resale price
DIRECT_SHARE = 0.25  # share of sell-out orders made by the direct team


@dataclass
class SellerRow:
    id: int
    code: str
    name: str
    channel: str
    level: int
    parent_id: int | None
    province: int
    city: int | None
    districts: list[int]


class DemoCompany:
    def __init__(self, divisions: list[Division], *, agents: int = 400, orders: int = 20000,
                 seed: int = 7, until: date | None = None):
        self.rng = random.Random(seed)
        self.n_agents = max(agents, 40)
        self.n_lines = max(orders, 100)
        self.until = until or date.today()
        self.start = self.until - timedelta(days=365)
        self.divisions = {d.id: d for d in divisions}
        self.cities_of: dict[int, list[int]] = defaultdict(list)
        self.districts_of: dict[int, list[int]] = defaultdict(list)
        for d in divisions:
            if d.level == 2:
                self.cities_of[d.parent_id].append(d.id)
            elif d.level == 3:
                self.districts_of[d.parent_id].append(d.id)
        for city in list(self.cities_of.values()):
            city.sort()
        self.sellers: list[SellerRow] = []
        self.users: list[dict] = []

    # -- helpers -------------------------------------------------------------------------
    def _districts(self, area: int) -> list[int]:
        """Districts inside a province or a city (a city with no districts stands for itself)."""
        d = self.divisions[area]
        if d.level == 3:
            return [area]
        if d.level == 2:
            return self.districts_of.get(area) or [area]
        result = []
        for city in self.cities_of.get(area, []):
            result.extend(self.districts_of.get(city) or [city])
        result.extend(self.districts_of.get(area, []))  # 省直辖县级
        return result or [area]

    def _person(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.randint(1, 2)))

    def _company(self, area: int) -> str:
        place = self.divisions[area].name
        for suffix in ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"):
            if place.endswith(suffix) and len(place) > len(suffix) + 1:
                place = place[: -len(suffix)]
                break
        return f"{place}{self.rng.choice(WORDS)}{self.rng.choice(INDUSTRIES)}有限公司"

    def _credit_code(self, area: int) -> str:
        body = "91" + f"{area:06d}" + "".join(self.rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
        return body + uscc.calc_check_digit(body)

    def _phone(self) -> str:
        return "1" + self.rng.choice("3456789") + "".join(self.rng.choice("0123456789") for _ in range(9))

    # -- the company ---------------------------------------------------------------------
    def _build_sellers(self) -> None:
        rng = self.rng
        n = self.n_agents
        provinces = sorted(p for p in self.cities_of if p // 10000 in MAINLAND)
        n1 = 1 if n < 5000 else 3
        n2 = min(len(provinces), max(2, n // 20))
        chosen = [AGENT_PROVINCE, AGENT2_PROVINCE] + [p for p in provinces if p not in (AGENT_PROVINCE, AGENT2_PROVINCE)]
        chosen = chosen[:n2]
        next_id = 1
        nationals = []
        for i in range(n1):
            s = SellerRow(next_id, f"A1{i + 1:04d}", f"{self._company(110000)}（总代理）", "agent", 1, None, 110000, None, [])
            self.sellers.append(s)
            nationals.append(s)
            next_id += 1
        provincials = []
        for i, province in enumerate(chosen):
            parent = nationals[i % len(nationals)]
            s = SellerRow(next_id, f"A2{i + 1:04d}", self._company(province), "agent", 2, parent.id, province, None, [province])
            self.sellers.append(s)
            provincials.append(s)
            next_id += 1
        all_cities = [(c, p) for p in provincials for c in self.cities_of[p.province]]
        n3 = min(len(all_cities), max(len(provincials) * 2, n // 8))
        # spread city agents over provinces round-robin so every province gets some
        by_province = defaultdict(list)
        for c, p in all_cities:
            by_province[p.id].append((c, p))
        picked = []
        while len(picked) < n3:
            for pid in list(by_province):
                if by_province[pid] and len(picked) < n3:
                    picked.append(by_province[pid].pop(0))
        city_agents = []
        for i, (city, parent) in enumerate(picked):
            s = SellerRow(next_id, f"A3{i + 1:05d}", self._company(city), "agent", 3, parent.id, parent.province, city, [city])
            self.sellers.append(s)
            city_agents.append(s)
            next_id += 1
        n4 = n - n1 - len(provincials) - len(city_agents)
        for i in range(n4):
            # the first city agents (in Guangdong, under `agent`) always get resellers
            parent = city_agents[i % len(city_agents)] if i < len(city_agents) else rng.choice(city_agents)
            districts = self._districts(parent.city)
            district = districts[i % len(districts)]
            s = SellerRow(next_id, f"A4{i + 1:06d}", self._company(district), "agent", 4, parent.id, parent.province, parent.city, [district])
            self.sellers.append(s)
            next_id += 1
        # direct team: director -> managers -> reps, each rep assigned a few cities
        n_reps = max(8, n // 500)
        n_managers = max(2, n_reps // 6)
        director = SellerRow(next_id, "D10001", self._person(), "direct", 1, None, 310000, None, [])
        self.sellers.append(director)
        next_id += 1
        managers = []
        regions = [AGENT_PROVINCE, 310000, 320000, 110000, 510000, 420000, AGENT2_PROVINCE, 370000]
        for i in range(n_managers):
            province = regions[i % len(regions)]
            s = SellerRow(next_id, f"D2{i + 1:04d}", self._person(), "direct", 2, director.id, province, None, [province])
            self.sellers.append(s)
            managers.append(s)
            next_id += 1
        for i in range(n_reps):
            manager = managers[i % len(managers)]
            cities = self.cities_of[manager.province] or [manager.province]
            city = cities[(i // len(managers)) % len(cities)]
            s = SellerRow(next_id, f"D3{i + 1:05d}", self._person(), "direct", 3, manager.id, manager.province, city, [city])
            self.sellers.append(s)
            next_id += 1

    def _seller_rows(self) -> Iterator[tuple[str, list[dict]]]:
        joined = self.start - timedelta(days=400)
        rows, closure, grants = [], [], []
        by_id = {s.id: s for s in self.sellers}
        payee = {1: "company", 2: "company", 3: "company", 4: "individual"}
        for s in self.sellers:
            area = s.districts[0] if s.districts else s.province
            is_agent = s.channel == "agent"
            rows.append(dict(
                id=s.id, code=s.code, name=s.name, channel=s.channel, level=s.level, parent_id=s.parent_id,
                payee_type=(payee[s.level] if is_agent else "employee"),
                credit_code=self._credit_code(area) if is_agent and s.level < 4 else None,
                contact_name=self._person() if is_agent else None, phone=self._phone(),
                home_territory_id=s.city or s.province, bank_name=self.rng.choice(["中国工商银行", "中国建设银行", "招商银行", "中国银行", "中国农业银行"]),
                bank_account="62" + "".join(self.rng.choice("0123456789") for _ in range(17)),
                active=True, joined_on=joined, deactivated_on=None,
            ))
            depth, node = 0, s
            while node is not None:
                closure.append(dict(ancestor_id=node.id, descendant_id=s.id, depth=depth, valid_from=joined, valid_to=None))
                node = by_id.get(node.parent_id) if node.parent_id else None
                depth += 1
            if s.channel == "agent" and s.level == 1:
                grants.append(dict(seller_id=s.id, territory_id=COUNTRY_ID, exclusive=False, valid_from=joined, valid_to=None))
            elif s.channel == "agent" and s.level == 3:
                grants.append(dict(seller_id=s.id, territory_id=s.districts[0], exclusive=True, valid_from=joined, valid_to=None))
            else:
                for area in s.districts:
                    grants.append(dict(seller_id=s.id, territory_id=area, exclusive=False, valid_from=joined, valid_to=None))
        yield from _chunks("seller", rows)
        yield from _chunks("seller_closure", closure)
        yield from _chunks("territory_grant", grants)

    def _products(self) -> Iterator[tuple[str, list[dict]]]:
        products, prices = [], []
        for pid, (sku, name, category, cost, retail, coded) in enumerate(PRODUCTS, start=1):
            products.append(dict(id=pid, sku=sku, name=name, category=category, unit="台" if coded else "件",
                                 cost_fen=cost * 100, retail_price_fen=retail * 100, has_unit_codes=coded, active=True))
            for level, share in enumerate(SELL_IN_SHARE, start=1):
                prices.append(dict(product_id=pid, kind="sell_in", level=level, price_fen=retail * share, valid_from=self.start))
            prices.append(dict(product_id=pid, kind="floor", level=None, price_fen=retail * FLOOR_SHARE, valid_from=self.start))
        yield "product", products
        yield "product_price", prices

    def _orders(self) -> Iterator[tuple[str, list[dict]]]:
        rng = self.rng
        sell_out_sellers = [s for s in self.sellers if (s.channel == "agent" and s.level >= 2) or (s.channel == "direct" and s.level == 3)]
        buyers = [s for s in self.sellers if s.channel == "agent"]
        direct_sellers = [s for s in sell_out_sellers if s.channel == "direct"]
        agent_sellers = [s for s in sell_out_sellers if s.channel == "agent" and s.level >= 3]
        provincial = [s for s in sell_out_sellers if s.channel == "agent" and s.level == 2]
        n_customers = max(len(sell_out_sellers) * 2, self.n_lines // 5)
        customers = []
        customers_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for cid in range(1, n_customers + 1):
            owner = sell_out_sellers[cid % len(sell_out_sellers)] if cid <= len(sell_out_sellers) else rng.choice(sell_out_sellers)
            district = rng.choice(self._districts(owner.districts[0]))
            name = self._company(district)
            customers.append(dict(
                id=cid, code=f"C{cid:07d}", name=name, name_norm=normalize_name(name), credit_code=self._credit_code(district) if rng.random() < 0.6 else None,
                contact_name=self._person(), phone=self._phone(),
                address=f"{self.divisions[district].name}{rng.choice(ROADS)}{rng.randint(1, 999)}号",
                district_id=district, owner_seller_id=owner.id,
            ))
            customers_of[owner.id].append((cid, district))
            if len(customers) >= CHUNK:
                yield "customer", customers
                customers = []
        if customers:
            yield "customer", customers

        days = (self.until - self.start).days
        retail = {pid: p[4] * 100 for pid, p in enumerate(PRODUCTS, start=1)}
        cost = {pid: p[3] * 100 for pid, p in enumerate(PRODUCTS, start=1)}
        all_districts = [d.id for d in self.divisions.values() if d.level == 3]
        orders, lines, returns = [], [], []
        order_id = line_id = return_id = 0
        written = 0
        while written < self.n_lines:
            order_id += 1
            day = self.start + timedelta(days=rng.randrange(days + 1))
            if rng.random() < 0.15:
                buyer = rng.choice(buyers)
                kind, seller, customer_id = "sell_in", buyer, None
                district = buyer.districts[0] if buyer.districts and self.divisions[buyer.districts[0]].level == 3 else rng.choice(self._districts(buyer.districts[0] if buyer.districts else buyer.province))
            else:
                # a quarter of sell-out orders come from the direct team, the rest from agents
                # and a few from the provincial agents themselves (so that they can qualify for overrides)
                draw = rng.random()
                seller = rng.choice(direct_sellers if draw < DIRECT_SHARE else provincial if draw < DIRECT_SHARE + 0.03 else agent_sellers)
                kind = "sell_out"
                customer_id, district = rng.choice(customers_of[seller.id]) if customers_of[seller.id] else (1, all_districts[0])
                if rng.random() < 0.02:  # deliberately out of territory (串货)
                    district = rng.choice(all_districts)
            n_lines = min(rng.randint(1, 4), self.n_lines - written)
            total = 0
            for line_no in range(1, n_lines + 1):
                line_id += 1
                pid = rng.randint(1, len(PRODUCTS))
                qty = rng.choice((1, 1, 1, 2, 2, 3, 5, 10))
                if kind == "sell_in":
                    price = retail[pid] * SELL_IN_SHARE[seller.level - 1] // 100
                    qty *= 5
                elif rng.random() < 0.02:  # deliberately below the floor (乱价)
                    price = retail[pid] * rng.randint(60, 84) // 100
                else:
                    price = retail[pid] * rng.randint(FLOOR_SHARE, 100) // 100
                amount = qty * price
                total += amount
                lines.append(dict(
                    id=line_id, order_id=order_id, line_no=line_no, product_id=pid, qty=qty, unit_price_fen=price,
                    unit_cost_fen=cost[pid], amount_fen=amount, kind=kind, seller_id=seller.id, order_date=day,
                    ship_to_district_id=district,
                ))
                if kind == "sell_out" and rng.random() < 0.015:
                    back = day + timedelta(days=rng.randint(3, 60))
                    if back <= self.until:
                        return_id += 1
                        rqty = rng.randint(1, qty)
                        returns.append(dict(id=return_id, return_no=f"R{return_id:08d}", order_line_id=line_id, qty=rqty,
                                            amount_fen=rqty * price, return_date=back, reason="质量问题" if rng.random() < 0.5 else "客户退订",
                                            seller_id=seller.id))
            written += n_lines
            orders.append(dict(
                id=order_id, order_no=f"SO{day:%Y%m}{order_id:08d}", external_id=None, kind=kind, channel=seller.channel,
                seller_id=seller.id, customer_id=customer_id, ship_to_district_id=district, order_date=day, total_fen=total,
            ))
            if len(lines) >= CHUNK:
                yield "sales_order", orders
                yield "order_line", lines
                orders, lines = [], []
        if orders:
            yield "sales_order", orders
            yield "order_line", lines
        yield from _chunks("return_line", returns)

    def named_sellers(self) -> dict[str, int]:
        """Seller ids for the demo logins: provincial agents in two provinces, a rep, the director."""
        agent = next(s for s in self.sellers if s.channel == "agent" and s.level == 2 and s.province == AGENT_PROVINCE)
        agent2 = next(s for s in self.sellers if s.channel == "agent" and s.level == 2 and s.province == AGENT2_PROVINCE)
        rep = next(s for s in self.sellers if s.channel == "direct" and s.level == 3)
        director = next(s for s in self.sellers if s.channel == "direct" and s.level == 1)
        return {"agent": agent.id, "agent2": agent2.id, "rep": rep.id, "director": director.id}

    def tables(self) -> Iterator[tuple[str, list[dict]]]:
        self._build_sellers()
        yield from self._seller_rows()
        yield from self._products()
        yield from self._orders()


def _chunks(table: str, rows: list[dict]) -> Iterator[tuple[str, list[dict]]]:
    for i in range(0, len(rows), CHUNK):
        yield table, rows[i:i + CHUNK]

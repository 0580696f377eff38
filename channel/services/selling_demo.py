"""Demo data of the selling feature over the demo company (`flask --app app selling demo`):
targets, contacts, eight weeks of activities with tasks, holidays, a training with
certifications, an application and some product feedback. Deterministic (seeded)."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, insert, select

from channel.domain import selling_kpi as kpi
from channel.domain.errors import DomainError, N_
from channel.services import selling
from models import db, utcnow
from models.catalog import Product
from models.sales import Customer
from models.selling import (
    Activity, AgentApplication, Certification, CustomerContact, Feedback, Greeting, KpiTarget, Opportunity, Task,
)
from models.tree import Seller

HOLIDAYS = (("元旦", 1, 1), ("春节", 2, 17), ("中秋节", 9, 25), ("国庆节", 10, 1))
NAMES = "王李张刘陈杨赵黄周吴"


def load_selling_demo(*, today: date, seed: int = 11) -> dict[str, int]:
    """Insert the demo rows in one transaction. Refused when activities already exist."""
    if db.session.scalar(select(func.count()).select_from(Activity)):
        raise DomainError(N_("已经有活动数据；销售演示数据只装入一次。"))
    rng = random.Random(seed)
    direct = db.session.scalars(select(Seller).where(Seller.channel == "direct", Seller.active.is_(True))
                                .order_by(Seller.id)).all()
    agents = db.session.scalars(select(Seller).where(Seller.channel == "agent", Seller.active.is_(True))
                                .order_by(Seller.level, Seller.id).limit(60)).all()
    sellers = direct + agents
    customers_by_owner: dict[int, list[int]] = {}
    for cid, owner in db.session.execute(select(Customer.id, Customer.owner_seller_id)
                                         .where(Customer.owner_seller_id.in_([s.id for s in sellers]))):
        customers_by_owner.setdefault(owner, []).append(cid)
    for metric, period, target, channel in (("calls", "day", 60, "direct"), ("first_contacts", "day", 20, "direct"),
                                            ("visits", "week", 5, "direct"), ("calls", "day", 20, "agent"),
                                            ("visits", "week", 3, "agent")):
        db.session.add(KpiTarget(metric=metric, period=period, target=target, channel=channel))
    for name, month, day in HOLIDAYS:
        db.session.add(Greeting(name=name, month=month, day=day))
    contacts = []
    for owner, cids in customers_by_owner.items():
        for cid in cids[:6]:
            for role in rng.sample(["acceptor", "dissatisfied", "decision_maker"], rng.randint(1, 3)):
                contacts.append(dict(customer_id=cid, name=rng.choice(NAMES) + rng.choice(["总", "经理", "主任", "工"]),
                                     role=role, birthday=date(1970 + rng.randrange(30), rng.randint(1, 12), rng.randint(1, 28)),
                                     created_at=datetime.combine(today, time())))
    db.session.execute(insert(CustomerContact), contacts)
    activities = []
    first_day = kpi.week_start(today) - timedelta(weeks=7)
    now = utcnow()
    for seller in sellers:
        cids = customers_by_owner.get(seller.id)
        if not cids:
            continue
        per_day = 12 if seller.channel == "direct" else 4
        for offset in range((today - first_day).days + 1):
            day = first_day + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            for _ in range(rng.randint(per_day // 2, per_day)):
                local = datetime.combine(day, time(9)) + timedelta(minutes=rng.randrange(10 * 60))
                if day == today and kpi.to_utc(local) > now:  # nothing later than now today
                    continue
                kind = rng.choices(["call_first", "call_follow", "visit", "training"], [4, 6, 1, 0.2])[0]
                activities.append(dict(seller_id=seller.id, kind=kind, customer_id=rng.choice(cids),
                                       occurred_at=kpi.to_utc(local), outcome="演示记录",
                                       created_at=kpi.to_utc(local)))
    db.session.execute(insert(Activity), activities)
    stages = selling.stages()
    products = db.session.scalars(select(Product).order_by(Product.id)).all()
    for owner, cids in list(customers_by_owner.items())[:20]:
        cid = cids[0]
        db.session.add(Opportunity(customer_id=cid, seller_id=owner, stage_id=rng.choice(stages[:6]).id,
                                   title="年度采购", amount_fen=rng.randint(10, 200) * 100000))
        db.session.add(Task(seller_id=owner, customer_id=cid, source="next_step", title="发送报价单",
                            due_on=today + timedelta(days=rng.randint(0, 3))))
        if products:
            db.session.add(Feedback(seller_id=owner, customer_id=cid, product_id=rng.choice(products).id,
                                    is_request=rng.random() < 0.5, body=rng.choice(
                                        ["希望有更长的保修期", "滤芯更换提醒要更明显", "需要英文说明书", "安装时间太长"])))
    _certify_for_demo_plans(rng, today)
    db.session.add(AgentApplication(company="佛山顺达贸易有限公司", credit_code="91350100M000100Y43",
                                    contact_name="陈先生", territory_id=440600, level=3, capacity="10 人团队，3 家门店"))
    db.session.commit()
    return {"activities": len(activities), "contacts": len(contacts)}


def _certify_for_demo_plans(rng: random.Random, today: date) -> None:
    """Certify agents with the codes the demo plans gate tiers on (commissions.demo_plan_specs),
    at the level of the plan: of the first 20 such agents, half hold the code from before the
    months the demo runs (the gated bracket pays), a quarter held it until before those months
    (expired: the bracket below is paid) and a quarter never took it."""
    from channel.services.commissions import demo_plan_specs

    gates = sorted({(spec.level, tier.certification) for spec in demo_plan_specs(today)
                    for tier in spec.tiers if tier.certification and spec.channel == "agent"},
                   key=lambda gate: (gate[0] or 0, gate[1]))
    for level, code in gates:
        query = select(Seller.id).where(Seller.channel == "agent", Seller.active.is_(True))
        if level is not None:
            query = query.where(Seller.level == level)
        for number, seller_id in enumerate(db.session.scalars(query.order_by(Seller.id).limit(20))):
            if number % 4 == 3:
                continue
            if number % 4 == 1:  # expired 4 to 10 months ago
                certified_on, expires_on = today - timedelta(days=rng.randint(400, 700)), \
                    today - timedelta(days=rng.randint(120, 300))
            else:
                certified_on, expires_on = today - timedelta(days=rng.randint(120, 400)), \
                    today + timedelta(days=rng.randint(30, 300))
            db.session.add(Certification(seller_id=seller_id, code=code, passed=True, certified_on=certified_on,
                                         expires_on=expires_on))

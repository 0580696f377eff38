"""Use cases of selling well: activities and their reminders, KPI targets and the KPI board,
customer contacts and opportunities, maintenance reminders and greetings. Each use case
commits once; object-level access goes through channel/services/access.py."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import Date, and_, cast, exists, func, or_, select
from sqlalchemy.orm import joinedload

from channel.domain import selling as rules
from channel.domain import selling_kpi as kpi
from channel.domain.errors import DomainError, N_, NC_, NotFound
from channel.domain.money import check_amount
from channel.domain.paging import MAX_ID
from channel.services import audit
from channel.services.orders import customer_id_by_code
from channel.services.clock import business_today
from channel.services.access import (
    require_customer, require_owned, require_role, require_seller, scope_by_seller,
)
from channel.services.tree import subtree_ids
from models import db, sql_day, utcnow
from models.sales import Customer
from models.selling import (
    ACTIVITY_KINDS, CONTACT_ROLES, TASK_GREETING, TASK_MAINTENANCE, TASK_NEXT_STEP, Activity, CustomerContact,
    Greeting, KpiTarget, Opportunity, OpportunityStage, Task,
)
from models.tree import Seller
from models.users import MANAGING_ROLES, User

MANAGERS = MANAGING_ROLES

# the built-in titles a reminder task of each source may carry (channel.domain.selling)
REMINDER_TITLES = {TASK_MAINTENANCE: (rules.MAINTENANCE_TITLE,),
                   TASK_GREETING: (rules.HOLIDAY_GREETING_TITLE, rules.BIRTHDAY_GREETING_TITLE)}


def stage_name(name: str) -> str:
    """An opportunity stage's name as shown: a default stage's in the request's language, any
    other as it was typed."""
    from channel.i18n import translate

    return translate(name) if name in rules.DEFAULT_STAGE_NAMES else name


def task_title(task: Task) -> str:
    """A task's title as shown: a reminder's built-in title in the request's language (the names
    in it as stored), a title someone typed (a next step) as typed."""
    from channel.i18n import translate

    made = rules.made_from(REMINDER_TITLES.get(task.source, ()), task.title)
    if made is None:
        return task.title
    template, params = made
    return translate(template) % params


def today_in_shanghai() -> date:
    return business_today()


# --- activities and tasks -------------------------------------------------------------------


def _db_id(number: int | None) -> bool:
    """Whether `number` can be a row id (an INTEGER column on both backends): a larger one is
    no row, never an overflow in the driver."""
    return number is not None and 1 <= number <= MAX_ID


def customer_by_ref(user: User, ref: str | int | None) -> int | None:
    """The id of the customer named by its code as the pages show it (C0000399, in any letter
    case) or by its number (399), if `user` may see it; None when empty. A code wins over a number. NotFound (field
    customer_id) otherwise — the same answer for a customer that does not exist, a number out of
    range and a customer outside the user's scope."""
    text = str(ref if ref is not None else "").strip()
    if not text:
        return None
    customer_id = customer_id_by_code(text)
    if customer_id is None and text.isdecimal() and _db_id(int(text)):  # isdigit() lets "²" through to int()
        customer_id = int(text)
    try:
        if customer_id is None:
            raise NotFound(N_("没有这个客户，或您无权查看。"))
        require_customer(user, customer_id)
    except NotFound as error:
        raise NotFound(error.message, field="customer_id", **error.params) from None
    return customer_id


def contact_by_ref(customer_id: int | None, ref: str | int | None) -> int | None:
    """The id of the contact of customer `customer_id` named by `ref`: the person's name as the
    customer page lists it, or the contact's number. None when empty. DomainError (field
    contact_id) when no contact of that customer has that name or number, or when two of them
    share the name (then the number tells them apart)."""
    text = str(ref if ref is not None else "").strip()
    if not text:
        return None
    if customer_id is None:
        raise DomainError(N_("请先填写客户，再填写联系人。"), field="contact_id")
    ids = list(db.session.scalars(select(CustomerContact.id).where(
        CustomerContact.customer_id == customer_id, CustomerContact.name == text).limit(2)))
    if len(ids) > 1:
        raise DomainError(N_("这个客户有多位联系人叫“%(name)s”：请填写联系人编号。"), field="contact_id", name=text)
    if ids:
        return ids[0]
    if text.isdecimal() and _db_id(int(text)):
        contact = db.session.get(CustomerContact, int(text))
        if contact is not None and contact.customer_id == customer_id:
            return contact.id
    raise DomainError(N_("该联系人不属于这个客户。"), field="contact_id")


def log_activity(
    user: User,
    *,
    seller_id: int,
    kind: str,
    customer_id: int | None = None,
    contact_id: int | None = None,
    occurred_at: datetime | None = None,
    outcome: str | None = None,
    next_step: str | None = None,
    next_due_on: date | None = None,
) -> Activity:
    """Log a call/visit/training for a seller the user may see (naive-UTC `occurred_at`,
    now by default). A next step becomes a task due on `next_due_on` (default: the next
    Shanghai day after the activity)."""
    require_seller(user, seller_id)
    if kind not in ACTIVITY_KINDS:
        raise DomainError(N_("未知的活动类型。"), field="kind")
    if kind != "training" and customer_id is None:
        raise DomainError(N_("电话和拜访必须选择客户。"), field="customer_id")
    if customer_id is not None:
        require_customer(user, customer_id)
    if contact_id is not None:
        contact = db.session.get(CustomerContact, contact_id) if _db_id(contact_id) else None
        if contact is None or contact.customer_id != customer_id:
            raise DomainError(N_("该联系人不属于这个客户。"), field="contact_id")
    now = utcnow()
    occurred_at = occurred_at or now
    rules.check_activity_time(occurred_at, now, timedelta(days=int(current_app.config.get(
        "SELLING_ACTIVITY_MAX_AGE_DAYS", rules.MAX_ACTIVITY_AGE.days))))
    if next_step and next_due_on is not None:
        rules.check_due_date(next_due_on, kpi.shanghai_day(now))
    activity = Activity(
        seller_id=seller_id, kind=kind, customer_id=customer_id, contact_id=contact_id, occurred_at=occurred_at,
        outcome=outcome or None, next_step=next_step or None, logged_by_id=user.id,
    )
    db.session.add(activity)
    db.session.flush()
    if next_step:
        due = next_due_on or kpi.shanghai_day(occurred_at) + timedelta(days=1)
        db.session.add(Task(seller_id=seller_id, customer_id=customer_id, activity_id=activity.id,
                            source=TASK_NEXT_STEP, title=next_step, due_on=due))
    db.session.commit()
    return activity


def activities_query(user: User, *, seller_id: int | None = None, customer_id: int | None = None):
    """SELECT of the activities of sellers the user may see, latest first by the time they
    happened, then by id (the selling home page, the customer page and the activities export)."""
    query = scope_by_seller(select(Activity), user, Activity.seller_id)
    if seller_id is not None:
        query = query.where(Activity.seller_id.in_(subtree_ids(seller_id)))
    if customer_id is not None:
        query = query.where(Activity.customer_id == customer_id)
    return query.order_by(Activity.occurred_at.desc(), Activity.id.desc())


def recent_activities(user: User, *, seller_id: int | None = None, customer_id: int | None = None,
                      before_id: int | None = None, size: int = 50) -> list[Activity]:
    """Latest first by time, then id (keyset after the activity `before_id`); only activities of
    sellers the user may see. The cursor is one of them too: NotFound for any other id (the
    same answer for one that does not exist and one outside the user's scope)."""
    query = activities_query(user, seller_id=seller_id, customer_id=customer_id)
    if before_id:
        if not _db_id(before_id):
            raise NotFound(N_("没有这条记录，或您无权查看。"))
        before = require_owned(user, Activity, before_id)
        query = query.where(or_(Activity.occurred_at < before.occurred_at,
                                and_(Activity.occurred_at == before.occurred_at, Activity.id < before.id)))
    return list(db.session.scalars(query.limit(size)))


def open_tasks_query(user: User, *, due_until: date | None = None, seller_id: int | None = None):
    """SELECT of the open tasks (not done) of sellers the user may see, earliest due first."""
    query = scope_by_seller(select(Task), user, Task.seller_id).where(Task.done_at.is_(None))
    if due_until is not None:
        query = query.where(Task.due_on <= due_until)
    if seller_id is not None:
        query = query.where(Task.seller_id == seller_id)
    return query.order_by(Task.due_on, Task.id)


def open_tasks(user: User, *, due_until: date | None = None, seller_id: int | None = None, size: int = 200) -> list[Task]:
    """Open tasks (not done) of sellers the user may see, earliest due first."""
    return list(db.session.scalars(open_tasks_query(user, due_until=due_until, seller_id=seller_id).limit(size)))


def complete_task(user: User, task_id: int) -> Task:
    task = require_owned(user, Task, task_id, NC_("selling task", "没有这个任务，或您无权查看。"))
    if task.done_at is None:
        task.done_at = utcnow()
        db.session.commit()
    return task


# --- KPI targets and board ------------------------------------------------------------------


def set_target(user: User, *, metric: str, period: str, target: int, channel: str | None = None,
               seller_id: int | None = None) -> KpiTarget:
    """Set (or replace) a target per role (channel) or per seller. Managers only."""
    require_role(user, *MANAGERS)
    kpi.check_target(metric, period, target, channel, seller_id)
    if seller_id is not None:
        require_seller(user, seller_id)
    row = db.session.scalar(select(KpiTarget).where(
        KpiTarget.metric == metric, KpiTarget.period == period,
        KpiTarget.seller_id == seller_id if seller_id is not None else KpiTarget.seller_id.is_(None),
        KpiTarget.channel == channel if channel is not None else KpiTarget.channel.is_(None),
    ))
    if row is None:
        row = KpiTarget(metric=metric, period=period, channel=channel, seller_id=seller_id, target=target)
        db.session.add(row)
    row.target = target
    row.set_by_id = user.id
    db.session.flush()
    audit.record(user.id, "selling.kpi_target", "kpi_target", row.id,
                 {"metric": metric, "period": period, "target": target, "channel": channel, "seller_id": seller_id})
    db.session.commit()
    return row


def delete_target(user: User, target_id: int) -> None:
    require_role(user, *MANAGERS)
    row = db.session.get(KpiTarget, target_id)
    if row is None:
        raise NotFound(N_("没有这个目标。"))
    db.session.delete(row)
    db.session.commit()


def targets_query():
    """SELECT of the KPI targets: channel-wide ones first (the KPI page's managers' list, its
    export and the board's rules)."""
    return select(KpiTarget).order_by(KpiTarget.seller_id.is_not(None), KpiTarget.channel, KpiTarget.metric,
                                      KpiTarget.period)


def targets() -> list[KpiTarget]:
    return list(db.session.scalars(targets_query()))


def _rules() -> list[kpi.TargetRule]:
    return [kpi.TargetRule(t.metric, t.period, t.target, t.channel, t.seller_id) for t in targets()]


def _shanghai_date_expr():
    """SQL: the Shanghai calendar date of Activity.occurred_at (naive UTC + 8 hours)."""
    if db.engine.dialect.name == "sqlite":
        return func.date(Activity.occurred_at, f"+{int(kpi.SHANGHAI_OFFSET.total_seconds() // 3600)} hours")
    return cast(Activity.occurred_at + kpi.SHANGHAI_OFFSET, Date)


def activity_counts(seller_ids, first_day: date, last_day: date) -> dict[tuple[int, date, str], int]:
    """(seller_id, Shanghai day, kind) -> number of activities, for Shanghai days
    first_day..last_day, in one GROUP BY. `seller_ids` is a list or a SELECT of ids."""
    start, end = kpi.utc_bounds(first_day, last_day)
    local_day = _shanghai_date_expr().label("local_day")
    rows = db.session.execute(
        select(Activity.seller_id, local_day, Activity.kind, func.count())
        .where(Activity.occurred_at >= start, Activity.occurred_at < end, Activity.seller_id.in_(seller_ids))
        .group_by(Activity.seller_id, local_day, Activity.kind)
    ).all()
    return {
        (seller_id, sql_day(on), kind): n
        for seller_id, on, kind, n in rows
    }


BOARD_LIMIT = 300


def board_sellers(user: User, *, channel: str, root_id: int | None = None) -> list[tuple[int, str, str]]:
    """The sellers on the board: those the user may see, of `channel`, under `root_id` when
    given (itself included); at most BOARD_LIMIT, by level then code."""
    query = select(Seller.id, Seller.name, Seller.channel).where(Seller.channel == channel, Seller.active.is_(True))
    query = scope_by_seller(query, user, Seller.id)
    if root_id is not None:
        require_seller(user, root_id)
        query = query.where(Seller.id.in_(subtree_ids(root_id)))
    return [tuple(row) for row in db.session.execute(query.order_by(Seller.level, Seller.code).limit(BOARD_LIMIT))]


def kpi_board(user: User, *, day: date, channel: str, root_id: int | None = None, weeks: int = 8) -> dict:
    """Each seller's actual vs target for `day` and its ISO week (Shanghai), the team's totals
    and the weekly trend of the last `weeks` weeks (team totals)."""
    sellers = board_sellers(user, channel=channel, root_id=root_id)
    ids = [s[0] for s in sellers]
    monday = kpi.week_start(day)
    first = monday - timedelta(weeks=weeks - 1)
    counts = activity_counts(ids, first, monday + timedelta(days=6)) if ids else {}
    rows, total = kpi.build_board(sellers, counts, _rules(), day)
    mondays = [first + timedelta(weeks=i) for i in range(weeks)]
    return {"rows": rows, "total": total, "trend": kpi.weekly_trend(counts, mondays), "mondays": mondays,
            "day": day, "monday": monday, "sunday": monday + timedelta(days=6), "truncated": len(sellers) >= BOARD_LIMIT}


# --- contacts and opportunities -------------------------------------------------------------


def add_contact(user: User, *, customer_id: int, name: str, role: str, title: str | None = None,
                phone: str | None = None, birthday: date | None = None) -> CustomerContact:
    require_customer(user, customer_id)
    if role not in CONTACT_ROLES:
        raise DomainError(N_("未知的联系人角色。"), field="role")
    if birthday is not None:
        rules.check_birthday(birthday, today_in_shanghai())
    contact = CustomerContact(customer_id=customer_id, name=name.strip(), role=role, title=title or None,
                              phone=phone or None, birthday=birthday)
    db.session.add(contact)
    db.session.commit()
    return contact


def contacts_of(customer_id: int) -> list[CustomerContact]:
    return list(db.session.scalars(select(CustomerContact).where(CustomerContact.customer_id == customer_id)
                                   .order_by(CustomerContact.role, CustomerContact.id)))


def stages() -> list[OpportunityStage]:
    """The configured stages in order; the default set is created the first time."""
    rows = list(db.session.scalars(select(OpportunityStage).order_by(OpportunityStage.position)))
    if not rows:
        for position, (name, closed, won) in enumerate(rules.DEFAULT_STAGES, start=1):
            db.session.add(OpportunityStage(name=name, position=position * 10, closed=closed, won=won))
        db.session.commit()
        rows = list(db.session.scalars(select(OpportunityStage).order_by(OpportunityStage.position)))
    return rows


def add_stage(user: User, *, name: str, position: int, closed: bool = False, won: bool = False) -> OpportunityStage:
    require_role(user, *MANAGERS)
    stages()
    if won and not closed:
        raise DomainError(N_("赢单阶段也是结束阶段：请同时勾选“结束阶段”。"), field="won")
    if position < 0:
        raise DomainError(N_("顺序不能为负数。"), field="position")
    if db.session.scalar(select(OpportunityStage.id).where(OpportunityStage.name == name)) is not None:
        raise DomainError(N_("阶段 %(name)s 已存在。"), field="name", name=name)
    stage = OpportunityStage(name=name, position=position, closed=closed, won=won)
    db.session.add(stage)
    db.session.commit()
    return stage


def open_opportunity(user: User, *, customer_id: int, title: str, amount_fen: int = 0, stage_id: int | None = None,
                     expected_on: date | None = None) -> Opportunity:
    """An opportunity for the customer's owner, in `stage_id` (default: the first stage)."""
    customer = require_customer(user, customer_id)
    all_stages = stages()
    stage = next((s for s in all_stages if s.id == stage_id), None) if stage_id else all_stages[0]
    if stage is None:
        raise DomainError(N_("没有这个阶段。"), field="stage_id")
    check_amount(amount_fen, "amount")
    rules.check_expected_close(expected_on, today_in_shanghai(), closing=stage.closed)
    opp = Opportunity(customer_id=customer_id, seller_id=customer.owner_seller_id, stage_id=stage.id, title=title,
                      amount_fen=amount_fen, expected_on=expected_on)
    db.session.add(opp)
    db.session.commit()
    return opp


UNCHANGED = object()  # move_opportunity: the expected close date is left as stored


def move_opportunity(user: User, opportunity_id: int, stage_id: int | None,
                     expected_on: date | None | object = UNCHANGED) -> Opportunity:
    """Move an opportunity the user may see (NotFound otherwise) to a stage and, unless
    `expected_on` is UNCHANGED, set its expected close date (None clears it). DomainError
    (field stage_id) for no stage or one that does not exist; (field expected_on) for a date
    refused by rules.check_expected_close: a stored past date may stay, a new one may not, except
    on a closing stage."""
    opp = require_opportunity(user, opportunity_id)
    stage = db.session.get(OpportunityStage, stage_id) if _db_id(stage_id) else None
    if stage is None:
        raise DomainError(N_("没有这个阶段。"), field="stage_id")
    if expected_on is not UNCHANGED:
        rules.check_expected_close(expected_on, today_in_shanghai(), closing=stage.closed, stored=opp.expected_on)
        opp.expected_on = expected_on
    opp.stage_id = stage.id
    opp.updated_at = utcnow()
    db.session.commit()
    return opp


def require_opportunity(user: User, opportunity_id: int) -> Opportunity:
    """The opportunity, if `user` may see its seller; NotFound otherwise (also when it does not exist)."""
    return require_owned(user, Opportunity, opportunity_id, N_("没有这个商机，或您无权查看。"))


def opportunities_of(user: User, customer_id: int) -> list[Opportunity]:
    query = scope_by_seller(select(Opportunity), user, Opportunity.seller_id).where(Opportunity.customer_id == customer_id)
    return list(db.session.scalars(query.order_by(Opportunity.id.desc())))


def opportunity_report(user: User, *, days: int, today: date | None = None, size: int | None = 500) -> list[dict]:
    """Open opportunities (stage not closed) in scope that have no decision-maker contact or
    no activity with the customer for `days` days or more; one query (`size` None: all)."""
    return list(opportunity_report_rows(user, days=days, today=today, size=size))


def opportunity_report_rows(user: User, *, days: int, today: date | None = None, size: int | None = None):
    """The rows of `opportunity_report`, streamed (the page shows the first 500, the export all):
    dicts of opportunity, has_decision_maker, last_contact_on (a Shanghai date) and stale."""
    today = today or today_in_shanghai()
    cutoff_day = rules.stale_cutoff(today, days)
    cutoff_utc, _ = kpi.utc_bounds(cutoff_day, cutoff_day)
    has_dm = exists().where(CustomerContact.customer_id == Opportunity.customer_id,
                            CustomerContact.role == "decision_maker")
    last_contact = (select(func.max(Activity.occurred_at)).where(Activity.customer_id == Opportunity.customer_id)
                    .correlate(Opportunity).scalar_subquery())
    query = (
        select(Opportunity, has_dm.label("has_dm"), last_contact.label("last_contact"))
        .join(OpportunityStage, OpportunityStage.id == Opportunity.stage_id)
        .where(OpportunityStage.closed.is_(False))
        .where(~has_dm | last_contact.is_(None) | (last_contact < cutoff_utc))
        .options(joinedload(Opportunity.customer), joinedload(Opportunity.seller), joinedload(Opportunity.stage))
    )
    query = scope_by_seller(query, user, Opportunity.seller_id).order_by(Opportunity.id)
    if size is not None:
        query = query.limit(size)
    for opp, dm, last in db.session.execute(query.execution_options(yield_per=1000)):
        last_day = kpi.shanghai_day(last) if last else None
        yield {"opportunity": opp, "has_decision_maker": bool(dm), "last_contact_on": last_day,
               "stale": rules.is_stale(last_day, today, days)}


def customer_summary(user: User, customer_id: int) -> dict:
    """The buyer's roles covered at a customer the user may see, and the product managers'
    answers to feedback about it."""
    from channel.services import selling_feedback

    require_customer(user, customer_id)
    answered = [f for f in selling_feedback.feedback_list(user, customer_id=customer_id, size=20) if f.reply]
    return {"coverage": rules.role_coverage([c.role for c in contacts_of(customer_id)]), "answered": answered}


def customer_selling_page(user: User, customer_id: int) -> dict:
    """Everything of this feature about one customer the user may see."""
    from channel.services import selling_feedback

    customer = require_customer(user, customer_id)
    contacts = contacts_of(customer_id)
    return {
        "customer": customer,
        "contacts": contacts,
        "coverage": rules.role_coverage([c.role for c in contacts]),
        "opportunities": opportunities_of(user, customer_id),
        "activities": recent_activities(user, customer_id=customer_id, size=20),
        "feedback": selling_feedback.feedback_list(user, customer_id=customer_id),
        "tasks": list(db.session.scalars(scope_by_seller(select(Task), user, Task.seller_id).where(
            Task.customer_id == customer_id, Task.done_at.is_(None)).order_by(Task.due_on))),
        "stages": stages(),
    }


# --- maintenance reminders and greetings ----------------------------------------------------


def _add_tasks(candidates: list[tuple[int, int | None, str, str, str]], due_on: date) -> int:
    """Insert tasks (seller_id, customer_id, dedup_key, title, source) whose key is new."""
    keys = [c[2] for c in candidates]
    known: set[str] = set()
    for i in range(0, len(keys), 500):
        known |= set(db.session.scalars(select(Task.dedup_key).where(Task.dedup_key.in_(keys[i:i + 500]))))
    made = 0
    for seller_id, customer_id, key, title, source in candidates:
        if key in known:
            continue
        known.add(key)
        db.session.add(Task(seller_id=seller_id, customer_id=customer_id, source=source, title=title,
                            due_on=due_on, dedup_key=key))
        made += 1
    return made


def generate_reminders(*, today: date, stale_days: int, high_value_ids: list[int] | None = None) -> dict[str, int]:
    """Create today's tasks, idempotently: a maintenance reminder for each high-value customer
    (default: class A of the overall Pareto) with no activity for `stale_days` days (once per
    stale stretch), a holiday greeting for each customer with a contact on a greeting day, and
    a birthday greeting for each contact born on this month and day. Commits once."""
    from channel.services import selling_value

    if high_value_ids is None:
        high_value_ids = selling_value.class_a_customers()
    cutoff_day = rules.stale_cutoff(today, stale_days)
    cutoff_utc, _ = kpi.utc_bounds(cutoff_day, cutoff_day)
    candidates = []
    last = (select(Activity.customer_id, func.max(Activity.occurred_at).label("last"))
            .group_by(Activity.customer_id).subquery())
    for i in range(0, len(high_value_ids), 500):
        chunk = high_value_ids[i:i + 500]
        for cid, owner, name, last_at in db.session.execute(
            select(Customer.id, Customer.owner_seller_id, Customer.name, last.c.last)
            .outerjoin(last, last.c.customer_id == Customer.id)
            .where(Customer.id.in_(chunk), (last.c.last.is_(None)) | (last.c.last < cutoff_utc))
        ):
            stamp = last_at.isoformat() if last_at else "never"
            candidates.append((owner, cid, f"maint:{cid}:{stamp}"[:80], rules.MAINTENANCE_TITLE % {"customer": name},
                               TASK_MAINTENANCE))
    holidays = [g for g in db.session.scalars(select(Greeting).where(Greeting.active.is_(True)))
                if rules.anniversary_in(g.month, g.day, today.year) == today]
    if holidays:
        with_contacts = db.session.execute(
            select(Customer.id, Customer.owner_seller_id, Customer.name)
            .where(exists().where(CustomerContact.customer_id == Customer.id))
        ).all()
        for greeting in holidays:
            for cid, owner, name in with_contacts:
                candidates.append((owner, cid, f"greet:{greeting.id}:{cid}:{today.year}",
                                   rules.HOLIDAY_GREETING_TITLE % {"holiday": greeting.name, "customer": name},
                                   TASK_GREETING))
    months = [today.month]
    birthday_days = [today.day]
    if today.month == 2 and today.day == 28 and rules.anniversary_in(2, 29, today.year) == today:
        birthday_days.append(29)
    for contact_id, cid, owner, person in db.session.execute(
        select(CustomerContact.id, Customer.id, Customer.owner_seller_id, CustomerContact.name)
        .join(Customer, Customer.id == CustomerContact.customer_id)
        .where(func.extract("month", CustomerContact.birthday).in_(months),
               func.extract("day", CustomerContact.birthday).in_(birthday_days))
    ):
        candidates.append((owner, cid, f"bday:{contact_id}:{today.year}", rules.BIRTHDAY_GREETING_TITLE % {"person": person},
                           TASK_GREETING))
    made = {TASK_MAINTENANCE: 0, TASK_GREETING: 0}
    for source in made:
        made[source] = _add_tasks([c for c in candidates if c[4] == source], today)
    db.session.commit()
    return made


def add_greeting(user: User, *, name: str, month: int, day: int) -> Greeting:
    require_role(user, *MANAGERS)
    try:
        rules.anniversary_in(month, day, 2024)  # a leap year: 29 February is allowed
    except ValueError:
        raise DomainError(N_("日期无效。"), field="day") from None
    greeting = Greeting(name=name, month=month, day=day)
    db.session.add(greeting)
    db.session.commit()
    return greeting


def greetings() -> list[Greeting]:
    return list(db.session.scalars(select(Greeting).order_by(Greeting.month, Greeting.day)))

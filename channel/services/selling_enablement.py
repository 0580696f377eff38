"""Agent enablement: product trainings with attendance, certifications (rows of the
`certification` contract table read by the commission engine), and recruitment (招商)
applications reviewed against the territory map and approved into a new agent with its grant."""
from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import or_, select

from channel.domain import selling as rules
from channel.domain.customers import clean_credit_code
from channel.domain.errors import Conflict, DomainError, N_, NotFound
from channel.domain.periods import check_day
from channel.domain.tree import Place, periods_overlap, territories_nest
from channel.services import audit, tree
from channel.services.access import require_role, require_seller, scope_by_seller
from channel.services.sellers import visible_by_code
from models import db, utcnow
from models.catalog import Product
from models.selling import AgentApplication, Certification, Training, TrainingAttendance
from models.territory import Territory
from models.tree import CHANNEL_AGENT, Seller, TerritoryGrant
from models.users import MANAGING_ROLES, User

MANAGERS = MANAGING_ROLES


# --- trainings and certifications ---------------------------------------------------------


def add_training(user: User, *, title: str, held_on: date, product_id: int | None = None,
                 certification_code: str | None = None) -> Training:
    require_role(user, *MANAGERS)
    check_day(held_on, "held_on")
    if product_id is not None and db.session.get(Product, product_id) is None:
        raise DomainError(N_("没有这个产品。"), field="product_id")
    training = Training(title=title.strip(), held_on=held_on, product_id=product_id,
                        certification_code=(certification_code or "").strip() or None)
    db.session.add(training)
    db.session.commit()
    return training


def record_attendance(user: User, training_id: int, seller_ids: list[int]) -> int:
    """Mark sellers as having attended; already recorded ones are left alone. Returns how
    many were added."""
    require_role(user, *MANAGERS)
    require_training(training_id)
    known = set(db.session.scalars(select(TrainingAttendance.seller_id).where(
        TrainingAttendance.training_id == training_id)))
    added = 0
    for seller_id in dict.fromkeys(seller_ids):
        require_seller(user, seller_id)
        if seller_id not in known:
            db.session.add(TrainingAttendance(training_id=training_id, seller_id=seller_id, attended=True))
            added += 1
    db.session.commit()
    return added


def record_attendance_by_codes(user: User, training_id: int, codes_text: str) -> int:
    """`record_attendance` for the sellers named by codes separated by commas (either width) or
    spaces. A code outside the user's scope is refused exactly like an unknown one (its
    existence elsewhere is not revealed): DomainError on `seller_codes` naming every such code,
    nothing recorded. Returns how many were added."""
    require_role(user, *MANAGERS)
    require_training(training_id)
    ids, unknown = [], []
    for code in rules.split_codes(codes_text):
        seller = visible_by_code(user, code)
        (ids.append(seller.id) if seller else unknown.append(code))
    if unknown:
        raise DomainError(N_("未知的编码：%(codes)s"), field="seller_codes", codes=", ".join(unknown))
    return record_attendance(user, training_id, ids)


def require_training(training_id: int) -> Training:
    training = db.session.get(Training, training_id)
    if training is None:
        raise NotFound(N_("没有这个培训。"))
    return training


def trainings_query():
    """SELECT of the trainings, latest first (managers' list on the enablement page; its export)."""
    return select(Training).order_by(Training.held_on.desc(), Training.id.desc())


def trainings(size: int = 100) -> list[Training]:
    return list(db.session.scalars(trainings_query().limit(size)))


def attendees(training_id: int) -> list[Seller]:
    return list(db.session.scalars(select(Seller).join(TrainingAttendance, TrainingAttendance.seller_id == Seller.id)
                                   .where(TrainingAttendance.training_id == training_id).order_by(Seller.code)))


def certify(user: User, *, seller_id: int, code: str, passed: bool, certified_on: date,
            expires_on: date | None = None) -> Certification:
    """Record an examination result (pass or fail) as a new `certification` row. Rows are
    never edited: a renewal or a failed re-test is a new row; the gate reads the rows (see
    models/selling.py for the contract)."""
    require_role(user, *MANAGERS)
    seller = require_seller(user, seller_id)
    code = code.strip().upper()
    if not code:
        raise DomainError(N_("请填写认证代码。"), field="code")
    rules.check_certification(passed, certified_on, expires_on)
    row = Certification(seller_id=seller.id, code=code, passed=passed, certified_on=certified_on, expires_on=expires_on)
    db.session.add(row)
    db.session.flush()
    audit.record(user.id, "selling.certify", "seller", seller.id, {
        "certification_id": row.id, "code": code, "passed": passed, "certified_on": certified_on.isoformat(),
        "expires_on": expires_on.isoformat() if expires_on else None})
    db.session.commit()
    return row


def holds_certification(seller_id: int, code: str, on: date) -> bool:
    """The contract, in SQL: a passed row certified on or before `on`, not yet expired."""
    return db.session.scalar(select(Certification.id).where(
        Certification.seller_id == seller_id, Certification.code == code, Certification.passed.is_(True),
        Certification.certified_on <= on, or_(Certification.expires_on.is_(None), Certification.expires_on > on),
    ).limit(1)) is not None


def certifications_query(user: User, *, seller_id: int | None = None):
    """SELECT of the certification rows of sellers the user may see, newest first."""
    query = scope_by_seller(select(Certification), user, Certification.seller_id)
    if seller_id is not None:
        query = query.where(Certification.seller_id == seller_id)
    return query.order_by(Certification.id.desc())


def certifications(user: User, *, seller_id: int | None = None, size: int = 200) -> list[Certification]:
    return list(db.session.scalars(certifications_query(user, seller_id=seller_id).limit(size)))


# --- recruitment (招商) ---------------------------------------------------------------------


def submit_application(user: User, *, company: str, credit_code: str, contact_name: str, territory_id: int,
                       level: int, phone: str | None = None, capacity: str | None = None) -> AgentApplication:
    require_role(user, *MANAGERS)
    code = clean_credit_code(credit_code)
    if code is None:
        raise DomainError(N_("请填写统一社会信用代码。"), field="credit_code")
    if db.session.get(Territory, territory_id) is None:
        raise DomainError(N_("没有这个行政区划。"), field="territory")
    rules.check_application(level, len(current_app.config["AGENT_LEVELS"]), None, None, None)
    application = AgentApplication(company=company.strip(), credit_code=code, contact_name=contact_name.strip(),
                                   phone=phone or None, territory_id=territory_id, level=level,
                                   capacity=capacity or None)
    db.session.add(application)
    db.session.commit()
    return application


def applications_query(status: str | None = None):
    """SELECT of the agent applications, newest first (managers only: the caller's rule)."""
    query = select(AgentApplication)
    if status:
        query = query.where(AgentApplication.status == status)
    return query.order_by(AgentApplication.id.desc())


def applications(status: str | None = None, size: int = 200) -> list[AgentApplication]:
    return list(db.session.scalars(applications_query(status).limit(size)))


def get_application(application_id: int) -> AgentApplication:
    application = db.session.get(AgentApplication, application_id)
    if application is None:
        raise NotFound(N_("没有这份申请。"))
    return application


def exclusive_holders(territory_id: int, valid_from: date, valid_to: date | None = None) -> list[TerritoryGrant]:
    """Exclusive grants that overlap `territory_id` (one inside the other) during
    [valid_from, valid_to): the territory is free for an exclusive grant when this is empty."""
    territory = db.session.get(Territory, territory_id)
    place = Place(territory.id, territory.level, territory.province_id, territory.city_id)
    rows = db.session.execute(
        select(TerritoryGrant, Territory).join(Territory, Territory.id == TerritoryGrant.territory_id).where(
            TerritoryGrant.exclusive.is_(True),
            or_(Territory.id.in_(place.ancestry()), Territory.province_id == territory.id,
                Territory.city_id == territory.id),
        )
    ).all()
    return [
        grant for grant, other in rows
        if territories_nest(place, Place(other.id, other.level, other.province_id, other.city_id))
        and periods_overlap(valid_from, valid_to, grant.valid_from, grant.valid_to)
    ]


def approve_application(user: User, application_id: int, *, code: str, parent_id: int | None, contract_from: date,
                        contract_to: date | None, deposit_fen: int, exclusive: bool = True) -> Seller:
    """Create the agent under `parent_id` from `contract_from`, grant it the desired
    territory for the contract term (an overlapping exclusive grant refuses the whole
    approval: Conflict), and close the application; one commit."""
    require_role(user, *MANAGERS)
    application = get_application(application_id)
    if application.status != "pending":
        raise Conflict(N_("这份申请已处理。"))
    rules.check_application(application.level, len(current_app.config["AGENT_LEVELS"]), contract_from, contract_to,
                            deposit_fen)
    try:
        seller = tree.add_seller(
            code=code.strip(), name=application.company, channel=CHANNEL_AGENT, level=application.level,
            parent_id=parent_id, joined_on=contract_from, credit_code=application.credit_code,
            contact_name=application.contact_name, phone=application.phone,
            home_territory_id=application.territory_id, added_by_id=user.id, commit=False,
        )
        tree.grant_territory(seller.id, application.territory_id, exclusive=exclusive, valid_from=contract_from,
                             valid_to=contract_to, granted_by_id=user.id, commit=False)
    except DomainError:
        db.session.rollback()
        raise
    application.status = "approved"
    application.seller_id = seller.id
    application.contract_from, application.contract_to = contract_from, contract_to
    application.deposit_fen = deposit_fen
    application.reviewed_by_id, application.reviewed_at = user.id, utcnow()
    audit.record(user.id, "selling.application_approved", "agent_application", application.id, {
        "seller_id": seller.id, "deposit_fen": deposit_fen, "contract_from": contract_from.isoformat(),
        "contract_to": contract_to.isoformat() if contract_to else None})
    db.session.commit()
    return seller


def decline_application(user: User, application_id: int, *, reason: str) -> AgentApplication:
    require_role(user, *MANAGERS)
    application = get_application(application_id)
    if application.status != "pending":
        raise Conflict(N_("这份申请已处理。"))
    if not reason.strip():
        raise DomainError(N_("请填写拒绝原因。"), field="reason")
    application.status = "declined"
    application.reason = reason.strip()
    application.reviewed_by_id, application.reviewed_at = user.id, utcnow()
    audit.record(user.id, "selling.application_declined", "agent_application", application.id, {"reason": reason})
    db.session.commit()
    return application

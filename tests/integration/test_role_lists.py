"""Who may act is written once (models.users): the features that admit "administrators and
channel managers" or "those and the sellers' own users" name the same lists, so that a role
added to one is added to all of them."""
from __future__ import annotations

from channel.selling import views as selling_views
from channel.services import access, commissions_inquiries, onboarding, order_entry, selling, selling_enablement
from channel.tree import views as tree_views
from models.users import FIELD_ROLES, MANAGING_ROLES, ROLE_ADMIN, ROLE_AGENT, ROLE_FINANCE, ROLE_MANAGER, ROLE_SALES_REP


def test_the_managing_and_field_roles_are_the_ones_expected():
    assert set(MANAGING_ROLES) == {ROLE_ADMIN, ROLE_MANAGER}
    assert set(FIELD_ROLES) == {ROLE_ADMIN, ROLE_MANAGER, ROLE_AGENT, ROLE_SALES_REP}


def test_the_tree_onboarding_sell_in_and_answer_rules_use_the_managing_roles():
    assert onboarding.EDITORS is MANAGING_ROLES and tree_views.EDITORS is MANAGING_ROLES
    assert order_entry.SELL_IN_ROLES is MANAGING_ROLES
    assert selling.MANAGERS is MANAGING_ROLES and selling_enablement.MANAGERS is MANAGING_ROLES
    assert selling_views.MANAGERS is MANAGING_ROLES
    assert set(commissions_inquiries.ANSWERERS) == {*MANAGING_ROLES, ROLE_FINANCE}


def test_order_entry_customer_filing_and_asking_use_the_field_roles():
    assert order_entry.ENTRY_ROLES is FIELD_ROLES
    assert access.CUSTOMER_FILERS is FIELD_ROLES
    assert commissions_inquiries.RAISERS is FIELD_ROLES
    assert selling_views.FIELD_ROLES is FIELD_ROLES

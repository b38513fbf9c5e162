"""Who may act where: every role, in its own community and in another one."""

from __future__ import annotations

import pytest

from civic.accounts.roles import Role, Scope
from civic.accounts.viewer import Grant, Place, Viewer, covers, may_act

OWN_COMMUNITY, OTHER_COMMUNITY = 11, 12
OWN_STREET, OTHER_STREET = 21, 22
OWN_DEPARTMENT, MERCHANT = 31, 41

HERE = Place(community_id=OWN_COMMUNITY, street_id=OWN_STREET)
ELSEWHERE_SAME_STREET = Place(community_id=OTHER_COMMUNITY, street_id=OWN_STREET)
ELSEWHERE_OTHER_STREET = Place(community_id=OTHER_COMMUNITY, street_id=OTHER_STREET)

HOME_SCOPE = {
    Scope.COMMUNITY: OWN_COMMUNITY,
    Scope.STREET: OWN_STREET,
    Scope.DEPARTMENT: OWN_DEPARTMENT,
    Scope.MERCHANT: MERCHANT,
    Scope.DISTRICT: 0,
}


def viewer_with(role: Role) -> Viewer:
    return Viewer(1, "张三", "13800000000", None, (Grant(role, HOME_SCOPE[role.scope]),))


# (role, may act here, in another community of the same street, in another street)
EXPECTED = [
    (Role.RESIDENT, True, False, False),
    (Role.PARTY_MEMBER, True, False, False),
    (Role.BUILDING_LEADER, True, False, False),
    (Role.GRID_WORKER, True, False, False),
    (Role.COMMUNITY_STAFF, True, False, False),
    (Role.STREET_OFFICIAL, True, True, False),
    (Role.DEPARTMENT_STAFF, False, False, False),
    (Role.MERCHANT_STAFF, False, False, False),
    (Role.DISTRICT_ADMIN, True, True, True),
]


@pytest.mark.parametrize(("role", "here", "same_street", "other_street"), EXPECTED)
def test_role_covers_its_own_place_only(role, here, same_street, other_street):
    viewer = viewer_with(role)
    assert may_act(viewer, {role}, HERE) is here
    assert may_act(viewer, {role}, ELSEWHERE_SAME_STREET) is same_street
    assert may_act(viewer, {role}, ELSEWHERE_OTHER_STREET) is other_street


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("required", list(Role))
def test_holding_one_role_never_grants_another(role, required):
    viewer = viewer_with(role)
    everywhere = Place(OWN_COMMUNITY, OWN_STREET, OWN_DEPARTMENT, MERCHANT)
    assert may_act(viewer, {required}, everywhere) is (role is required)


def test_department_and_merchant_roles_cover_their_own_only():
    department = viewer_with(Role.DEPARTMENT_STAFF)
    assert may_act(department, {Role.DEPARTMENT_STAFF}, Place(department_id=OWN_DEPARTMENT))
    assert not may_act(department, {Role.DEPARTMENT_STAFF}, Place(department_id=99))
    merchant = viewer_with(Role.MERCHANT_STAFF)
    assert may_act(merchant, {Role.MERCHANT_STAFF}, Place(merchant_id=MERCHANT))
    assert not may_act(merchant, {Role.MERCHANT_STAFF}, Place(merchant_id=99))


def test_visitor_may_do_nothing():
    assert not may_act(None, set(Role), HERE)
    assert not may_act(None, set(Role), None)


def test_without_a_place_holding_the_role_anywhere_is_enough():
    staff = viewer_with(Role.COMMUNITY_STAFF)
    assert may_act(staff, {Role.COMMUNITY_STAFF}, None)
    assert not may_act(staff, {Role.DISTRICT_ADMIN}, None)


def test_several_roles_each_cover_their_own_place():
    viewer = Viewer(
        1,
        "李四",
        "13800000001",
        None,
        (Grant(Role.RESIDENT, OWN_COMMUNITY), Grant(Role.COMMUNITY_STAFF, OTHER_COMMUNITY)),
    )
    assert may_act(viewer, {Role.COMMUNITY_STAFF}, ELSEWHERE_SAME_STREET)
    assert not may_act(viewer, {Role.COMMUNITY_STAFF}, HERE)
    assert covers(Grant(Role.RESIDENT, OWN_COMMUNITY), HERE)

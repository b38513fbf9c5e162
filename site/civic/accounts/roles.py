"""The roles a person can hold, and what kind of place each role is held in."""

from __future__ import annotations

from enum import StrEnum

from civic.web.i18n import _


class Scope(StrEnum):
    COMMUNITY = "community"
    STREET = "street"
    DEPARTMENT = "department"
    MERCHANT = "merchant"
    DISTRICT = "district"


class Role(StrEnum):
    RESIDENT = "resident"
    PARTY_MEMBER = "party_member"
    PARTY_REPRESENTATIVE = "party_rep"
    BUILDING_LEADER = "building_leader"
    GRID_WORKER = "grid_worker"
    COUNCIL_MEMBER = "council_member"  # 议事会成员: moderates the hall beside staff
    COMMUNITY_STAFF = "community_staff"
    STREET_OFFICIAL = "street_official"
    DEPARTMENT_STAFF = "department_staff"
    MERCHANT_STAFF = "merchant_staff"
    DISTRICT_ADMIN = "district_admin"

    @property
    def scope(self) -> Scope:
        return ROLE_SCOPE[self]

    @property
    def label(self) -> str:
        return _(ROLE_LABELS[self])


ROLE_SCOPE: dict[Role, Scope] = {
    Role.RESIDENT: Scope.COMMUNITY,
    Role.PARTY_MEMBER: Scope.COMMUNITY,
    Role.PARTY_REPRESENTATIVE: Scope.COMMUNITY,
    Role.BUILDING_LEADER: Scope.COMMUNITY,
    Role.GRID_WORKER: Scope.COMMUNITY,
    Role.COUNCIL_MEMBER: Scope.COMMUNITY,
    Role.COMMUNITY_STAFF: Scope.COMMUNITY,
    Role.STREET_OFFICIAL: Scope.STREET,
    Role.DEPARTMENT_STAFF: Scope.DEPARTMENT,
    Role.MERCHANT_STAFF: Scope.MERCHANT,
    Role.DISTRICT_ADMIN: Scope.DISTRICT,
}

ROLE_LABELS: dict[Role, str] = {
    Role.RESIDENT: "居民",
    Role.PARTY_MEMBER: "在职党员",
    Role.PARTY_REPRESENTATIVE: "党代表",
    Role.BUILDING_LEADER: "楼门长",
    Role.GRID_WORKER: "网格员",
    Role.COUNCIL_MEMBER: "议事会成员",
    Role.COMMUNITY_STAFF: "社区工作者",
    Role.STREET_OFFICIAL: "街道干部",
    Role.DEPARTMENT_STAFF: "职能部门",
    Role.MERCHANT_STAFF: "商户",
    Role.DISTRICT_ADMIN: "区管理员",
}

STAFF_ROLES = frozenset(
    {
        Role.COMMUNITY_STAFF,
        Role.STREET_OFFICIAL,
        Role.DEPARTMENT_STAFF,
        Role.MERCHANT_STAFF,
        Role.DISTRICT_ADMIN,
    }
)
"""Roles whose holders have a work page under /staff/."""

"""The accounts' forms: what each field may hold, and reading and checking sign-in and
sign-up."""

from __future__ import annotations

from civic.accounts import service
from civic.accounts.tables import Person
from civic.places import households
from civic.places import service as places
from civic.places.tables import Household
from civic.web.forms import Form, chosen_id, name, text
from civic.web.i18n import _

PHONE = text(30)  # as typed, "+86 138 1234-5678": service.normalise_phone makes it 11 digits
PASSWORD = text(service.MAX_PASSWORD)
LOGIN = {"phone": PHONE, "password": PASSWORD}
SIGNUP = {
    "phone": PHONE,
    "name": name(Person.name),
    "password": PASSWORD,
    "community": text(40),
    "building": chosen_id(),
    "door": name(Household.door),
}
NEW_PERSON = {
    "phone": PHONE,
    "name": name(Person.name),
    "password": PASSWORD,
    "role": text(20),
    "scope": text(40),
}
GRANT = {"role": text(20), "scope": text(40)}
ELDER = {"elder": text(1)}


def check_login(form: Form) -> str:
    """The normalised phone; the form's errors say what is missing."""
    phone = service.normalise_phone(form.get("phone"))
    form.values["phone"] = phone
    form.error("phone", service.phone_error(phone))
    if not form.get("password"):
        form.error("password", _("请填写密码。"))
    return phone


async def check_signup(form: Form) -> tuple[str, int | None, int | None]:
    """(phone, community id, building id) after checking every field."""
    phone = service.normalise_phone(form.get("phone"))
    form.values["phone"] = phone
    form.error("phone", service.phone_error(phone))
    form.error("name", service.name_error(form.get("name")))
    form.error("password", service.password_error(form.get("password")))
    community = await places.community_by_slug(form.get("community"))
    if community is None:
        form.error("community", _("请选择您所在的社区。"))
    building_id = form.int("building")
    if form.get("building") and (
        building_id is None
        or community is None
        or await places.building_community(building_id) != community.id
    ):
        form.error("building", _("这个楼门不属于所选社区，请重新选择。"))
    door = form.get("door")
    if door and not form.get("building"):
        form.error("building", _("填了门牌号，请再选择楼门。"))
    elif (
        door
        and building_id is not None
        and "building" not in form.errors
        and await households.find_dwelling(building_id, door) is None
    ):
        form.error("door", _("这栋楼还没有登记这个门牌。可以先不填，注册后到社区居委会登记。"))
    return phone, community.id if community else None, building_id

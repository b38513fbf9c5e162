"""月报告: the figures equal those worked out by hand from the cases the test makes."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from civic.accounts.roles import Role
from civic.accounts.viewer import load_viewer
from civic.places import service as places
from civic.suggestions import service
from civic.suggestions.workflow import Verb
from civic.web.clock import FixedClock
from tests import builders
from tests.builders import sign_in, text_of

OCT = datetime(2026, 10, 10, 1, 0, tzinfo=UTC)  # 09:00 in Beijing
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.fixture
def app():
    from civic.app import create_app
    from civic.settings import Settings

    return create_app(Settings.from_env(), clock=FixedClock(NOW))


async def _viewer(*roles, name="王秀兰"):
    person_id, phone = await builders.person(*roles, name=name)
    return await load_viewer(person_id), phone


@pytest.fixture
async def month():
    """Five October cases with known outcomes, one from September, one next door."""
    district = await builders.district()
    street = await builders.street(district, slug="liuyin", name="柳荫街道")
    c = await builders.community(street, name="杏花社区")
    neighbour = await builders.community(street, name="槐树里社区")
    department = await places.create_department("区城管委", "chengguan")
    staff, staff_phone = await _viewer((Role.COMMUNITY_STAFF, c.id))
    official, official_phone = await _viewer((Role.STREET_OFFICIAL, street), name="周建国")
    clerk, _ = await _viewer((Role.DEPARTMENT_STAFF, department), name="钱立新")
    filer, _ = await _viewer((Role.RESIDENT, c.id), name="李桂芳")

    async def file(at, category="环境卫生", community=c, text="楼道堆放杂物"):
        return await service.file_case(filer, community.id, category=category, text=text, now=at)

    h = timedelta(hours=1)
    a = await file(OCT)  # on time all the way, 满意
    await service.act(staff, a, Verb.ACCEPT, OCT + h)
    await service.act(staff, a, Verb.ANSWER, OCT + 5 * h, note="已清理")
    await service.rate(filer, a, "satisfied", OCT + 6 * h)

    b = await file(OCT + h, "停车管理")  # late twice, 不满意 once, then 基本满意
    await service.act(staff, b, Verb.ACCEPT, OCT + 14 * h)
    await service.act(staff, b, Verb.ANSWER, OCT + 30 * h, note="已协调")
    await service.rate(filer, b, "unsatisfied", OCT + 31 * h)
    await service.act(staff, b, Verb.ANSWER, OCT + 40 * h, note="已划线")
    await service.rate(filer, b, "fairly", OCT + 41 * h)

    c3 = await file(OCT + 2 * h, "设施维修", text="外墙脱落，砸坏了车")  # up to a department
    await service.act(staff, c3, Verb.ESCALATE, OCT + 3 * h, note="需要街道协调")
    await service.act(official, c3, Verb.TAKE, OCT + 4 * h)
    await service.act(
        official, c3, Verb.ESCALATE, OCT + 5 * h, note="请城管处理", department_id=department
    )
    await service.act(clerk, c3, Verb.TAKE, OCT + 6 * h)

    d = await file(OCT + 3 * h, "其他")  # rejected on time
    await service.act(staff, d, Verb.REJECT, OCT + 4 * h, note="请到派出所办理")

    f = await file(OCT + 4 * h, "停车管理")  # answered on time, never rated
    await service.act(staff, f, Verb.ACCEPT, OCT + 5 * h)
    await service.act(staff, f, Verb.ANSWER, OCT + 6 * h, note="已贴告示")
    await service.close_unrated(OCT + timedelta(days=8))

    await file(OCT - timedelta(days=20))  # September: not this month's
    await file(OCT, community=neighbour)  # next door: only in the street's report
    return c, c3, staff_phone, official_phone


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout.replace(" ", "").replace("\n", "")


async def test_the_community_report_matches_the_cases(client, month, tmp_path):
    c, open_code, staff_phone, _ = month
    page = await client.get(f"/c/{c.slug}/suggestions/report", params={"month": "2026-10"})
    assert page.status_code == 200
    text = text_of(page.text)
    expected = [
        "本月收到 5 件",
        "12 小时内回应 80%（4 / 5）",  # b answered after 13 hours
        "按时反馈 50%（2 / 4）",  # a and f; b late; the escalated case past 3 days; d rejected
        "满意率 100%（评价 2 件）",
        "不满意重新办理 1 件",
        "吹哨到 街道 1 次",
        "吹哨到 区城管委 1 次",
        "已办结 3",
        "不予受理 1",
        "停车管理 2",
    ]
    for line in expected:
        assert line in text, line
    assert f"{open_code[:4]}-{open_code[4:]}" in text
    # The public version names nobody and quotes nobody.
    assert "李桂芳" not in text and "外墙脱落" not in text

    pdf = await client.get(f"/c/{c.slug}/suggestions/report.pdf", params={"month": "2026-10"})
    assert pdf.headers["content-type"] == "application/pdf"
    assert len(pdf.content) <= 200 * 1024
    printed = _pdf_text(pdf.content, tmp_path)
    for line in ["80%（4/5）", "50%（2/4）", "满意率100%", "区城管委"]:
        assert line in printed, line
    assert "李桂芳" not in printed

    await sign_in(client, staff_phone)
    staff = await client.get(f"/staff/c/{c.slug}/suggestions/report", params={"month": "2026-10"})
    assert "李桂芳：外墙脱落" in text_of(staff.text)


async def test_the_street_report_adds_up_its_communities(client, month):
    _, _, _, official_phone = month
    await sign_in(client, official_phone)
    page = await client.get("/staff/street/liuyin/suggestions/report", params={"month": "2026-10"})
    text = text_of(page.text)
    assert "本月收到 6 件" in text
    assert "杏花社区 5 80% 50% 100%" in text and "槐树里社区 1" in text
    september = await client.get(
        "/staff/street/liuyin/suggestions/report", params={"month": "2026-09"}
    )
    assert "本月收到 1 件" in text_of(september.text)


async def test_reports_are_for_their_own_staff(client, month):
    c = month[0]
    _, stranger = await _viewer((Role.STREET_OFFICIAL, await builders.street(1)), name="外人")
    await sign_in(client, stranger)
    assert (await client.get("/staff/street/liuyin/suggestions/report")).status_code == 403
    assert (await client.get(f"/staff/c/{c.slug}/suggestions/report")).status_code == 403

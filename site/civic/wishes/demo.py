"""Demo wishes: each community gets a tree worth looking at (about 30 wishes in every state),
verified party members and one organisation, and a few claims near their deadline."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, timedelta

from PIL import Image, ImageDraw, ImageFilter

from civic.accounts.demo_people import demo_person, demo_viewer
from civic.accounts.roles import Role
from civic.accounts.tables import Membership
from civic.photos import service as photos
from civic.places.service import district_overview
from civic.places.tables import Grid
from civic.wishes import service
from civic.wishes.tables import Helper, Wish
from civic.wishes.workflow import S

WISHES = [
    ("修理厨房水龙头", "维修", 60),
    ("配一副老花镜", "助老", 80),
    ("孩子的新书包", "助学", 120),
    ("换一个门锁", "维修", 90),
    ("一台电风扇", "生活用品", 150),
    ("陪老人去医院复查", "医疗", 0),
    ("轮椅坐垫", "助残", 70),
    ("冬天的棉被", "生活用品", 200),
    ("一套初中辅导书", "助学", 100),
    ("修好楼道声控灯", "维修", 40),
    ("血压计", "医疗", 180),
    ("代买一个月的米面油", "生活用品", 160),
    ("拐杖", "助老", 50),
    ("孩子学游泳的泳镜", "助学", 30),
    ("修理洗衣机", "维修", 120),
    ("防滑拖鞋和浴室扶手", "助老", 140),
    ("盲杖", "助残", 90),
    ("一箱牛奶", "生活用品", 60),
    ("换灯泡和插座", "维修", 50),
    ("陪聊天读报", "助老", 0),
    ("书桌台灯", "助学", 80),
    ("电热水壶", "生活用品", 70),
    ("理发上门", "助老", 30),
    ("助听器电池", "助残", 40),
    ("修补纱窗", "维修", 45),
    ("字典和练习本", "助学", 40),
    ("保温饭盒", "生活用品", 50),
    ("量血糖试纸", "医疗", 90),
    ("收音机", "助老", 60),
    ("冬季手套围巾", "生活用品", 40),
]
# The state each demo wish ends in, in order: a mix across the whole workflow.
PLAN = (
    [S.PUBLISHED] * 11
    + [S.CLAIMED] * 6
    + [S.FULFILLED] * 4
    + [S.CONFIRMED] * 5
    + [
        S.SUBMITTED,
        S.SUBMITTED,
        S.RETURNED,
        S.REJECTED,
    ]
)
MEMBERS = ["黄志远", "林晓梅", "高建华", "徐丽", "宋海峰"]
WITH_PHOTO = {0, 1, 2, 4, 7}
"""The demo wishes (by index in WISHES) posted with a photo."""
FULFILLED_WITH_PHOTO = {17, 21, 22}
"""The demo wishes whose helper recorded the fulfilment with a photo."""


def demo_photo(seed: int) -> bytes:
    """A made-up snapshot (a room, a table, a thing on it), drawn here so that nothing binary is
    kept in the repository; uploaded through the same path as a phone's photo."""
    rng = random.Random(seed)  # noqa: S311 (pictures, not secrets)
    width, height = 960, 720
    wall = tuple(rng.randint(170, 235) for _ in range(3))
    image = Image.new("RGB", (width, height), wall)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height * 2 // 3, width, height), fill=(150, 110, 80))  # the floor
    draw.rectangle((rng.randint(40, 200), 80, rng.randint(420, 560), 330), fill=(205, 225, 240))
    top = height * 2 // 3 - 40
    draw.rectangle((180, top, 780, top + 30), fill=(120, 80, 50))  # a table
    for x in (200, 740):
        draw.rectangle((x, top + 30, x + 25, height - 40), fill=(100, 65, 40))
    colour = tuple(rng.randint(30, 200) for _ in range(3))
    left = rng.randint(300, 520)
    draw.rounded_rectangle((left, top - 150, left + 170, top), radius=24, fill=colour)
    draw.ellipse((left + 40, top - 120, left + 130, top - 30), fill=(250, 250, 250))
    out = io.BytesIO()
    image.filter(ImageFilter.GaussianBlur(1)).save(out, "JPEG", quality=90)
    return out.getvalue()


async def load(now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    start = now - timedelta(days=40)
    for s_index, street in enumerate(await district_overview()):
        for c_index, community in enumerate(street.communities):
            if await Wish.exists().where(Wish.community == community.id):
                continue
            n = s_index * 10 + c_index
            staff_row = (
                await Membership.select(Membership.person)
                .where(
                    (Membership.role == Role.COMMUNITY_STAFF)
                    & (Membership.scope_id == community.id)
                )
                .first()
            )
            if staff_row is None:
                continue  # not the demo district: nobody to approve the wishes
            staff_viewer = await demo_viewer(staff_row["person"])
            grids = await Grid.select(Grid.id).where(Grid.community == community.id)
            helpers = []
            for m, name in enumerate(MEMBERS):
                phone = f"1370{n:02d}{m:05d}"
                pid = await demo_person(
                    phone, name, (Role.RESIDENT, community.id), (Role.PARTY_MEMBER, community.id)
                )
                kind = Helper.Kind.ORGANISATION if m == 4 else Helper.Kind.MEMBER
                helper_name = f"{community.name}便民超市" if m == 4 else name
                hid = await service.report(
                    pid,
                    community.id,
                    kind,
                    helper_name,
                    work_unit="区医院" if m == 0 else "南湖小学",
                )
                await service.decide_report(staff_viewer, hid, True, start)
                helpers.append(await demo_viewer(pid))
            residents = []
            for r in range(8):
                residents.append(
                    await demo_viewer(
                        await demo_person(
                            f"1360{n:02d}{r:05d}",
                            "李王张刘陈杨赵黄"[r] + "阿姨大爷"[r % 2 * 2 : r % 2 * 2 + 2],
                            (Role.RESIDENT, community.id),
                        )
                    )
                )
            for i, (title, category, value) in enumerate(WISHES):
                when = start + timedelta(days=i)
                owner = residents[i % len(residents)]
                photo_id = await photos.save(demo_photo(n * 100 + i)) if i in WITH_PHOTO else None
                wish_id = await service.submit_wish(
                    owner,
                    community.id,
                    owner.id,
                    title,
                    "",
                    category,
                    value,
                    when,
                    grid_id=grids[i % len(grids)]["id"] if grids else None,
                    photo_id=photo_id,
                )
                target = PLAN[i % len(PLAN)]
                if target is S.SUBMITTED:
                    continue
                if target in {S.RETURNED, S.REJECTED}:
                    await service.move(
                        staff_viewer, wish_id, target, when, note="请写清楚需要的型号"
                    )
                    continue
                await service.move(staff_viewer, wish_id, S.PUBLISHED, when)
                if target is S.PUBLISHED:
                    continue
                helper = helpers[i % 4] if target is not S.CLAIMED else helpers[i % 3]
                # A few claims made six days ago: their deadline is close.
                claimed_at = now - timedelta(days=6, hours=i % 3) if target is S.CLAIMED else when
                await service.claim(helper, wish_id, claimed_at)
                if target is S.CLAIMED:
                    continue
                done_photo = (
                    await photos.save(demo_photo(n * 100 + 50 + i))
                    if i in FULFILLED_WITH_PHOTO
                    else None
                )
                await service.move(
                    helper,
                    wish_id,
                    S.FULFILLED,
                    claimed_at + timedelta(days=2),
                    note="已经送到家里",
                    photo_id=done_photo,
                )
                if target is S.CONFIRMED:
                    await service.move(
                        owner,
                        wish_id,
                        S.CONFIRMED,
                        claimed_at + timedelta(days=3),
                        note="谢谢你们，太贴心了！",
                    )

"""Two things a resident meets when filing and tracking a case: whether it shows on the public
board is a choice they make (nothing is chosen for them), and a tracking code typed as a Chinese
keyboard types it (full-width, lower case, spaces, any dash) still finds the case."""

from __future__ import annotations

import re

from civic.suggestions.tables import Case
from tests import builders
from tests.builders import post_form, sign_in, text_of

WORDS = "3号楼北侧的路灯不亮了，晚上看不清台阶"
CHOICE_MESSAGE = "请选择要不要在公开栏显示：公开显示，或者不公开、只给社区工作人员看。"


async def _file(client, slug: str, **fields: str):
    data = {"category": "设施维修", "text": WORDS, "place": "北门", **fields}
    return await post_form(client, f"/c/{slug}/suggestions/new", data)


def _code(response) -> str:
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/s/([A-Z2-9]{8})\?filed=1", response.headers["location"])
    assert match, response.headers["location"]
    return match.group(1)


def _full_width(text: str) -> str:
    """As a Chinese keyboard in full-width mode types it: ＡＢＣＤ－２３４５."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


async def test_the_form_asks_whether_to_show_the_case_and_chooses_nothing(client):
    c = await builders.community()
    page = await client.get(f"/c/{c.slug}/suggestions/new")
    assert page.status_code == 200
    radios = re.findall(r'<input type="radio" name="public" value="(\d)"[^>]*>', page.text)
    assert radios == ["1", "0"]
    assert 'name="public" value="1" required>' in page.text  # not checked
    assert 'name="public" value="0" required>' in page.text
    assert 'type="checkbox" name="public"' not in page.text
    words = text_of(page.text)
    assert "公开显示（不显示姓名、电话和楼号）" in words
    assert "不公开，只给社区工作人员看" in words


async def test_a_form_sent_without_the_choice_is_refused_and_keeps_what_was_typed(client):
    c = await builders.community()
    refused = await _file(client, c.slug, name="赵大爷", phone="13900001234")
    assert refused.status_code == 422
    words = text_of(refused.text)
    assert CHOICE_MESSAGE in words
    assert 'id="f-public-error"' in refused.text
    assert 'aria-describedby="f-public-error"' in refused.text
    assert WORDS in refused.text and 'value="北门"' in refused.text
    assert 'value="赵大爷"' in refused.text and 'value="13900001234"' in refused.text
    assert await Case.count() == 0

    # Any other value is no choice either; and with another problem, both are shown at once.
    odd = await _file(client, c.slug, public="yes", text="")
    assert odd.status_code == 422
    assert CHOICE_MESSAGE in text_of(odd.text) and "请写下您要反映的事情" in text_of(odd.text)
    assert await Case.count() == 0


async def test_a_choice_made_before_a_refusal_stays_chosen(client):
    c = await builders.community()
    refused = await _file(client, c.slug, public="0", phone="12345")
    assert refused.status_code == 422 and CHOICE_MESSAGE not in text_of(refused.text)
    assert 'name="public" value="0" required checked>' in refused.text
    assert 'name="public" value="1" required>' in refused.text


async def test_a_case_not_to_be_shown_is_not_on_the_public_board(client):
    c = await builders.community()
    code = _code(await _file(client, c.slug, public="0"))
    assert await Case.select(Case.is_public).where(Case.code == code).first() == {
        "is_public": False
    }
    client.cookies.clear()  # a neighbour's phone
    board = await client.get(f"/c/{c.slug}/suggestions/")
    assert WORDS not in board.text and f"/s/{code}" not in board.text
    assert "还没有公开的意见" in text_of(board.text)


async def test_a_case_to_be_shown_is_on_the_public_board(client):
    c = await builders.community()
    code = _code(await _file(client, c.slug, public="1", name="赵大爷"))
    assert await Case.select(Case.is_public).where(Case.code == code).first() == {"is_public": True}
    client.cookies.clear()
    board = await client.get(f"/c/{c.slug}/suggestions/")
    assert WORDS in board.text and f'href="/s/{code}"' in board.text
    assert "赵**" in board.text and "赵大爷" not in board.text


async def test_a_code_typed_full_width_lower_case_or_spaced_finds_the_case(client):
    c = await builders.community()
    code = _code(await _file(client, c.slug, public="1"))
    shown = f"{code[:4]}-{code[4:]}"
    typed = [
        _full_width(shown),  # ＡＢＣＤ－２３４５
        _full_width(code.lower()),  # ａｂｃｄ２３４５
        f" {code[:4].lower()} {code[4:]} ",
        f"{code[:4]}\u3000{code[4:]}",  # the ideographic space
        f"{code[:4]}—{code[4:]}",  # a Chinese keyboard's dash
        f"{code[:4]}–{code[4:]}",  # a phone's autocorrected dash
    ]
    client.cookies.clear()
    for each in typed:
        found = await client.get("/s/", params={"code": each})
        assert found.status_code == 303, each
        assert found.headers["location"] == f"/s/{code}", each
        # Typed into the address itself, the same.
        direct = await client.get(f"/s/{each.strip()}")
        assert direct.status_code == 303 and direct.headers["location"] == f"/s/{code}", each
    other = "ＡＢＣＤ２３４５" if code != "ABCD2345" else "ＡＢＣＤ２３４６"
    wrong = await client.get("/s/", params={"code": other})
    assert wrong.status_code == 404
    assert "没有找到这个查询码" in text_of(wrong.text)


async def test_the_filer_signs_in_and_opens_the_case_with_a_full_width_code(client):
    c = await builders.community()
    phone = "13912345678"
    code = _code(await _file(client, c.slug, public="0", phone=phone))
    client.cookies.clear()
    person_id, _ = await builders.person(name="王秀英", phone=phone)
    await sign_in(client, phone)
    found = await client.get("/s/", params={"code": _full_width(code.lower())})
    assert found.status_code == 303 and found.headers["location"] == f"/s/{code}"
    page = await client.get(found.headers["location"])
    assert WORDS in page.text
    assert await Case.select(Case.filer).where(Case.code == code).first() == {"filer": person_id}
    assert WORDS[:10] in text_of((await client.get("/me")).text)


async def test_the_last_four_digits_typed_full_width_prove_the_filer(client):
    c = await builders.community()
    code = _code(await _file(client, c.slug, public="0", phone="13900005678"))
    client.cookies.clear()
    assert WORDS not in (await client.get(f"/s/{code}")).text
    proved = await post_form(client, f"/s/{code}/verify", {"last4": "５６７８"})
    assert proved.status_code == 303 and proved.headers["location"] == f"/s/{code}"
    assert WORDS in (await client.get(f"/s/{code}")).text


async def test_a_shown_code_is_kept_on_one_line(client):
    c = await builders.community()
    code = _code(await _file(client, c.slug, public="1"))
    page = await client.get(f"/s/{code}")
    assert f'<span class="case-code">{code[:4]}-{code[4:]}</span>' in page.text
    css = (await client.get(re.search(r'href="(/static/style[^"]*\.css)"', page.text)[1])).text
    assert re.search(r"\.case-code\s*\{[^}]*white-space:\s*nowrap", css)

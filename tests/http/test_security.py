"""Headers, CSRF, error pages and sessions: what protects every page."""

from __future__ import annotations

import pytest
from litestar import get

from civic.web.static import static_url
from civic.web.tables import StoreEntry
from tests import builders
from tests.builders import csrf_token, post_form, sign_in


async def _responses(client) -> dict[str, object]:
    c = await builders.community()
    return {
        "page": await client.get("/"),
        "community": await client.get(f"/c/{c.slug}/"),
        "static": await client.get(static_url("style.css")),
        "not found": await client.get("/c/nowhere/"),
        "redirect": await client.get("/me"),
        "pdf": await client.get(f"/c/{c.slug}/poster.pdf"),
        "health": await client.get("/healthz"),
    }


async def test_every_response_carries_the_security_headers(client):
    for name, response in (await _responses(client)).items():
        csp = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp, name
        assert "style-src 'self'" in csp, name
        assert "frame-ancestors 'none'" in csp, name
        assert "unsafe-inline" not in csp, name
        assert response.headers["x-content-type-options"] == "nosniff", name
        assert response.headers["referrer-policy"] == "same-origin", name


async def test_pages_have_no_inline_script_or_style(client):
    page = (await _responses(client))["community"].text
    assert "<script>" not in page and "style=" not in page and " onclick=" not in page
    assert "<script src=" in page


async def test_static_files_are_hashed_and_cached_for_a_year(client):
    url = static_url("style.css")
    assert url.startswith("/static/style.") and url.endswith(".css") and len(url) > 22
    response = await client.get(url)
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["cache-control"]
    assert "immutable" in response.headers["cache-control"]
    assert (await client.get("/static/style.css")).status_code == 404


async def test_pages_are_compressed(client):
    await builders.community()
    response = await client.get("/", headers={"Accept-Encoding": "br"})
    assert response.headers["content-encoding"] == "br"
    response = await client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"


async def test_post_without_csrf_token_is_refused(client):
    _, phone = await builders.person()
    await csrf_token(client)  # the cookie alone is not enough
    response = await client.post("/login", data={"phone": phone, "password": builders.PASSWORD})
    assert response.status_code == 403
    assert "页面已过期" in response.text
    assert "session" not in response.cookies


async def test_post_with_a_forged_token_is_refused(client):
    await csrf_token(client)
    response = await client.post("/logout", data={"_csrf_token": "forged"})
    assert response.status_code == 403


async def test_htmx_sends_the_token_as_a_header(client):
    _, phone = await builders.person()
    await sign_in(client, phone)
    token = await csrf_token(client)
    page = await client.get("/me")
    assert f'data-hx-headers=\'{{"x-csrftoken": "{token}"}}\'' in page.text
    response = await client.post("/logout", headers={"x-csrftoken": token, "HX-Request": "true"})
    assert response.status_code == 303


async def test_every_form_on_a_page_carries_the_token(client):
    c = await builders.community()
    _, phone = await builders.person()
    await sign_in(client, phone)
    for url in ("/login", "/signup", "/me", f"/c/{c.slug}/"):
        html = (await client.get(url)).text
        # The 长辈模式 switch only sets a display cookie: the one form without a token.
        forms = html.count('method="post"') - html.count('action="/prefs/elder"')
        assert html.count('name="_csrf_token"') == forms, url
        assert forms or url == f"/c/{c.slug}/", url


async def test_a_visitor_page_without_a_form_sets_no_cookie_and_a_form_sets_a_short_one(client):
    c = await builders.community()
    for url in ("/", f"/c/{c.slug}/", f"/c/{c.slug}/suggestions/", f"/c/{c.slug}/wishes/"):
        page = await client.get(url)
        assert page.status_code == 200, url
        assert "set-cookie" not in page.headers, url
        assert "csrftoken" not in page.text and "_csrf_token" not in page.text, url
    login = await client.get("/login")
    token = login.cookies["csrftoken"]
    assert len(token) == 64 and f'value="{token}"' in login.text
    # A second form page keeps the same token and sets no cookie again.
    again = await client.get("/signup")
    assert "set-cookie" not in again.headers and f'value="{token}"' in again.text


async def test_a_token_with_a_forged_signature_is_refused(client):
    token = await csrf_token(client)
    forged = token[:32] + ("0" if token[32] != "0" else "1") + token[33:]
    client.cookies.set("csrftoken", forged)
    response = await client.post("/logout", data={"_csrf_token": forged})
    assert response.status_code == 403


async def test_the_elder_switch_works_without_a_token(client):
    c = await builders.community()
    response = await client.post(
        "/prefs/elder", data={"elder": "1", "next": f"/c/{c.slug}/"}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == f"/c/{c.slug}/"
    assert 'class="elder"' in (await client.get(f"/c/{c.slug}/")).text


@pytest.mark.parametrize("htmx", [False, True])
async def test_a_crash_shows_the_chinese_500_page_without_a_traceback(app, client, htmx):
    @get("/boom")
    async def boom() -> str:
        raise RuntimeError("secret internals: password=hunter2")

    app.register(boom)
    headers = {"HX-Request": "true"} if htmx else {}
    response = await client.get("/boom", headers=headers)
    assert response.status_code == 500
    assert "系统出了点问题" in response.text
    for leak in ("Traceback", "RuntimeError", "hunter2", "secret internals"):
        assert leak not in response.text


@pytest.mark.parametrize(
    ("status", "url", "words"),
    [(404, "/nowhere", "找不到这个页面"), (405, "/healthz", "不能这样操作")],
)
async def test_http_errors_are_chinese_pages(client, status, url, words):
    if status == 405:
        response = await post_form(client, url, {})
    else:
        response = await client.get(url)
    assert response.status_code == status
    assert words in response.text and "<!doctype html>" in response.text


async def test_a_body_over_the_limit_is_refused_with_413(client):
    token = await csrf_token(client)
    response = await client.post(
        "/signup",
        content=b"a=" + b"x" * (5 * 1024 * 1024),
        headers={"x-csrftoken": token, "content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert "文件太大了" in response.text


async def test_a_visitor_creates_no_session(client):
    c = await builders.community()
    for url in ("/", f"/c/{c.slug}/", "/login", "/signup"):
        response = await client.get(url)
        assert "session" not in response.cookies
    assert await StoreEntry.count() == 0


async def test_session_cookie_is_httponly_and_lax(client):
    _, phone = await builders.person()
    response = await post_form(client, "/login", {"phone": phone, "password": builders.PASSWORD})
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert await StoreEntry.count() == 1
    # A signed-in page reads the session but writes nothing back.
    await client.get("/me")
    rows = await StoreEntry.select(StoreEntry.value)
    assert len(rows) == 1


async def test_healthz_answers_when_the_database_does(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}

"""The A4 poster staff stick up in the lobby: the community's name and a QR code of its page."""

from __future__ import annotations

import subprocess

import zxingcpp
from PIL import Image

from civic.settings import Settings
from tests import builders

BUDGET = 150 * 1024


async def test_poster_names_the_community_and_its_qr_code_leads_to_its_page(client, tmp_path):
    c = await builders.community(name="杏花社区", office_phone="010-6351-2201")
    response = await client.get(f"/c/{c.slug}/poster.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(response.content)
    assert len(response.content) <= BUDGET

    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "杏花社区" in text and "010-6351-2201" in text
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert "Pages:           1" in info.stdout and "A4" in info.stdout

    subprocess.run(
        ["pdftoppm", "-r", "100", "-png", "-singlefile", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    codes = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert [code.text for code in codes] == [f"{Settings.from_env().base_url}/c/{c.slug}/"]


async def test_poster_of_an_unknown_community_is_404(client):
    response = await client.get("/c/nowhere/poster.pdf")
    assert response.status_code == 404

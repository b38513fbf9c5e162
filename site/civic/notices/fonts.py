"""The CJK font embedded in PDF notices.

Noto Sans CJK is pre-subset once to GB 2312's characters (6,763 hanzi plus punctuation and
Latin), so WeasyPrint's own per-document subsetting starts from a small font and notices stay
small; `civic fonts` (run by `make`) makes that file under var/fonts/."""

from __future__ import annotations

from pathlib import Path

from civic.settings import VAR

SYSTEM_FONTS = [
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
]
SUBSET = VAR / "fonts" / "civic-cjk.otf"
BOLD_SUBSET = VAR / "fonts" / "civic-cjk-bold.otf"


def gb2312_text() -> str:
    """Every character of GB 2312 (hanzi, punctuation, full-width forms) and printable ASCII."""
    chars = [chr(c) for c in range(0x20, 0x7F)]
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars) + "·—…“”‘’￥•"


def make_subset(source: Path, target: Path, font_number: int = 0) -> None:
    from fontTools import subset

    options = subset.Options()
    options.font_number = font_number
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=gb2312_text())
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    subset.save_font(font, str(target), options)


def pdf_font(configured: str = "") -> Path:
    """The font file to embed: CIVIC_PDF_FONT, else the pre-subset Noto, else a system CJK font."""
    if configured:
        return Path(configured)
    if SUBSET.exists():
        return SUBSET
    for path in SYSTEM_FONTS:
        if path.exists():
            return path
    raise FileNotFoundError("no CJK font: install fonts-noto-cjk or set CIVIC_PDF_FONT")

"""The clocks' work: claims that ran out, cases nobody rated, warnings before deadlines, ended
sessions and counters, photos never attached.

Run by `civic sweep` and, every CIVIC_SWEEP_SECONDS, by each worker on its own; never by a page
view, which only reads. Each step is safe when two workers sweep at once (every move is a
guarded update, every warning a fact written once)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from civic import features
from civic.photos import service as photos
from civic.settings import Settings
from civic.web.clock import Clock
from civic.web.stores import delete_expired_entries

log = logging.getLogger(__name__)


async def sweep_all(now: datetime, settings: Settings) -> list[str]:
    """Everything whose time has come, applied; one line per kind, in Chinese."""
    lines = [f"已结束的登录和计数已清除：{await delete_expired_entries()} 条"]
    orphans = await photos.delete_orphans(now - timedelta(days=1))
    lines.append(f"一天前上传、没有用上的照片已删除：{orphans} 张")
    for feature in features.load():
        if feature.sweep is not None:
            lines.append(await feature.sweep(now, settings))
    return lines


async def sweep_every(seconds: int, settings: Settings, clock: Clock) -> None:
    """Sweeps each `seconds` until cancelled; a failed sweep is logged and tried next time."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await sweep_all(clock.now(), settings)
        except Exception:
            log.exception("the periodic sweep failed")

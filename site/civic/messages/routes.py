"""/me/messages: my messages, newest first; opening the page marks them read."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from civic.accounts.guards import signed_in
from civic.accounts.viewer import SignedIn
from civic.messages import service
from civic.web.pages import now_of, render


class MessageController(Controller):
    path = "/me/messages"

    @get("/", guards=[signed_in])
    async def inbox(self, request: Request, viewer: SignedIn) -> Template:
        messages = await service.inbox(viewer.id)
        if viewer.unread:
            await service.mark_read(viewer.id, now_of(request))
        return render(request, "messages/inbox.html", messages=messages)

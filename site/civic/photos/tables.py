"""Uploaded photos, re-encoded, in the database so that every worker and machine shares them."""

from piccolo.columns import Boolean, Bytea, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Photo(Table):
    """A photo as stored after civic.photos.service.reencode: a JPEG without metadata.
    It has no address of its own: each feature serves its photos after checking who may see
    them."""

    id: Serial  # Piccolo adds the primary key; declared for the type checker
    data = Bytea()
    content_type = Varchar(length=40, default="image/jpeg")
    width = Integer()
    height = Integer()
    size = Integer()
    created_at = Timestamptz(default=TimestamptzNow())
    # Saved before the wish or case it belongs to, which marks it attached in its own
    # transaction: a photo still pending a day later lost its owner (a refusal, a crash).
    pending = Boolean(default=False)

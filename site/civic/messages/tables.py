"""消息: what the site tells a person. Every feature writes here, in the transaction of the
event that causes the message; an SMS or WeChat sender can later drain the same rows."""

from piccolo.columns import ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from civic.accounts.tables import Person


class Message(Table):
    id: Serial  # Piccolo adds the primary key; declared for the type checker
    person = ForeignKey(Person, on_delete=OnDelete.cascade, index=True)
    text = Text()
    link = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    read_at = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    """When another channel (SMS, WeChat) delivered it; None until such a sender exists."""

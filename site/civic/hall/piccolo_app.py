from civic.hall.tables import (
    Article,
    Meeting,
    Post,
    PostReport,
    Signature,
    Topic,
    TopicEvent,
    Vote,
    VoteOption,
)
from civic.piccolo_apps import feature_app

APP_CONFIG = feature_app(
    "hall",
    [Topic, TopicEvent, Post, PostReport, Meeting, VoteOption, Vote, Article, Signature],
    depends_on=("places", "accounts"),
)

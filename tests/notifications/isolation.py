"""The notification pages take no object id in their URL (a notification is looked up among the member's own)."""

URL_KWARGS: dict = {}
ORG_WIDE: set[str] = set()

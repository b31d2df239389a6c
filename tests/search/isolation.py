"""The search page takes no object id: the matrix covers it with ``org_slug`` alone (anonymous → login,
outsider → 404, every role may search). What each member finds is checked in tests/search/test_views.py,
the establishment axis included."""

URL_KWARGS: dict = {}
ORG_WIDE: set[str] = set()

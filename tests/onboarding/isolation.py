"""The onboarding app's tenant URL (``onboarding:copy``) has no object in its address: the isolation matrix
(tests/test_isolation.py) checks it as it is. The creation page (``organization-onboard``) lives outside any
organization; tests/onboarding/test_views.py checks who reaches it."""

URL_KWARGS: dict = {}

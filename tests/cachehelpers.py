"""Clear the cache of *this* test process only.

``cache.clear()`` would FLUSHDB the Redis database that Celery also uses as broker and result store,
losing the messages and results of tests running in parallel (pytest-xdist) — seen as random
worker time-outs. Each xdist process has its own KEY_PREFIX (resilis/settings.py).
"""

from django.conf import settings
from django.core.cache import cache


def clear_own_cache_keys() -> None:
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match=f"{settings.CACHES['default']['KEY_PREFIX']}:*", count=1000):
        client.delete(key)
    # The BIA keeps a per-process memo in front of Redis (keyed by data fingerprint): reset it as well.
    from apps.bia.selectors import _ANALYSIS_MEMO, _ANALYSIS_MEMO_LOCK

    with _ANALYSIS_MEMO_LOCK:
        _ANALYSIS_MEMO.clear()

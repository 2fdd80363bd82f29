"""The Redis cache keeps one client per connection pool (Django's builds one per call)."""

from __future__ import annotations

import os
import uuid

import pytest

from tenancy.cache import RedisCache, count

REDIS_URL = os.environ.get("REDIS_URL", "")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (a real Redis)")


def test_one_client_serves_every_call_and_the_cache_still_works():
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    first = cache._cache.get_client(write=False)
    assert cache._cache.get_client("any", write=True) is first
    cache.set("hits", 1, timeout=30)
    assert cache.incr("hits") == 2 and cache.get("hits") == 2
    assert cache.get_many(["hits", "missing"]) == {"hits": 2}
    cache.delete("hits")
    assert cache.get("hits") is None


def test_a_counter_counts_in_one_round_trip_and_expires():
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    assert [count(cache, "window", 30) for _ in range(3)] == [1, 2, 3]
    assert cache.get("window") == 3  # readable through the cache API
    client = cache._cache.get_client(write=True)
    ttl = client.ttl(cache.make_and_validate_key("window"))
    assert 0 < ttl <= 30  # set once, on the first hit: a busy window still ends

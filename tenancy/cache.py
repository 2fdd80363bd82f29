"""Django's Redis cache, with one Redis client per connection pool instead of one per call.

`django.core.cache.backends.redis.RedisCacheClient.get_client()` builds a new `redis.Redis`
on every cache operation; redis-py's constructor fills a table of ~170 response callbacks
each time, which cost more than the round trip to Redis itself (a signed-in request makes
two or three: the session, the API throttle). A `redis.Redis` is safe to share between
threads (each command takes a connection from the pool), and its pool reconnects after a
fork, so one per pool is kept.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient


def count(cache, key: str, timeout: int) -> int:
    """Add one to the counter `key` (created at 0, expiring after `timeout` seconds) and
    return its value. On Redis one round trip (SET NX, then INCR, pipelined) where Django's
    `incr` makes two (EXISTS, INCR) and a first hit two more (ADD, INCR); any other cache goes
    through Django's API. The value stays readable with `cache.get(key)`."""
    if isinstance(cache, RedisCache):
        name = cache.make_and_validate_key(key)
        pipe = cache._cache.get_client(name, write=True).pipeline(transaction=False)
        pipe.set(name, 0, ex=timeout, nx=True)
        pipe.incr(name)
        return pipe.execute()[1]
    try:
        return cache.incr(key)
    except ValueError:  # the window's first hit
        return 1 if cache.add(key, 1, timeout) else cache.incr(key)

"""The Redis frontier's queue, seen-set and leases against a real redis-server."""

from __future__ import annotations

import json
import uuid

import pytest
import redis

from newsarchive.frontier.queue import NewEntry, RedisFrontier, worker_name
from tests.redis_server import redis_url  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("redis_url")


def frontier(url: str, prefix: str, worker: str, lease: float = 30.0) -> RedisFrontier:
    return RedisFrontier.from_url(url, prefix, worker, lease_seconds=lease)


def entry(url: str, priority: int = 0, *, filter: bool = True) -> NewEntry:
    return NewEntry(url, filter, priority, json.dumps({"url": url}))


@pytest.fixture
def prefix() -> str:
    return f"test:{uuid.uuid4().hex}:"


def urls(leases) -> list[str]:
    return [json.loads(lease.payload)["url"] for lease in leases]


def test_push_filters_seen_fingerprints_across_workers(redis_url, prefix):  # noqa: F811
    a, b = frontier(redis_url, prefix, "a"), frontier(redis_url, prefix, "b")
    assert a.push([entry("u1"), entry("u2"), entry("u1")]) == [True, True, False]
    assert b.push([entry("u2"), entry("u3")]) == [False, True]
    assert b.push([entry("u3", filter=False)]) == [True]  # dont_filter goes again
    assert a.state().queued == 4
    assert a.seen_count() == 3


def test_take_orders_by_priority_then_arrival(redis_url, prefix):  # noqa: F811
    a = frontier(redis_url, prefix, "a")
    a.push([entry("low1", -1), entry("mid1"), entry("high", 5), entry("mid2"), entry("low2", -1)])
    assert urls(a.take(10)) == ["high", "mid1", "mid2", "low1", "low2"]
    assert a.take(1) == []


def test_taken_requests_are_leased_until_acked(redis_url, prefix):  # noqa: F811
    a, b = frontier(redis_url, prefix, "a"), frontier(redis_url, prefix, "b")
    a.join({})
    b.join({})
    a.push([entry("u1"), entry("u2")])
    (lease,) = a.take(1)
    assert a.leased() == [lease.id]
    state = b.state()
    assert (state.queued, state.others_leased, state.done) == (1, 1, False)
    assert urls(b.take(5)) == ["u2"]  # a's lease is not handed to b
    assert a.ack([lease.id]) == 1
    assert a.ack([lease.id]) == 0  # acked once
    assert a.leased() == []
    assert not a.client.hexists(a.key("requests"), lease.id)  # forgotten


def test_push_with_ack_replaces_a_lease_atomically(redis_url, prefix):  # noqa: F811
    a = frontier(redis_url, prefix, "a")
    a.push([entry("old")])
    (lease,) = a.take(1)
    assert a.push([entry("new")], ack=[lease.id]) == [True]
    assert a.leased() == []
    assert urls(a.take(5)) == ["new"]


def test_release_gives_leases_back_with_their_priority(redis_url, prefix):  # noqa: F811
    a = frontier(redis_url, prefix, "a")
    a.push([entry("first", 3), entry("second")])
    taken = a.take(2)
    assert a.release([t.id for t in taken]) == 2
    assert urls(a.take(5)) == ["first", "second"]


def test_dead_workers_leases_are_reclaimed_live_ones_are_not(redis_url, prefix):  # noqa: F811
    a = frontier(redis_url, prefix, "a", lease=0.3)
    b = frontier(redis_url, prefix, "b", lease=30)
    a.join({})
    b.join({})
    a.push([entry("u1"), entry("u2"), entry("u3")])
    taken_by_a = a.take(2)
    b.take(1)
    assert b.reclaim() == 0  # a is alive
    client = redis.Redis.from_url(redis_url)
    client.pexpire(a.key("alive:a"), 1)  # a stops its heartbeat (killed)
    assert _eventually(lambda: not b.is_alive("a"))
    assert b.reclaim() == 2
    assert b.reclaim() == 0
    assert sorted(urls(b.take(5))) == sorted(urls(taken_by_a))
    assert "a" not in b.workers()
    assert b.leased("b") and len(b.leased("b")) == 3


def test_declare_dead_reclaims_at_once(redis_url, prefix):  # noqa: F811
    a, b = frontier(redis_url, prefix, "a"), frontier(redis_url, prefix, "b")
    a.join({"pid": 1})
    a.push([entry("u1")])
    a.take(1)
    b.declare_dead("a")
    assert b.reclaim() == 1
    assert urls(b.take(1)) == ["u1"]


def test_join_starts_a_new_crawl_only_when_the_last_one_is_done(redis_url, prefix):  # noqa: F811
    a, b = frontier(redis_url, prefix, "a"), frontier(redis_url, prefix, "b")
    assert a.join({}) is True
    a.push([entry("u1")])
    assert b.join({}) is False  # a is alive: b joins its crawl
    b.leave()
    a.leave()
    c = frontier(redis_url, prefix, "c")
    assert c.join({}) is False  # nobody alive, but u1 is still queued: resume
    (lease,) = c.take(1)
    c.ack([lease.id])
    c.leave()
    d = frontier(redis_url, prefix, "d")
    assert d.join({}) is True  # the crawl is done: a new one, seen-set cleared
    assert d.push([entry("u1")]) == [True]


def test_worker_name_is_host_and_pid():
    assert worker_name("my_host.example", 42) == "my-host.example-42"


def _eventually(predicate, timeout: float = 5.0) -> bool:
    from newsarchive.frontier.queue import wait_for

    return wait_for(predicate, timeout)

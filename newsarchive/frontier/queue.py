"""``RedisFrontier``: one site's request queue, seen-set and leases in Redis (no Scrapy).

Keys, under a prefix (``newsarchive:{SITE}:`` by default)::

    queue            ZSET  request id -> score (priority first, then arrival)
    requests         HASH  request id -> the serialized request
    seen             SET   request fingerprints ever queued (the shared dupefilter)
    seq              STRING the last request id
    workers          HASH  worker -> JSON (host, pid, folder, run, started)
    alive:{WORKER}   STRING the worker's heartbeat, expiring after the lease time
    leases:{WORKER}  HASH  request id -> score: the requests the worker took and has not
                           finished (in flight)

A worker *takes* requests (moved from ``queue`` into its ``leases`` atomically) and *acks*
them once their work is done (their records written, the requests they found queued).
A worker that dies (``kill -9``, a lost machine) stops refreshing ``alive:{WORKER}``; its
leases then go back to ``queue`` (:meth:`RedisFrontier.reclaim`, run by every worker
periodically and at start), so no request is lost. Every step is one Lua script, atomic
against the other workers. Scripts reach keys built from the prefix (not declared in
KEYS), so the frontier needs a single Redis server, not a cluster.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import redis

__all__ = ["Lease", "NewEntry", "RedisFrontier", "worker_name"]

SCORE_PRIORITY = 1e12
"""score = -priority * SCORE_PRIORITY + id: higher priority first, then first come."""

_PUSH = """
local p = ARGV[1]
local n = tonumber(ARGV[2])
local added = {}
for i = 0, n - 1 do
  local fp, filter = ARGV[3 + i * 4], ARGV[4 + i * 4]
  local priority, payload = tonumber(ARGV[5 + i * 4]), ARGV[6 + i * 4]
  local new = 1
  if filter == '1' then new = redis.call('SADD', p .. 'seen', fp) end
  if new == 1 then
    local id = redis.call('INCR', p .. 'seq')
    redis.call('ZADD', p .. 'queue', -priority * 1e12 + id, id)
    redis.call('HSET', p .. 'requests', id, payload)
  end
  added[#added + 1] = new
end
local worker, take = ARGV[3 + n * 4], tonumber(ARGV[4 + n * 4])
for i = 5 + n * 4, #ARGV do
  if redis.call('HDEL', p .. 'leases:' .. worker, ARGV[i]) == 1 then
    redis.call('HDEL', p .. 'requests', ARGV[i])
  end
end
local taken = {}
if take > 0 then
  local got = redis.call('ZRANGE', p .. 'queue', 0, take - 1, 'WITHSCORES')
  for i = 1, #got, 2 do
    local id, score = got[i], got[i + 1]
    redis.call('ZREM', p .. 'queue', id)
    redis.call('HSET', p .. 'leases:' .. worker, id, score)
    taken[#taken + 1] = id
    taken[#taken + 1] = redis.call('HGET', p .. 'requests', id) or ''
  end
end
return {added, taken}
"""

_TAKE = """
local p, worker, n = ARGV[1], ARGV[2], tonumber(ARGV[3])
local got = redis.call('ZRANGE', p .. 'queue', 0, n - 1, 'WITHSCORES')
local out = {}
for i = 1, #got, 2 do
  local id, score = got[i], got[i + 1]
  redis.call('ZREM', p .. 'queue', id)
  redis.call('HSET', p .. 'leases:' .. worker, id, score)
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', p .. 'requests', id) or ''
end
return out
"""

_ACK = """
local p, worker = ARGV[1], ARGV[2]
local done = 0
for i = 3, #ARGV do
  if redis.call('HDEL', p .. 'leases:' .. worker, ARGV[i]) == 1 then
    redis.call('HDEL', p .. 'requests', ARGV[i])
    done = done + 1
  end
end
return done
"""

_RELEASE = """
local p, worker = ARGV[1], ARGV[2]
local back = 0
for i = 3, #ARGV do
  local score = redis.call('HGET', p .. 'leases:' .. worker, ARGV[i])
  if score then
    redis.call('HDEL', p .. 'leases:' .. worker, ARGV[i])
    redis.call('ZADD', p .. 'queue', score, ARGV[i])
    back = back + 1
  end
end
return back
"""

_RECLAIM = """
local p = ARGV[1]
local back = 0
local workers = redis.call('HKEYS', p .. 'workers')
for _, worker in ipairs(workers) do
  if redis.call('EXISTS', p .. 'alive:' .. worker) == 0 then
    local leases = redis.call('HGETALL', p .. 'leases:' .. worker)
    for i = 1, #leases, 2 do
      redis.call('ZADD', p .. 'queue', leases[i + 1], leases[i])
      back = back + 1
    end
    redis.call('DEL', p .. 'leases:' .. worker)
    redis.call('HDEL', p .. 'workers', worker)
  end
end
return back
"""

_STATE = """
local p, me = ARGV[1], ARGV[2]
local queued = redis.call('ZCARD', p .. 'queue')
local others, mine, live = 0, 0, 0
for _, worker in ipairs(redis.call('HKEYS', p .. 'workers')) do
  local n = redis.call('HLEN', p .. 'leases:' .. worker)
  if worker == me then
    mine = n
  elseif redis.call('EXISTS', p .. 'alive:' .. worker) == 1 then
    others = others + n
    live = live + 1
  else
    others = others + n
  end
end
return {queued, others, mine, live}
"""

_JOIN = """
local p, worker, info, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local live = 0
for _, w in ipairs(redis.call('HKEYS', p .. 'workers')) do
  if w ~= worker and redis.call('EXISTS', p .. 'alive:' .. w) == 1 then live = live + 1 end
end
local fresh = 0
if live == 0 and redis.call('ZCARD', p .. 'queue') == 0 then
  local leases = 0
  for _, w in ipairs(redis.call('HKEYS', p .. 'workers')) do
    leases = leases + redis.call('HLEN', p .. 'leases:' .. w)
  end
  if leases == 0 then
    redis.call('DEL', p .. 'seen', p .. 'requests', p .. 'queue')
    fresh = 1
  end
end
redis.call('HSET', p .. 'workers', worker, info)
redis.call('SET', p .. 'alive:' .. worker, '1', 'PX', ttl)
return fresh
"""


def worker_name(host: str | None = None, pid: int | None = None) -> str:
    """``{host}-{pid}``: the worker's name in the frontier and in its WARC file names
    (only ``A-Za-z0-9.-``)."""
    host = host or socket.gethostname() or "localhost"
    safe = "".join(c if c.isalnum() or c in ".-" else "-" for c in host).strip("-.") or "host"
    return f"{safe}-{os.getpid() if pid is None else pid}"


@dataclass(frozen=True)
class NewEntry:
    """A request to queue: its fingerprint, whether the seen-set filters it, its priority
    and its serialized form."""

    fingerprint: str
    filter: bool
    priority: int
    payload: str


@dataclass(frozen=True)
class Lease:
    """A request a worker took: its id in the frontier and its serialized form."""

    id: str
    payload: str


@dataclass(frozen=True)
class FrontierState:
    """How much work the frontier holds."""

    queued: int
    """Requests waiting in the queue."""
    others_leased: int
    """Requests taken by other workers and not finished (dead ones' included until
    reclaimed)."""
    mine_leased: int
    live_workers: int
    """Other workers whose heartbeat is fresh."""

    @property
    def done(self) -> bool:
        """Nothing queued and nothing in flight anywhere but (perhaps) with this worker."""
        return self.queued == 0 and self.others_leased == 0


class RedisFrontier:
    """One site's frontier for one worker (see the module).

    :param client: a ``redis.Redis`` client (``decode_responses=True``).
    :param prefix: the keys' prefix, e.g. ``newsarchive:trend:``.
    :param worker: this worker's name (:func:`worker_name`).
    :param lease_seconds: how long a worker's heartbeat lasts; a worker silent for longer
        is dead and its leases go back to the queue.
    """

    def __init__(
        self,
        client: redis.Redis,
        prefix: str,
        worker: str,
        *,
        lease_seconds: float = 30.0,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.worker = worker
        self.lease_seconds = lease_seconds
        self._push = client.register_script(_PUSH)
        self._take = client.register_script(_TAKE)
        self._ack = client.register_script(_ACK)
        self._release = client.register_script(_RELEASE)
        self._reclaim = client.register_script(_RECLAIM)
        self._state = client.register_script(_STATE)
        self._join = client.register_script(_JOIN)

    @classmethod
    def from_url(cls, url: str, prefix: str, worker: str, **kwargs: Any) -> RedisFrontier:
        client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=30)
        return cls(client, prefix, worker, **kwargs)

    def key(self, name: str) -> str:
        return self.prefix + name

    # -- membership ------------------------------------------------------------------

    def join(self, info: dict[str, Any]) -> bool:
        """Register this worker (and its heartbeat). True when it starts a new crawl: no
        other worker was alive and nothing was queued or in flight, so the previous
        crawl's seen-set is cleared (a later crawl is a recrawl)."""
        fresh = self._join(
            args=[self.prefix, self.worker, json.dumps(info), self._ttl_ms()],
        )
        return bool(fresh)

    def heartbeat(self) -> None:
        """Refresh this worker's heartbeat."""
        self.client.set(self.key(f"alive:{self.worker}"), "1", px=self._ttl_ms())

    def leave(self) -> None:
        """Unregister (after :meth:`release` or :meth:`ack` of every lease)."""
        pipe = self.client.pipeline(transaction=True)
        pipe.delete(self.key(f"alive:{self.worker}"))
        pipe.hdel(self.key("workers"), self.worker)
        pipe.execute()

    def workers(self) -> dict[str, dict[str, Any]]:
        """Registered workers and what they said of themselves."""
        raw = cast(dict[str, str], self.client.hgetall(self.key("workers")))
        return {name: json.loads(info) for name, info in raw.items()}

    def is_alive(self, worker: str) -> bool:
        return bool(self.client.exists(self.key(f"alive:{worker}")))

    def declare_dead(self, worker: str) -> None:
        """Forget ``worker``'s heartbeat (it is known dead: same host, its pid is gone), so
        :meth:`reclaim` returns its leases now rather than after the lease time."""
        self.client.delete(self.key(f"alive:{worker}"))

    # -- requests --------------------------------------------------------------------

    def push(self, entries: Sequence[NewEntry], *, ack: Iterable[str] = ()) -> list[bool]:
        """Queue ``entries`` (those whose fingerprint is new, or that are not filtered);
        in the same step, ack this worker's leases ``ack`` (a redirect or retry replacing
        the request it leased). Returns, per entry, whether it was queued."""
        return self.exchange(entries, ack=ack)[0]

    def exchange(
        self, entries: Sequence[NewEntry], *, ack: Iterable[str] = (), take: int = 0
    ) -> tuple[list[bool], list[Lease]]:
        """:meth:`push` ``entries``, :meth:`ack` ``ack``, then :meth:`take` up to ``take``
        requests: one atomic step, one round trip (a worker's whole conversation)."""
        args: list[Any] = [self.prefix, len(entries)]
        for entry in entries:
            args += [entry.fingerprint, "1" if entry.filter else "0", entry.priority]
            args.append(entry.payload)
        args += [self.worker, take, *ack]
        added, flat = self._push(args=args)
        leases = [Lease(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]
        return [bool(x) for x in added], leases

    def take(self, n: int = 1) -> list[Lease]:
        """Take up to ``n`` requests, best first, as this worker's leases."""
        flat = self._take(args=[self.prefix, self.worker, n])
        return [Lease(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]

    def ack(self, ids: Iterable[str]) -> int:
        """Finish leases: their requests are done and forgotten."""
        ids = list(ids)
        if not ids:
            return 0
        return int(self._ack(args=[self.prefix, self.worker, *ids]))

    def release(self, ids: Iterable[str]) -> int:
        """Give leases back to the queue (unfinished work of a worker that stops)."""
        ids = list(ids)
        if not ids:
            return 0
        return int(self._release(args=[self.prefix, self.worker, *ids]))

    def reclaim(self) -> int:
        """Put the leases of every dead worker back in the queue; how many."""
        return int(self._reclaim(args=[self.prefix]))

    def state(self) -> FrontierState:
        queued, others, mine, live = self._state(args=[self.prefix, self.worker])
        return FrontierState(int(queued), int(others), int(mine), int(live))

    def leased(self, worker: str | None = None) -> list[str]:
        """The request ids ``worker`` (default: this one) holds."""
        keys = cast(list[str], self.client.hkeys(self.key(f"leases:{worker or self.worker}")))
        return [str(key) for key in keys]

    def seen_count(self) -> int:
        return int(cast(int, self.client.scard(self.key("seen"))))

    def clear(self) -> None:
        """Delete every key of this frontier (tests, or an operator's fresh start)."""
        keys = list(self.client.scan_iter(match=self.prefix + "*", count=1000))
        if keys:
            self.client.delete(*keys)

    def _ttl_ms(self) -> int:
        return max(1, int(self.lease_seconds * 1000))


def wait_for(predicate: Any, timeout: float, interval: float = 0.05) -> bool:
    """Poll ``predicate()`` until true or ``timeout`` seconds pass (tests, ops)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())

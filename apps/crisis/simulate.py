"""« What if »: some resources down for a duration — a pure function over the BIA graph (plain data in and out).

The rule. At hour 0 the chosen resources go down and stay down for ``duration_hours``. A node (activity or
resource) stops when one of its dependencies stops, after the workaround of that link runs out:

    stop(down resource) = 0
    stop(node) = min over its links node → t of stop(t) + carry(link)

where ``carry`` is 0 for a link without workaround, W for a workaround that holds W hours, and infinity for a
workaround of unknown duration (the engine's convention: it carries nothing). It is a shortest path from the
down resources, walked backwards (Dijkstra). A node is **hit** when ``stop < duration``.

For an activity: it **loses** a dependency at ``lost = min over its links of stop(t)`` (a degraded mode
triggers there when the link has a workaround), it is **interrupted** at ``stop``; it exceeds its DMIA when
``stop + DMIA < duration``, at hour ``stop + DMIA``. Each hit activity carries the path to a down resource.
The recovery order follows ``apps.continuity.recovery``'s rule on what is down (dependencies first, then the
strictest required RTO the hit activities set, then the name; a dependency cycle is broken at its most urgent
member: the members of a cycle come back side by side), computed on the down systems only so that it stays fast on a large establishment; each system is
expected back its capable RTO (measured, else promised) after the last of its down dependencies.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from apps.bia import engine

INF = math.inf


@dataclass(frozen=True)
class HitActivity:
    activity_id: int
    name: str
    dmia_hours: float | None
    lost_at: float  # hours after the failure: first dependency lost (degraded mode triggers here with a workaround)
    interrupted_at: float | None  # None: the workarounds hold past the end of the outage
    dmia_exceeded_at: float | None  # None: not exceeded (or no DMIA)
    degraded_until: float | None  # when the degraded mode runs out (= interrupted_at), None if it holds
    degraded: bool  # a degraded mode triggers (the first loss is through a workaround)
    path: tuple[engine.NodeKey, ...]  # activity → … → a resource down


@dataclass(frozen=True)
class RecoveryRow:
    resource_id: int
    name: str
    position: int
    capable_rto_hours: float | None
    source: str  # "measured", "promised" or ""
    expected_back_hours: float | None


@dataclass
class SimulationResult:
    duration_hours: float
    down: tuple[int, ...]
    hit: list[HitActivity] = field(default_factory=list)
    resources_down: list[int] = field(default_factory=list)  # chosen + those that stop through them
    recovery: list[RecoveryRow] = field(default_factory=list)

    @property
    def exceeded(self) -> list[HitActivity]:
        return [h for h in self.hit if h.dmia_exceeded_at is not None]

    @property
    def degraded(self) -> list[HitActivity]:
        return [h for h in self.hit if h.degraded]


def _carry(edge_workaround: bool, hours: float | None) -> float:
    if not edge_workaround:
        return 0.0
    return INF if hours is None else float(hours)


def stop_times(graph: engine.Graph, down: Iterable[int]) -> tuple[dict[engine.NodeKey, float],
                                                                     dict[engine.NodeKey, engine.NodeKey]]:
    """Each node's stop time (hours) and the next node on its shortest path to a down resource."""
    ix = graph.index()
    reverse: list[list[tuple[int, float]]] = [[] for _ in range(ix.n)]
    for s, t, w, h in zip(ix.src, ix.tgt, ix.wa, ix.hours, strict=True):
        cost = _carry(bool(w), h)
        if cost < INF:
            reverse[t].append((s, cost))
    dist = [INF] * ix.n
    nxt = [-1] * ix.n
    heap: list[tuple[float, int]] = []
    for pk in dict.fromkeys(down):
        key = (engine.RESOURCE, pk)
        if key in ix.pos:
            dist[ix.pos[key]] = 0.0
            heap.append((0.0, ix.pos[key]))
    heapq.heapify(heap)
    while heap:
        d, node = heapq.heappop(heap)
        if d > dist[node]:
            continue
        for pred, cost in reverse[node]:
            nd = d + cost
            if nd < dist[pred]:
                dist[pred] = nd
                nxt[pred] = node
                heapq.heappush(heap, (nd, pred))
    keys = ix.keys
    return ({keys[i]: dist[i] for i in range(ix.n) if dist[i] < INF},
            {keys[i]: keys[nxt[i]] for i in range(ix.n) if nxt[i] >= 0})


def _path(start: engine.NodeKey, nxt: dict[engine.NodeKey, engine.NodeKey]) -> tuple[engine.NodeKey, ...]:
    path = [start]
    while path[-1] in nxt and len(path) <= len(nxt) + 1:
        path.append(nxt[path[-1]])
    return tuple(path)


def simulate(graph: engine.Graph, down: Iterable[int], duration_hours: float,
             activity_ids: Iterable[int] | None = None) -> SimulationResult:
    """What the failure of ``down`` for ``duration_hours`` does (see the module docstring); ``activity_ids``
    limits the activities reported (an establishment's), ``None``: all."""
    down = tuple(pk for pk in dict.fromkeys(down) if pk in graph.resources)
    duration = float(duration_hours)
    stop, nxt = stop_times(graph, down)
    result = SimulationResult(duration_hours=duration, down=down)
    allowed = set(activity_ids) if activity_ids is not None else None
    ix = graph.index()
    for i in range(ix.n_act):
        key = ix.keys[i]
        pk = key[1]
        if allowed is not None and pk not in allowed:
            continue
        lost = INF
        lost_through_workaround = False
        for j in ix.full[i]:
            t_stop = stop.get(ix.keys[j], INF)
            if t_stop < lost:
                lost = t_stop
        if lost >= duration:
            continue  # nothing it needs stops during the outage
        # A degraded mode triggers when none of the links lost at ``lost`` is strict.
        strict_targets = set(ix.strict[i])
        lost_through_workaround = not any(stop.get(ix.keys[j], INF) == lost for j in strict_targets)
        interrupted = stop.get(key, INF)
        node = graph.activities[pk]
        interrupted_at = interrupted if interrupted < duration else None
        exceeded = None
        if interrupted_at is not None and node.dmia_hours is not None and interrupted_at + node.dmia_hours < duration:
            exceeded = interrupted_at + node.dmia_hours
        if key in nxt:
            path = _path(key, nxt)
        else:  # reached only through workarounds of unknown duration: show the first link lost
            j = next(j for j in ix.full[i] if stop.get(ix.keys[j], INF) == lost)
            path = (key, *_path(ix.keys[j], nxt))
        result.hit.append(HitActivity(
            activity_id=pk, name=node.label, dmia_hours=node.dmia_hours, lost_at=lost, interrupted_at=interrupted_at,
            dmia_exceeded_at=exceeded, degraded=lost_through_workaround,
            degraded_until=interrupted_at if lost_through_workaround else None, path=path))
    result.hit.sort(key=lambda h: (h.dmia_exceeded_at is None, h.dmia_exceeded_at or 0, h.interrupted_at is None,
                                   h.interrupted_at or 0, h.name, h.activity_id))
    down_now = {k[1] for k, v in stop.items() if k[0] == engine.RESOURCE and v < duration}
    result.resources_down = sorted(down_now)
    result.recovery = _recovery(graph, result.hit, down_now)
    return result


def _needs(graph: engine.Graph, hit: list[HitActivity]) -> dict[int, float]:
    """The required RTO the hit activities set on each node (their DMIA, + W through a workaround of W hours,
    nothing through one of unknown duration): one Dijkstra downwards from the activities, as the BIA engine."""
    ix = graph.index()
    targets, added = ix.carrying()
    need = [INF] * ix.n
    heap: list[tuple[float, int]] = []
    for h in hit:
        if h.dmia_hours is not None:
            i = ix.pos[(engine.ACTIVITY, h.activity_id)]
            need[i] = min(need[i], float(h.dmia_hours))
            heap.append((need[i], i))
    heapq.heapify(heap)
    while heap:
        d, node = heapq.heappop(heap)
        if d > need[node]:
            continue
        for t, w in zip(targets[node], added[node], strict=True):
            if d + w < need[t]:
                need[t] = d + w
                heapq.heappush(heap, (need[t], t))
    return {ix.keys[i][1]: need[i] for i in range(ix.n_act, ix.n) if need[i] < INF}


def _recovery(graph: engine.Graph, hit: list[HitActivity], down: set[int]) -> list[RecoveryRow]:
    """The systems to restore (down, of a restored kind), dependencies first; among those ready, the most urgent
    need first (then the name); the members of a dependency cycle side by side. Each comes back its capable
    RTO (measured, else promised) after the last of its down dependencies."""
    kinds = {"application", "infrastructure", "biomedical"}
    systems = {pk for pk in down if graph.resources[pk].kind in kinds}
    need = _needs(graph, hit)
    deps: dict[int, set[int]] = {pk: set() for pk in systems}
    users: dict[int, set[int]] = {pk: set() for pk in systems}
    ix = graph.index()
    for s, t in zip(ix.src, ix.tgt, strict=True):
        if s >= ix.n_act and t >= ix.n_act:
            a, b = ix.keys[s][1], ix.keys[t][1]
            if a in systems and b in systems and a != b:
                deps[a].add(b)
                users[b].add(a)

    def key(pk: int) -> tuple[float, str, int]:
        return (need.get(pk, INF), graph.resources[pk].name, pk)

    # Dependency cycles (AD ↔ DNS) come back together: order the strongly connected groups, dependencies first,
    # the most urgent ready group first; inside a group, the most urgent member first.
    adj = {(engine.RESOURCE, pk): [(engine.RESOURCE, d) for d in sorted(deps[pk])] for pk in sorted(systems)}
    group_of: dict[int, int] = {}
    groups: list[list[int]] = []
    for index, component in enumerate(engine.strongly_connected(adj)):
        groups.append(sorted((k[1] for k in component), key=key))
        for k in component:
            group_of[k[1]] = index
    group_deps = {g: {group_of[d] for pk in members for d in deps[pk]} - {g} for g, members in enumerate(groups)}
    group_users: dict[int, set[int]] = {g: set() for g in range(len(groups))}
    for g, needed in group_deps.items():
        for d in needed:
            group_users[d].add(g)
    waiting = {g: len(needed) for g, needed in group_deps.items()}
    ready = [(key(groups[g][0]), g) for g in range(len(groups)) if waiting[g] == 0]
    heapq.heapify(ready)
    placed: list[int] = []
    while ready:
        _key, g = heapq.heappop(ready)
        placed.extend(groups[g])
        for user in group_users[g]:
            waiting[user] -= 1
            if waiting[user] == 0:
                heapq.heappush(ready, (key(groups[user][0]), user))
    rows = []
    back: dict[int, float | None] = {}
    for position, pk in enumerate(placed, start=1):
        res = graph.resources[pk]
        rto = res.effective_rto_hours
        source = "measured" if res.measured_rto_hours is not None else ("promised" if res.rto_hours is not None else "")
        before = [back[d] for d in deps[pk] if d in back]
        expected: float | None = None
        if rto is not None and all(b is not None for b in before):
            expected = float(rto) + max([b for b in before if b is not None], default=0.0)
        back[pk] = expected
        rows.append(RecoveryRow(resource_id=pk, name=res.name, position=position, capable_rto_hours=rto, source=source,
                                expected_back_hours=expected))
    return rows


def as_json(graph: engine.Graph, result: SimulationResult) -> dict[str, object]:
    """The result as stored on a saved simulation (names resolved, paths as labels)."""
    def hours(value: float | None) -> float | None:
        return None if value is None or value == INF else round(value, 2)

    return {
        "duration_hours": result.duration_hours,
        "down": [{"id": pk, "name": graph.name((engine.RESOURCE, pk))} for pk in result.down],
        "resources_down": len(result.resources_down),
        "hit": [{"id": h.activity_id, "name": h.name, "dmia_hours": h.dmia_hours, "lost_at": hours(h.lost_at),
                 "interrupted_at": hours(h.interrupted_at), "dmia_exceeded_at": hours(h.dmia_exceeded_at),
                 "degraded": h.degraded, "degraded_until": hours(h.degraded_until),
                 "path": [graph.label(k) for k in h.path]} for h in result.hit],
        "recovery": [{"id": r.resource_id, "name": r.name, "position": r.position,
                      "capable_rto_hours": r.capable_rto_hours, "source": r.source,
                      "expected_back_hours": hours(r.expected_back_hours)} for r in result.recovery],
    }

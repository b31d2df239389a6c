"""The PRA recovery order: a pure function over the BIA graph (plain data in, plain data out).

Systems come back in the order the activities need them: the strictest required RTO first (the
need the BIA engine carries to the system from the plan's activities: their DMIA, + W hours through a
workaround whose degraded mode holds W hours, nothing through one of unknown duration), then the
activity priority, then the name. Dependencies always come before the systems that need them
(infrastructure before the applications resting on it): a topological order over the
resource → resource edges, where a dependency inherits the urgency of what needs it. Resources in a
dependency cycle (Active Directory ↔ DNS) can only come back together: the cycle is reported, its
members are placed side by side, and nothing loops.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from apps.bia import engine

INFINITY = float("inf")


@dataclass(frozen=True)
class RecoveryItem:
    resource_id: int
    name: str
    kind: str
    position: int  # 1-based
    required_rto_hours: float | None  # None: no activity of the perimeter sets a DMIA
    capable_rto_hours: float | None
    needed_by: tuple[int, ...]  # activity ids of the perimeter that reach this resource
    in_cycle: bool = False


@dataclass(frozen=True)
class RecoveryOrder:
    items: tuple[RecoveryItem, ...]
    cycles: tuple[tuple[int, ...], ...]  # resource ids of each dependency cycle

    def ids(self) -> list[int]:
        return [item.resource_id for item in self.items]


def recovery_order(graph: engine.Graph, activity_ids: Iterable[int],
                   kinds: Iterable[str] = ("application", "infrastructure", "biomedical")) -> RecoveryOrder:
    """Order the systems the given activities need (see the module docstring).

    ``kinds`` limits the sequence to what IT restores (suppliers, premises and skills are not restored).
    Workaround edges count for what is restored (on return to nominal every dependency must be back),
    not for the urgency.
    """
    kinds = set(kinds)
    selected = [pk for pk in dict.fromkeys(activity_ids) if pk in graph.activities]
    adj: dict[engine.NodeKey, list[engine.NodeKey]] = {n: [] for n in graph.nodes()}
    strict_adj: dict[engine.NodeKey, list[engine.NodeKey]] = {n: [] for n in graph.nodes()}
    for edge in graph.edges:
        adj[edge.source].append(edge.target)
        if not edge.workaround:
            strict_adj[edge.source].append(edge.target)

    # Urgency rank: who reaches the system through dependencies *without* workaround (with a workaround the
    # activity runs without it for a while); every dependency is still restored, after the urgent ones.
    needed_by: dict[int, set[int]] = {}
    rank: dict[int, float] = {}  # best rank (position among activities sorted by DMIA) of who needs it urgently
    ordered = sorted(selected, key=lambda pk: (graph.activities[pk].dmia_hours is None,
                                                graph.activities[pk].dmia_hours or 0, graph.activities[pk].name, pk))
    for index, activity_id in enumerate(ordered):
        for strict in (True, False):
            start = (engine.ACTIVITY, activity_id)
            seen = {start}
            queue = deque([start])
            while queue:
                node = queue.popleft()
                for nxt in (strict_adj if strict else adj)[node]:
                    if nxt in seen:
                        continue
                    seen.add(nxt)
                    queue.append(nxt)
                    if nxt[0] != engine.RESOURCE:
                        continue
                    pk = nxt[1]
                    needed_by.setdefault(pk, set()).add(activity_id)
                    if strict:
                        rank[pk] = min(rank.get(pk, INFINITY), index)
    required = _required(graph, selected)

    reached = {pk for pk in needed_by if graph.resources[pk].kind in kinds}
    # Resource → resource edges inside the sequence ("pk needs dep").
    needs: dict[int, list[int]] = {pk: [] for pk in reached}
    for edge in graph.edges:
        if edge.source[0] == engine.RESOURCE and edge.target[0] == engine.RESOURCE:
            a, b = edge.source[1], edge.target[1]
            if a in reached and b in reached:
                needs[a].append(b)

    # Condense cycles; a component's urgency is that of its most urgent member or dependent.
    components = engine.strongly_connected({(engine.RESOURCE, pk): [(engine.RESOURCE, d) for d in deps]
                                            for pk, deps in needs.items()})
    members = [sorted(n[1] for n in comp) for comp in components]
    comp_of = {pk: i for i, comp in enumerate(members) for pk in comp}

    def key_of(pk: int) -> tuple[float, float, str, int]:
        return (required.get(pk, INFINITY), rank.get(pk, INFINITY), graph.resources[pk].name, pk)

    urgency = [min(key_of(pk) for pk in comp) for comp in members]
    # Components come out of Tarjan dependencies first, so walking them backwards visits every
    # dependent before its dependencies: push urgency down to what they need.
    for i in range(len(members) - 1, -1, -1):
        for pk in members[i]:
            for dep in needs[pk]:
                j = comp_of[dep]
                if j != i and urgency[i][:2] < urgency[j][:2]:
                    urgency[j] = (urgency[i][0], urgency[i][1], urgency[j][2], urgency[j][3])

    # Kahn's algorithm on the condensation: a component is ready when all it needs is placed.
    waiting = [0] * len(members)
    dependents: list[set[int]] = [set() for _ in members]
    for pk, deps in needs.items():
        for dep in deps:
            i, j = comp_of[pk], comp_of[dep]
            if i != j and i not in dependents[j]:
                dependents[j].add(i)
                waiting[i] += 1
    heap = [(urgency[i], i) for i in range(len(members)) if waiting[i] == 0]
    heapq.heapify(heap)
    items: list[RecoveryItem] = []
    cycles: list[tuple[int, ...]] = []
    while heap:
        _urgency, i = heapq.heappop(heap)
        comp = sorted(members[i], key=key_of)
        if len(comp) > 1:
            cycles.append(tuple(sorted(comp)))
        for pk in comp:
            resource = graph.resources[pk]
            items.append(RecoveryItem(
                resource_id=pk, name=resource.name, kind=resource.kind, position=len(items) + 1,
                required_rto_hours=required.get(pk), capable_rto_hours=resource.effective_rto_hours,
                needed_by=tuple(sorted(needed_by.get(pk, ()))), in_cycle=len(comp) > 1,
            ))
        for j in dependents[i]:
            waiting[j] -= 1
            if waiting[j] == 0:
                heapq.heappush(heap, (urgency[j], j))
    return RecoveryOrder(items=tuple(items), cycles=tuple(sorted(cycles)))


def _required(graph: engine.Graph, selected: list[int]) -> dict[int, float]:
    """Required RTO of each system: the need the BIA engine carries down to it from the perimeter's activities,
    the smallest over all chains (``Edge.carries``: a link without workaround carries the DMIA, a workaround whose
    degraded mode holds W hours carries DMIA + W, one of unknown duration carries nothing) — the figure the gap
    list shows (« Bloc opératoire tient 48 h en mode dégradé + DMIA 4 h → PACS doit revenir sous 52 h »)."""
    carrying: dict[engine.NodeKey, list[tuple[engine.NodeKey, float]]] = {n: [] for n in graph.nodes()}
    for edge in graph.edges:
        added = edge.carries(add_workaround=True)
        if added is not None:
            carrying[edge.source].append((edge.target, added))
    heap: list[tuple[float, engine.NodeKey]] = [
        (float(dmia), (engine.ACTIVITY, pk)) for pk in selected
        if (dmia := graph.activities[pk].dmia_hours) is not None]
    heapq.heapify(heap)
    settled: dict[engine.NodeKey, float] = {}
    while heap:
        hours, node = heapq.heappop(heap)
        if node in settled:
            continue
        settled[node] = hours
        for nxt, added in carrying[node]:
            if nxt not in settled:
                heapq.heappush(heap, (hours + added, nxt))
    return {pk: hours for (kind, pk), hours in settled.items() if kind == engine.RESOURCE}


def dependency_violations(graph: engine.Graph, sequence: Iterable[int]) -> dict[int, tuple[int, ...]]:
    """Systems placed before one they depend on: resource id → the ids of its (direct or indirect)
    dependencies that come later in ``sequence``. Members of one dependency cycle come back together,
    so their mutual order is never a violation."""
    order = list(dict.fromkeys(sequence))
    position = {pk: i for i, pk in enumerate(order)}
    needs: dict[int, list[int]] = {}
    for edge in graph.edges:
        if edge.source[0] == engine.RESOURCE and edge.target[0] == engine.RESOURCE:
            needs.setdefault(edge.source[1], []).append(edge.target[1])
    nodes = set(needs) | {d for deps in needs.values() for d in deps}
    components = engine.strongly_connected({(engine.RESOURCE, pk): [(engine.RESOURCE, d) for d in needs.get(pk, [])]
                                            for pk in nodes})
    comp_of = {n[1]: i for i, comp in enumerate(components) for n in comp}
    result: dict[int, tuple[int, ...]] = {}
    for pk in order:
        seen: set[int] = set()
        queue = deque(needs.get(pk, []))
        while queue:
            dep = queue.popleft()
            if dep in seen or dep == pk:
                continue
            seen.add(dep)
            queue.extend(needs.get(dep, []))
        later = [d for d in seen if d in position and position[d] > position[pk]
                 and not (pk in comp_of and comp_of.get(d) == comp_of[pk])]
        if later:
            result[pk] = tuple(sorted(later, key=position.__getitem__))
    return result

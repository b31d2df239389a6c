"""The required-vs-capable engine: pure functions over plain data (no ORM, no I/O).

Vocabulary (DOMAIN.md §4): an activity *needs* to be back within its DMIA and to lose at most its
PDMA of data; a resource *can* come back within its RTO (measured restore duration when there is
one, else the promise) and lose at most its RPO.

- **Requirements flow down**: a node (resource or upstream activity) needs the strictest DMIA/PDMA
  of every activity that depends on it, transitively (activity → activity → resource → resource).
  Each link carries the need of its source (an activity's own need is the stricter of its DMIA and
  what its own dependents pass to it) to its target by one rule:

  - no workaround: the target needs what the source needs (``need``);
  - a workaround whose degraded mode holds ``W`` hours (``workaround_hours``): the source runs
    degraded for ``W`` hours and then tolerates its own need, so the target must be back within
    ``need + W`` (« Bloc opératoire tient 48 h en mode dégradé + DMIA 4 h → PACS doit revenir sous
    52 h »). Along a chain the ``W`` add up (DMIA 4 h, W 48 h then W 24 h: 76 h at the end). The
    data-loss need (PDMA) crosses such a link unchanged: a degraded mode gives time, it does not
    bring back data lost at the incident;
  - a workaround with no known duration: nothing is carried (the degraded mode could hold for
    ever, we cannot tell) and the link is reported in ``Analysis.uncarried`` so the pages show
    « contournement sans durée : le besoin de … n'est pas reporté ».

  A node's need is the smallest value over all chains reaching it (a shortest path with weights
  ``W ≥ 0``, Dijkstra from every activity at once; ties go to the stricter source activity, then
  the lower activity id, then the fewer links). Cycles cannot loop: each node is settled once.
- **Capabilities flow up**: an activity's achievable recovery is bounded by the worst RTO along its
  dependency chains without workaround (a degraded mode, of known duration or not, means the
  activity does not wait for that dependency to start again).
- **Gaps**: a resource whose capability is worse than its requirement, explained by the path from
  the activity that sets the requirement ("Urgences needs 4 h → DPI → Active Directory promises 24 h");
  an upstream activity whose own DMIA is looser than what its downstream activities need.
- **Single points of failure**: a resource reached, without workaround, by several critical activities,
  with one chain per activity (``SinglePointOfFailure.paths``).
- **Cycles** are detected (Tarjan, iterative) and reported; every traversal keeps a visited set, so
  nothing ever loops.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

ACTIVITY = "activity"
RESOURCE = "resource"
# Part of the analysis cache key: a change of the engine's rules or data classes never serves an old result.
VERSION = 2
NodeKey = tuple[str, int]


# --- DMIA and criticality -----------------------------------------------------------------------

def derive_dmia(cells: Mapping[tuple[int, int], int], horizons: Sequence[tuple[int, int]],
                intolerable_level: int) -> int | None:
    """DMIA = ``hours`` of the first horizon (by hours) where any criterion reaches the intolerable level.

    ``cells`` maps (criterion_id, horizon_id) → level; ``horizons`` is [(horizon_id, hours)].
    None when no answer reaches the intolerable level (the activity can wait beyond the last horizon).
    """
    by_horizon: dict[int, int] = {}
    for (_criterion, horizon_id), level in cells.items():
        by_horizon[horizon_id] = max(by_horizon.get(horizon_id, 0), level)
    for horizon_id, hours in sorted(horizons, key=lambda h: (h[1], h[0])):
        if by_horizon.get(horizon_id, 0) >= intolerable_level:
            return hours
    return None


@dataclass(frozen=True)
class Thresholds:
    critical: int = 4
    high: int = 24
    medium: int = 72


def criticality_for(dmia_hours: float | None, thresholds: Thresholds) -> str:
    """critical / high / medium / low from the DMIA in force; "unknown" without one."""
    if dmia_hours is None:
        return "unknown"
    if dmia_hours <= thresholds.critical:
        return "critical"
    if dmia_hours <= thresholds.high:
        return "high"
    if dmia_hours <= thresholds.medium:
        return "medium"
    return "low"


# --- The graph ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ActivityNode:
    id: int
    name: str
    dmia_hours: float | None = None
    pdma_hours: float | None = None
    criticality: str = "unknown"
    establishment_id: int | None = None
    establishment: str = ""  # its name, shown next to the activity's (names repeat across establishments)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.establishment})" if self.establishment else self.name


@dataclass(frozen=True)
class ResourceNode:
    id: int
    name: str
    kind: str = "application"
    rto_hours: float | None = None  # promised
    rpo_hours: float | None = None  # promised
    measured_rto_hours: float | None = None  # the latest successful restoration back into production
    measured_rpo_hours: float | None = None  # the restored data point of that same test

    @property
    def effective_rto_hours(self) -> float | None:
        return self.measured_rto_hours if self.measured_rto_hours is not None else self.rto_hours

    @property
    def effective_rpo_hours(self) -> float | None:
        return self.measured_rpo_hours if self.measured_rpo_hours is not None else self.rpo_hours


@dataclass(frozen=True)
class Edge:
    """``source`` depends on ``target``."""

    source: NodeKey
    target: NodeKey
    workaround: bool = False
    workaround_hours: float | None = None  # how long the degraded mode holds; only with ``workaround``

    def carries(self, *, add_workaround: bool) -> float | None:
        """What this link adds to the need it carries; None when it carries nothing (workaround of unknown duration)."""
        if not self.workaround:
            return 0.0
        if self.workaround_hours is None:
            return None
        return float(self.workaround_hours) if add_workaround else 0.0


@dataclass
class Graph:
    activities: dict[int, ActivityNode] = field(default_factory=dict)
    resources: dict[int, ResourceNode] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)

    def name(self, key: NodeKey) -> str:
        kind, pk = key
        node = self.activities.get(pk) if kind == ACTIVITY else self.resources.get(pk)
        return node.name if node is not None else f"{kind} {pk}"

    def label(self, key: NodeKey) -> str:
        """The name, with the establishment for an activity (« Urgences (CH Saint-Aubin) »)."""
        if key[0] == ACTIVITY and key[1] in self.activities:
            return self.activities[key[1]].label
        return self.name(key)

    def nodes(self) -> list[NodeKey]:
        return [(ACTIVITY, pk) for pk in self.activities] + [(RESOURCE, pk) for pk in self.resources]


EdgeRow = tuple[int, int, bool] | tuple[int, int, bool, float | None]


def _edge(source: NodeKey, target: NodeKey, row: Sequence[object]) -> Edge:
    workaround = bool(row[2])
    hours = row[3] if len(row) > 3 else None
    return Edge(source, target, workaround,
                float(hours) if workaround and isinstance(hours, int | float) and hours > 0 else None)


def build_graph(activities: Iterable[ActivityNode], resources: Iterable[ResourceNode],
                activity_resource: Iterable[EdgeRow] = (),
                resource_resource: Iterable[EdgeRow] = (),
                activity_activity: Iterable[EdgeRow] = ()) -> Graph:
    """Assemble a graph; edges whose ends are unknown are dropped (a dangling row cannot crash the engine).

    Each row is ``(source, target, workaround)`` or ``(source, target, workaround, workaround_hours)``;
    a duration without a workaround, or not above zero, is ignored.
    """
    graph = Graph(activities={a.id: a for a in activities}, resources={r.id: r for r in resources})
    for row in activity_resource:
        a, r = row[0], row[1]
        if a in graph.activities and r in graph.resources:
            graph.edges.append(_edge((ACTIVITY, a), (RESOURCE, r), row))
    for row in resource_resource:
        r1, r2 = row[0], row[1]
        if r1 in graph.resources and r2 in graph.resources and r1 != r2:
            graph.edges.append(_edge((RESOURCE, r1), (RESOURCE, r2), row))
    for row in activity_activity:
        a1, a2 = row[0], row[1]
        if a1 in graph.activities and a2 in graph.activities and a1 != a2:
            graph.edges.append(_edge((ACTIVITY, a1), (ACTIVITY, a2), row))
    return graph


def _adjacency(graph: Graph, *, strict: bool) -> dict[NodeKey, list[NodeKey]]:
    """Successors of each node; ``strict`` keeps only the edges without workaround."""
    adj: dict[NodeKey, list[NodeKey]] = {n: [] for n in graph.nodes()}
    for edge in graph.edges:
        if strict and edge.workaround:
            continue
        adj[edge.source].append(edge.target)
    return adj


def strongly_connected(adj: Mapping[NodeKey, Sequence[NodeKey]]) -> list[list[NodeKey]]:
    """Tarjan's algorithm without recursion; components come out in reverse topological order."""
    index: dict[NodeKey, int] = {}
    low: dict[NodeKey, int] = {}
    on_stack: set[NodeKey] = set()
    stack: list[NodeKey] = []
    components: list[list[NodeKey]] = []
    counter = 0
    for root in adj:
        if root in index:
            continue
        work: list[tuple[NodeKey, int]] = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            successors = adj[node]
            recursed = False
            while i < len(successors):
                nxt = successors[i]
                i += 1
                if nxt not in index:
                    work.append((node, i))
                    work.append((nxt, 0))
                    recursed = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if recursed:
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return components


def find_cycles(graph: Graph) -> list[list[NodeKey]]:
    """Every dependency cycle (a strongly connected component of two nodes or more), sorted for display."""
    cycles = [sorted(c) for c in strongly_connected(_adjacency(graph, strict=False)) if len(c) > 1]
    return sorted(cycles)


# --- Requirements flow down ---------------------------------------------------------------------

@dataclass(frozen=True)
class Requirement:
    hours: float
    node: NodeKey
    # Shortest-path parents shared by all requirements of one flow; the path is built on demand.
    parents: Mapping[NodeKey, NodeKey | None] = field(repr=False, compare=False, hash=False)
    # What the link from its parent added to the need (W of a workaround of known duration), per node.
    added: Mapping[NodeKey, float] = field(default_factory=dict, repr=False, compare=False, hash=False)

    @property
    def path(self) -> tuple[NodeKey, ...]:
        """From the activity that sets the requirement down to this node."""
        return _path_to(self.parents, self.node)

    @property
    def workarounds(self) -> tuple[float | None, ...]:
        """For each link of ``path``: the W hours it added, None for a link without workaround."""
        path = self.path
        return tuple(self.added.get(node) for node in path[1:])


WeightedAdjacency = Mapping[NodeKey, Sequence[tuple[NodeKey, float]]]


def _carrying(graph: Graph, *, add_workaround: bool) -> dict[NodeKey, list[tuple[NodeKey, float]]]:
    """Successors of each node through the links that carry a need: (target, W hours the link adds)."""
    adj: dict[NodeKey, list[tuple[NodeKey, float]]] = {n: [] for n in graph.nodes()}
    for edge in graph.edges:
        added = edge.carries(add_workaround=add_workaround)
        if added is not None:
            adj[edge.source].append((edge.target, added))
    return adj


def _flow_down(graph: Graph, adj: WeightedAdjacency, attr: str) -> dict[NodeKey, Requirement]:
    """Each node reached from an activity gets the smallest ``attr`` + W sum over the chains reaching it.

    Dijkstra from every activity with a value at once (weights W ≥ 0): a node is settled once, with
    the strictest need; ties go to the stricter source, then the lower activity id, then fewer links.
    O((V + E) log V).
    """
    # (need, source value, source id, links, push order, node, parent, W added by the last link)
    heap: list[tuple[float, float, int, int, int, NodeKey, NodeKey | None, float]] = []
    order = 0
    for a in sorted(graph.activities.values(), key=lambda a: a.id):
        value = getattr(a, attr)
        if value is not None:
            heap.append((float(value), float(value), a.id, 0, order, (ACTIVITY, a.id), None, 0.0))
            order += 1
    heapq.heapify(heap)
    result: dict[NodeKey, Requirement] = {}
    parent: dict[NodeKey, NodeKey | None] = {}
    added: dict[NodeKey, float] = {}
    while heap:
        hours, source_value, source_id, hops, _order, node, prev, w = heapq.heappop(heap)
        if node in result:
            continue
        parent[node] = prev
        if w:
            added[node] = w
        result[node] = Requirement(hours=hours, node=node, parents=parent, added=added)
        for nxt, extra in adj[node]:
            if nxt not in result:
                heapq.heappush(heap, (hours + extra, source_value, source_id, hops + 1, order, nxt, node, extra))
                order += 1
    return result


def _path_to(parent: Mapping[NodeKey, NodeKey | None], node: NodeKey) -> tuple[NodeKey, ...]:
    path = [node]
    seen = {node}
    while (prev := parent.get(path[-1])) is not None and prev not in seen:
        path.append(prev)
        seen.add(prev)
    return tuple(reversed(path))


# --- Capabilities flow up -----------------------------------------------------------------------

@dataclass(frozen=True)
class Capability:
    """Worst recovery time reachable from a node through chains without workaround."""

    hours: float | None
    bottleneck: NodeKey | None  # the resource that sets ``hours``
    unknown: tuple[NodeKey, ...] = ()  # resources on those chains with no capability at all


def _flow_up(graph: Graph, adj: Mapping[NodeKey, Sequence[NodeKey]]) -> dict[NodeKey, Capability]:
    components = strongly_connected(adj)  # reverse topological: dependencies first
    component_of: dict[NodeKey, int] = {}
    for i, component in enumerate(components):
        for node in component:
            component_of[node] = i
    best: list[tuple[float, NodeKey] | None] = [None] * len(components)
    unknown: list[frozenset[NodeKey]] = [frozenset()] * len(components)
    for i, component in enumerate(components):
        worst: tuple[float, NodeKey] | None = None
        missing: set[NodeKey] = set()
        for node in component:
            if node[0] == RESOURCE:
                rto = graph.resources[node[1]].effective_rto_hours
                if rto is None:
                    missing.add(node)
                elif worst is None or (rto, node) > worst:
                    worst = (rto, node)
            for nxt in adj[node]:
                j = component_of[nxt]
                if j == i:
                    continue
                candidate = best[j]
                if candidate is not None and (worst is None or candidate > worst):
                    worst = candidate
                missing |= unknown[j]
        best[i] = worst
        unknown[i] = frozenset(missing)
    result = {}
    for node, i in component_of.items():
        worst = best[i]
        result[node] = Capability(
            hours=worst[0] if worst else None, bottleneck=worst[1] if worst else None,
            unknown=tuple(sorted(unknown[i])),
        )
    return result


def limiting_chain(graph: Graph, node: NodeKey, capability: Capability | None) -> tuple[NodeKey, ...]:
    """The chain without workaround from ``node`` to the resource that sets its achievable recovery."""
    if capability is None or capability.bottleneck is None:
        return ()
    return bfs_path(_adjacency(graph, strict=True), node, capability.bottleneck)


def bfs_path(adj: Mapping[NodeKey, Sequence[NodeKey]], start: NodeKey, goal: NodeKey) -> tuple[NodeKey, ...]:
    """Shortest chain from ``start`` to ``goal`` (empty when unreachable)."""
    parent: dict[NodeKey, NodeKey | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            return _path_to(parent, node)
        for nxt in adj[node]:
            if nxt not in parent:
                parent[nxt] = node
                queue.append(nxt)
    return ()


# --- Gaps and single points of failure ----------------------------------------------------------

@dataclass(frozen=True)
class Gap:
    """``node`` can do ``capable_hours`` where ``required_hours`` is needed (kind "rto" or "rpo")."""

    kind: str
    node: NodeKey
    required_hours: float
    capable_hours: float | None  # None: nothing declared
    path: tuple[NodeKey, ...]
    measured: bool = False
    # For each link of ``path``: the W hours of degraded mode it added to the need, None without workaround.
    workarounds: tuple[float | None, ...] = ()

    @property
    def ratio(self) -> float | None:
        """How many times the need the capability is (« 8 h promis pour 4 h requis, ×2 »)."""
        if self.capable_hours is None or not self.required_hours:
            return None
        return self.capable_hours / self.required_hours

    @property
    def source(self) -> NodeKey:
        return self.path[0]

    @property
    def excess_hours(self) -> float | None:
        return None if self.capable_hours is None else self.capable_hours - self.required_hours


@dataclass(frozen=True)
class SinglePointOfFailure:
    resource_id: int
    activity_ids: tuple[int, ...]
    # One chain without workaround per activity, same order as ``activity_ids`` (filled by ``analyse``).
    paths: tuple[tuple[NodeKey, ...], ...] = ()


@dataclass(frozen=True)
class UncarriedNeed:
    """A workaround of unknown duration: the need of ``source`` is not carried to ``target``."""

    source: NodeKey
    target: NodeKey
    rto_hours: float | None  # the need of ``source`` that stops here
    rpo_hours: float | None


@dataclass(frozen=True)
class ActivityRisk:
    """An activity whose achievable recovery (worst chain) exceeds what it needs."""

    activity_id: int
    required_hours: float
    achievable_hours: float
    chain: tuple[NodeKey, ...]


@dataclass
class Analysis:
    rto_requirements: dict[NodeKey, Requirement]
    rpo_requirements: dict[NodeKey, Requirement]
    capabilities: dict[NodeKey, Capability]
    gaps: list[Gap]
    missing_capabilities: list[Gap]
    activity_risks: list[ActivityRisk]
    spofs: list[SinglePointOfFailure]
    cycles: list[list[NodeKey]]
    uncarried: list[UncarriedNeed] = field(default_factory=list)


def single_points_of_failure(graph: Graph, adj: Mapping[NodeKey, Sequence[NodeKey]],
                             critical: Iterable[str] = ("critical", "high"),
                             min_activities: int = 2) -> list[SinglePointOfFailure]:
    """Resources reached, through chains without workaround, by ``min_activities`` critical activities or more.

    Reach sets are bitsets propagated over the condensation (dependents before dependencies).
    """
    wanted = set(critical)
    crit_ids = sorted(a.id for a in graph.activities.values() if a.criticality in wanted)
    bit = {(ACTIVITY, pk): 1 << i for i, pk in enumerate(crit_ids)}
    components = strongly_connected(adj)
    component_of = {node: i for i, comp in enumerate(components) for node in comp}
    reach = [0] * len(components)
    for i, comp in enumerate(components):
        for node in comp:
            reach[i] |= bit.get(node, 0)
    for i in range(len(components) - 1, -1, -1):  # topological order: dependents first
        for node in components[i]:
            for nxt in adj[node]:
                j = component_of[nxt]
                if j != i:
                    reach[j] |= reach[i]
    result = []
    for node, i in component_of.items():
        if node[0] != RESOURCE:
            continue
        mask = reach[i]
        if mask.bit_count() >= min_activities:
            ids = []
            while mask:
                low = mask & -mask
                ids.append(crit_ids[low.bit_length() - 1])
                mask ^= low
            result.append(SinglePointOfFailure(resource_id=node[1], activity_ids=tuple(ids)))
    result.sort(key=lambda s: (-len(s.activity_ids), s.resource_id))
    return result


def analyse(graph: Graph, *, critical: Iterable[str] = ("critical", "high"), spof_min_activities: int = 2,
            rpo_kinds: Iterable[str] = ("application",)) -> Analysis:
    """Run the whole engine on a graph.

    A missing RPO is only reported for ``rpo_kinds`` (data lives in applications; a network or a
    supplier has no data loss of its own), but any declared RPO is compared with the need.
    """
    rpo_kinds = set(rpo_kinds)
    strict = _adjacency(graph, strict=True)
    rto_req = _flow_down(graph, _carrying(graph, add_workaround=True), "dmia_hours")
    rpo_req = _flow_down(graph, _carrying(graph, add_workaround=False), "pdma_hours")
    capabilities = _flow_up(graph, strict)
    gaps: list[Gap] = []
    missing: list[Gap] = []
    for pk, resource in sorted(graph.resources.items()):
        key = (RESOURCE, pk)
        if key in rto_req:
            need = rto_req[key]
            capable = resource.effective_rto_hours
            gap = Gap("rto", key, need.hours, capable, need.path, measured=resource.measured_rto_hours is not None,
                      workarounds=need.workarounds)
            if capable is None:
                missing.append(gap)
            elif capable > need.hours:
                gaps.append(gap)
        if key in rpo_req:
            need = rpo_req[key]
            capable_rpo = resource.effective_rpo_hours
            if capable_rpo is None:
                if resource.kind in rpo_kinds:
                        missing.append(Gap("rpo", key, need.hours, None, need.path))
            elif capable_rpo > need.hours:
                gaps.append(Gap("rpo", key, need.hours, capable_rpo, need.path,
                                measured=resource.measured_rpo_hours is not None))
    # Upstream activities that promise less than their downstream activities need.
    for pk, activity in sorted(graph.activities.items()):
        key = (ACTIVITY, pk)
        downstream_need = rto_req.get(key)
        if downstream_need is not None and len(downstream_need.path) > 1 and (
                activity.dmia_hours is None or activity.dmia_hours > downstream_need.hours):
            gaps.append(Gap("rto", key, downstream_need.hours, activity.dmia_hours, downstream_need.path,
                            workarounds=downstream_need.workarounds))
    risks = []
    for pk in sorted(graph.activities):
        key = (ACTIVITY, pk)
        required = rto_req.get(key)
        cap = capabilities.get(key)
        if required and cap and cap.hours is not None and cap.bottleneck is not None and cap.hours > required.hours:
            risks.append(ActivityRisk(pk, required.hours, cap.hours, bfs_path(strict, key, cap.bottleneck)))
    gaps.sort(key=lambda g: (g.kind != "rto", g.required_hours, -(g.excess_hours or 0), g.node))
    uncarried = sorted(
        (UncarriedNeed(e.source, e.target, rto_req[e.source].hours if e.source in rto_req else None,
                       rpo_req[e.source].hours if e.source in rpo_req else None)
         for e in graph.edges if e.workaround and e.workaround_hours is None
         and (e.source in rto_req or e.source in rpo_req)),
        key=lambda u: (u.rto_hours is None, u.rto_hours or 0, u.source, u.target),
    )
    spofs = [
        SinglePointOfFailure(s.resource_id, s.activity_ids, tuple(
            bfs_path(strict, (ACTIVITY, a), (RESOURCE, s.resource_id)) for a in s.activity_ids))
        for s in single_points_of_failure(graph, strict, critical, spof_min_activities)
    ]
    return Analysis(
        rto_requirements=rto_req, rpo_requirements=rpo_req, capabilities=capabilities, gaps=gaps,
        missing_capabilities=missing, activity_risks=risks, spofs=spofs,
        cycles=find_cycles(graph), uncarried=uncarried,
    )

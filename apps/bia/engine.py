"""The required-vs-capable engine: pure functions over plain data (no ORM, no I/O).

Vocabulary (DOMAIN.md §4): an activity *needs* to be back within its DMIA and to lose at most its
PDMA of data; a resource *can* come back within its RTO (measured restore duration when there is
one, else the promise) and lose at most its RPO.

- **Requirements flow down**: a node (resource or upstream activity) needs the strictest DMIA/PDMA
  of every activity that depends on it, transitively (activity → activity → resource → resource).
  A dependency with a workaround (degraded mode) does not carry the requirement: the activity can
  run without it for a while.
- **Capabilities flow up**: an activity's achievable recovery is bounded by the worst RTO along its
  dependency chains without workaround.
- **Gaps**: a resource whose capability is worse than its requirement, explained by the path from
  the activity that sets the requirement ("Urgences needs 4 h → DPI → Active Directory promises 24 h");
  an upstream activity whose own DMIA is looser than what its downstream activities need.
- **Single points of failure**: a resource reached, without workaround, by several critical activities.
- **Cycles** are detected (Tarjan, iterative) and reported; every traversal keeps a visited set, so
  nothing ever loops.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

ACTIVITY = "activity"
RESOURCE = "resource"
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


@dataclass
class Graph:
    activities: dict[int, ActivityNode] = field(default_factory=dict)
    resources: dict[int, ResourceNode] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)

    def name(self, key: NodeKey) -> str:
        kind, pk = key
        node = self.activities.get(pk) if kind == ACTIVITY else self.resources.get(pk)
        return node.name if node is not None else f"{kind} {pk}"

    def nodes(self) -> list[NodeKey]:
        return [(ACTIVITY, pk) for pk in self.activities] + [(RESOURCE, pk) for pk in self.resources]


def build_graph(activities: Iterable[ActivityNode], resources: Iterable[ResourceNode],
                activity_resource: Iterable[tuple[int, int, bool]] = (),
                resource_resource: Iterable[tuple[int, int, bool]] = (),
                activity_activity: Iterable[tuple[int, int, bool]] = ()) -> Graph:
    """Assemble a graph; edges whose ends are unknown are dropped (a dangling row cannot crash the engine)."""
    graph = Graph(activities={a.id: a for a in activities}, resources={r.id: r for r in resources})
    for a, r, w in activity_resource:
        if a in graph.activities and r in graph.resources:
            graph.edges.append(Edge((ACTIVITY, a), (RESOURCE, r), bool(w)))
    for r1, r2, w in resource_resource:
        if r1 in graph.resources and r2 in graph.resources and r1 != r2:
            graph.edges.append(Edge((RESOURCE, r1), (RESOURCE, r2), bool(w)))
    for a1, a2, w in activity_activity:
        if a1 in graph.activities and a2 in graph.activities and a1 != a2:
            graph.edges.append(Edge((ACTIVITY, a1), (ACTIVITY, a2), bool(w)))
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
    # Breadth-first parents shared by all requirements of one flow; the path is built on demand.
    parents: Mapping[NodeKey, NodeKey | None] = field(repr=False, compare=False, hash=False)

    @property
    def path(self) -> tuple[NodeKey, ...]:
        """From the activity that sets the requirement down to this node."""
        return _path_to(self.parents, self.node)


def _flow_down(graph: Graph, adj: Mapping[NodeKey, Sequence[NodeKey]], attr: str) -> dict[NodeKey, Requirement]:
    """Each node reached from an activity gets the strictest value of ``attr`` among those activities.

    Sources are visited from the strictest; a node reached once already has the strictest value
    and everything below it was reached too, so each node and edge is visited once: O(V + E).
    """
    sources = sorted(
        ((getattr(a, attr), a.id) for a in graph.activities.values() if getattr(a, attr) is not None),
    )
    result: dict[NodeKey, Requirement] = {}
    parent: dict[NodeKey, NodeKey | None] = {}
    for value, activity_id in sources:
        start = (ACTIVITY, activity_id)
        if start in result:
            continue
        parent[start] = None
        queue = deque([start])
        while queue:
            node = queue.popleft()
            result[node] = Requirement(hours=value, node=node, parents=parent)
            for nxt in adj[node]:
                if nxt not in parent:
                    parent[nxt] = node
                    queue.append(nxt)
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
    rto_req = _flow_down(graph, strict, "dmia_hours")
    rpo_req = _flow_down(graph, strict, "pdma_hours")
    capabilities = _flow_up(graph, strict)
    gaps: list[Gap] = []
    missing: list[Gap] = []
    for pk, resource in sorted(graph.resources.items()):
        key = (RESOURCE, pk)
        if key in rto_req:
            need = rto_req[key]
            capable = resource.effective_rto_hours
            gap = Gap("rto", key, need.hours, capable, need.path, measured=resource.measured_rto_hours is not None)
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
            gaps.append(Gap("rto", key, downstream_need.hours, activity.dmia_hours, downstream_need.path))
    risks = []
    for pk in sorted(graph.activities):
        key = (ACTIVITY, pk)
        required = rto_req.get(key)
        cap = capabilities.get(key)
        if required and cap and cap.hours is not None and cap.bottleneck is not None and cap.hours > required.hours:
            risks.append(ActivityRisk(pk, required.hours, cap.hours, bfs_path(strict, key, cap.bottleneck)))
    gaps.sort(key=lambda g: (g.kind != "rto", g.required_hours, -(g.excess_hours or 0), g.node))
    return Analysis(
        rto_requirements=rto_req, rpo_requirements=rpo_req, capabilities=capabilities, gaps=gaps,
        missing_capabilities=missing, activity_risks=risks,
        spofs=single_points_of_failure(graph, strict, critical, spof_min_activities),
        cycles=find_cycles(graph),
    )

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
  activity does not wait for that dependency to start again). The same pass over the condensation
  keeps, for every node, its distance to that worst resource (the *bottleneck*) and the first link
  of the shortest chain to it, so the limiting chain of any node is read by following links: the
  chain a breadth-first search would find, without one search per activity.
- **Gaps**: a resource whose capability is worse than its requirement, explained by the path from
  the activity that sets the requirement ("Urgences needs 4 h → DPI → Active Directory promises 24 h");
  an upstream activity whose own DMIA is looser than what its downstream activities need.
- **Single points of failure**: a resource reached, without workaround, by several critical activities.
  Counted in one pass (bitsets of critical activities over the condensation, bits in listing order);
  the chains from each activity to the resource are searched only for the rows shown
  (``Analysis.spof_paths``).
- **Cycles** are detected (Tarjan, iterative) and reported; every traversal keeps a visited set, so
  nothing ever loops.

Cost: O((V + E) log V) for the flows, O(V + E) bitset operations for the rest. Internally nodes are
ints (activities by id, then resources by id) and the analysis is a few flat arrays: that is what
the cache stores (``Graph`` and ``Analysis`` pickle as columns), and the objects the pages use
(``Requirement``, ``Capability``, ``Gap``…) are built on access.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ACTIVITY = "activity"
RESOURCE = "resource"
# Part of the analysis cache key: a change of the engine's rules or data classes never serves an old result.
VERSION = 3
NodeKey = tuple[str, int]
# Listing order of critical activities (the pages show the most critical first), as ``bia.models.CRITICALITY_RANK``.
LISTING_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}
_NONE = math.nan  # "no value" in the float arrays


def _opt(value: float) -> float | None:
    return None if value != value else value  # NaN → None


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


class _Index:
    """The graph as ints: activities ``0..A-1`` by id, then resources ``A..N-1`` by id; the edges as
    columns in the graph's order (adjacency lists keep that order: it decides ties between chains)."""

    __slots__ = ("act_ids", "res_ids", "n_act", "n", "keys", "pos", "src", "tgt", "wa", "hours",
                 "_strict", "_reverse", "_full")

    def __init__(self, act_ids: list[int], res_ids: list[int], src: array, tgt: array, wa: bytes | bytearray,
                 hours: list[float | None]) -> None:
        self.act_ids, self.res_ids = act_ids, res_ids
        self.n_act = len(act_ids)
        self.n = self.n_act + len(res_ids)
        self.keys: list[NodeKey] = [(ACTIVITY, pk) for pk in act_ids] + [(RESOURCE, pk) for pk in res_ids]
        self.pos: dict[NodeKey, int] = {key: i for i, key in enumerate(self.keys)}
        self.src, self.tgt, self.wa, self.hours = src, tgt, wa, hours
        self._strict: list[list[int]] | None = None
        self._reverse: list[list[int]] | None = None
        self._full: list[list[int]] | None = None

    @property
    def strict(self) -> list[list[int]]:
        """Successors through links without workaround."""
        if self._strict is None:
            adj: list[list[int]] = [[] for _ in range(self.n)]
            for s, t, w in zip(self.src, self.tgt, self.wa, strict=True):
                if not w:
                    adj[s].append(t)
            self._strict = adj
        return self._strict

    @property
    def reverse(self) -> list[list[int]]:
        """Predecessors through links without workaround."""
        if self._reverse is None:
            adj: list[list[int]] = [[] for _ in range(self.n)]
            for s, t, w in zip(self.src, self.tgt, self.wa, strict=True):
                if not w:
                    adj[t].append(s)
            self._reverse = adj
        return self._reverse

    @property
    def full(self) -> list[list[int]]:
        if self._full is None:
            adj: list[list[int]] = [[] for _ in range(self.n)]
            for s, t in zip(self.src, self.tgt, strict=True):
                adj[s].append(t)
            self._full = adj
        return self._full

    def carrying(self) -> tuple[list[list[int]], list[list[float]]]:
        """Successors through the links that carry a need, and the W hours each link adds (0 without
        workaround): a workaround of unknown duration carries nothing."""
        targets: list[list[int]] = [[] for _ in range(self.n)]
        added: list[list[float]] = [[] for _ in range(self.n)]
        for s, t, w, h in zip(self.src, self.tgt, self.wa, self.hours, strict=True):
            if not w:
                targets[s].append(t)
                added[s].append(0.0)
            elif h is not None:
                targets[s].append(t)
                added[s].append(float(h))
        return targets, added


class Graph:
    """Activities and resources by id, and the dependency links (``edges``, in their order).

    The links are kept as columns (int arrays); the ``Edge`` objects are built when ``edges`` is first
    read, and the graph pickles as columns (ids, names, values, int arrays). Treat a graph as read-only
    once built: appending to ``edges`` is noticed, other changes are not.
    """

    def __init__(self, activities: dict[int, ActivityNode] | None = None,
                 resources: dict[int, ResourceNode] | None = None, edges: list[Edge] | None = None) -> None:
        self.activities: dict[int, ActivityNode] = activities if activities is not None else {}
        self.resources: dict[int, ResourceNode] = resources if resources is not None else {}
        self._edges: list[Edge] | None = edges if edges is not None else []
        # (source ints, target ints, workaround flags, hours); ints as in ``_Index``.
        self._columns: tuple[array, array, bytes, list[float | None]] | None = None
        self._edges_seen: tuple[int, int] | None = None  # (id, length) of the edge list the columns match
        self._index: _Index | None = None

    @property
    def edges(self) -> list[Edge]:
        if self._edges is None:
            assert self._columns is not None
            src, tgt, wa, hours = self._columns
            keys = self.index().keys
            self._edges = [_new(Edge, source=keys[s], target=keys[t], workaround=bool(w), workaround_hours=h)
                           for s, t, w, h in zip(src, tgt, wa, hours, strict=True)]
            self._edges_seen = (id(self._edges), len(self._edges))
        return self._edges

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

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Graph):
            return NotImplemented
        return (self.activities, self.resources, self.edges) == (other.activities, other.resources, other.edges)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Graph({len(self.activities)} activities, {len(self.resources)} resources, {self.edge_count} links)"

    @property
    def edge_count(self) -> int:
        return len(self.index().src)

    def _set_columns(self, columns: tuple[array, array, bytes, list[float | None]]) -> None:
        self._columns, self._edges, self._edges_seen, self._index = columns, None, None, None

    def index(self) -> _Index:
        """The int form, built once per graph (again if ``edges`` grew)."""
        if self._edges is not None and self._edges_seen != (id(self._edges), len(self._edges)):
            act_at = {pk: i for i, pk in enumerate(sorted(self.activities))}
            res_at = {pk: len(act_at) + i for i, pk in enumerate(sorted(self.resources))}

            def at(key: NodeKey) -> int:
                return act_at[key[1]] if key[0] == ACTIVITY else res_at[key[1]]

            self._columns = (array("i", [at(e.source) for e in self._edges]),
                             array("i", [at(e.target) for e in self._edges]),
                             bytes(1 if e.workaround else 0 for e in self._edges),
                             [e.workaround_hours for e in self._edges])
            self._edges_seen = (id(self._edges), len(self._edges))
            self._index = None
        if self._index is None:
            assert self._columns is not None
            self._index = _Index(sorted(self.activities), sorted(self.resources), *self._columns)
        return self._index

    def __reduce__(self) -> tuple[Callable[..., Graph], tuple[Any, ...]]:
        ix = self.index()
        acts = [self.activities[pk] for pk in ix.act_ids]
        ress = [self.resources[pk] for pk in ix.res_ids]
        criticalities = sorted({a.criticality for a in acts})
        establishments = sorted({a.establishment for a in acts})
        kinds = sorted({r.kind for r in ress})
        crit_at = {c: i for i, c in enumerate(criticalities)}
        est_at = {e: i for i, e in enumerate(establishments)}
        kind_at = {k: i for i, k in enumerate(kinds)}
        activity_columns = (
            array("q", ix.act_ids), [a.name for a in acts], [a.dmia_hours for a in acts], [a.pdma_hours for a in acts],
            criticalities, bytes(crit_at[a.criticality] for a in acts), [a.establishment_id for a in acts],
            establishments, array("i", [est_at[a.establishment] for a in acts]),
        )
        resource_columns = (
            array("q", ix.res_ids), [r.name for r in ress], kinds, bytes(kind_at[r.kind] for r in ress),
            [r.rto_hours for r in ress], [r.rpo_hours for r in ress], [r.measured_rto_hours for r in ress],
            [r.measured_rpo_hours for r in ress],
        )
        # Durations only exist on links with a workaround: store them for those links only.
        sparse_hours = {i: h for i, h in enumerate(ix.hours) if h is not None}
        return _graph_from_columns, (activity_columns, resource_columns, (ix.src, ix.tgt, bytes(ix.wa), sparse_hours))


def _new(cls: type[Any], **values: Any) -> Any:
    """A frozen dataclass instance without running ``__init__`` (what unpickling does, many times faster)."""
    obj = object.__new__(cls)
    obj.__dict__.update(values)
    return obj


def _graph_from_columns(activity_columns: tuple[Any, ...], resource_columns: tuple[Any, ...],
                        edge_columns: tuple[Any, ...]) -> Graph:
    ids, names, dmia, pdma, criticalities, crit, est_ids, establishments, est = activity_columns
    activities = {
        pk: _new(ActivityNode, id=pk, name=names[i], dmia_hours=dmia[i], pdma_hours=pdma[i],
                 criticality=criticalities[crit[i]], establishment_id=est_ids[i], establishment=establishments[est[i]])
        for i, pk in enumerate(ids)
    }
    ids, names, kinds, kind, rto, rpo, mrto, mrpo = resource_columns
    resources = {
        pk: _new(ResourceNode, id=pk, name=names[i], kind=kinds[kind[i]], rto_hours=rto[i], rpo_hours=rpo[i],
                 measured_rto_hours=mrto[i], measured_rpo_hours=mrpo[i])
        for i, pk in enumerate(ids)
    }
    graph = Graph(activities, resources)
    src, tgt, wa, sparse_hours = edge_columns
    hours: list[float | None] = [None] * len(src)
    for i, h in sparse_hours.items():
        hours[i] = h
    graph._set_columns((src, tgt, wa, hours))
    return graph


EdgeRow = tuple[int, int, bool] | tuple[int, int, bool, float | None]


def _hours_of(row: Sequence[object]) -> float | None:
    """The degraded mode's duration of a row: only with a workaround, and above zero."""
    hours = row[3] if len(row) > 3 else None
    return float(hours) if row[2] and isinstance(hours, int | float) and hours > 0 else None


def build_graph(activities: Iterable[ActivityNode], resources: Iterable[ResourceNode],
                activity_resource: Iterable[EdgeRow] = (),
                resource_resource: Iterable[EdgeRow] = (),
                activity_activity: Iterable[EdgeRow] = ()) -> Graph:
    """Assemble a graph; edges whose ends are unknown are dropped (a dangling row cannot crash the engine).

    Each row is ``(source, target, workaround)`` or ``(source, target, workaround, workaround_hours)``;
    a duration without a workaround, or not above zero, is ignored. The rows go straight into columns.
    """
    graph = Graph(activities={a.id: a for a in activities}, resources={r.id: r for r in resources})
    act_at = {pk: i for i, pk in enumerate(sorted(graph.activities))}
    res_at = {pk: len(act_at) + i for i, pk in enumerate(sorted(graph.resources))}
    src, tgt, hours = array("i"), array("i"), []
    wa = bytearray()

    def add(s: int, t: int, row: Sequence[object]) -> None:
        src.append(s)
        tgt.append(t)
        wa.append(1 if row[2] else 0)
        hours.append(_hours_of(row))

    for row in activity_resource:
        a, r = act_at.get(row[0]), res_at.get(row[1])  # type: ignore[arg-type]
        if a is not None and r is not None:
            add(a, r, row)
    for row in resource_resource:
        r1, r2 = res_at.get(row[0]), res_at.get(row[1])  # type: ignore[arg-type]
        if r1 is not None and r2 is not None and r1 != r2:
            add(r1, r2, row)
    for row in activity_activity:
        a1, a2 = act_at.get(row[0]), act_at.get(row[1])  # type: ignore[arg-type]
        if a1 is not None and a2 is not None and a1 != a2:
            add(a1, a2, row)
    graph._set_columns((src, tgt, bytes(wa), hours))
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
    nodes = list(adj)
    at = {node: i for i, node in enumerate(nodes)}
    return [[nodes[i] for i in comp] for comp in _components([[at[m] for m in adj[node]] for node in nodes])]


def _components(adj: Sequence[Sequence[int]]) -> list[list[int]]:
    """Tarjan on ints (nodes ``0..len(adj)-1``): strongly connected components, dependencies first."""
    n = len(adj)
    index = [-1] * n
    low = [0] * n
    on_stack = bytearray(n)
    stack: list[int] = []
    components: list[list[int]] = []
    counter = 0
    for root in range(n):
        if index[root] >= 0:
            continue
        work: list[tuple[int, int]] = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack[node] = 1
            successors = adj[node]
            recursed = False
            while i < len(successors):
                nxt = successors[i]
                i += 1
                if index[nxt] < 0:
                    work.append((node, i))
                    work.append((nxt, 0))
                    recursed = True
                    break
                if on_stack[nxt] and index[nxt] < low[node]:
                    low[node] = index[nxt]
            if recursed:
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack[member] = 0
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
            if work:
                parent = work[-1][0]
                if low[node] < low[parent]:
                    low[parent] = low[node]
    return components


def find_cycles(graph: Graph) -> list[list[NodeKey]]:
    """Every dependency cycle (a strongly connected component of two nodes or more), sorted for display."""
    ix = graph.index()
    return sorted(sorted(ix.keys[i] for i in c) for c in _components(ix.full) if len(c) > 1)


# --- Requirements flow down ---------------------------------------------------------------------

class _Flow(Mapping[NodeKey, "NodeKey | None"]):
    """One flow of needs as arrays: per node its need (NaN: none), the node it got it from (-1: none,
    it is the source activity) and the W hours that link added. As a mapping: node → parent node."""

    __slots__ = ("ix", "need", "parent", "added")

    def __init__(self, ix: _Index, need: array, parent: array, added: array) -> None:
        self.ix, self.need, self.parent, self.added = ix, need, parent, added

    def hours(self, i: int) -> float | None:
        return _opt(self.need[i])

    def path(self, i: int) -> tuple[NodeKey, ...]:
        """From the activity that sets the need down to node ``i``."""
        keys, parent = self.ix.keys, self.parent
        path = [keys[i]]
        while (i := parent[i]) >= 0:  # a tree: every parent was settled before its child
            path.append(keys[i])
        path.reverse()
        return tuple(path)

    def workarounds(self, i: int) -> tuple[float | None, ...]:
        """For each link of ``path(i)``: the W hours it added, None for a link without workaround."""
        parent, added = self.parent, self.added
        out = []
        while parent[i] >= 0:
            w = added[i]
            out.append(w if w else None)
            i = parent[i]
        out.reverse()
        return tuple(out)

    def __getitem__(self, key: NodeKey) -> NodeKey | None:
        i = self.ix.pos[key]
        if self.need[i] != self.need[i]:
            raise KeyError(key)
        p = self.parent[i]
        return self.ix.keys[p] if p >= 0 else None

    def __iter__(self) -> Iterator[NodeKey]:
        return (key for key, value in zip(self.ix.keys, self.need, strict=True) if value == value)

    def __len__(self) -> int:
        return sum(1 for value in self.need if value == value)


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
        if isinstance(self.parents, _Flow):
            return self.parents.path(self.parents.ix.pos[self.node])
        return _path_to(self.parents, self.node)

    @property
    def workarounds(self) -> tuple[float | None, ...]:
        """For each link of ``path``: the W hours it added, None for a link without workaround."""
        if isinstance(self.parents, _Flow):
            return self.parents.workarounds(self.parents.ix.pos[self.node])
        path = self.path
        return tuple(self.added.get(node) for node in path[1:])


class Requirements(Mapping[NodeKey, Requirement]):
    """node → ``Requirement`` for every node that has a need, read from the flow's arrays."""

    __slots__ = ("flow",)

    def __init__(self, flow: _Flow) -> None:
        self.flow = flow

    def __getitem__(self, key: NodeKey) -> Requirement:
        i = self.flow.ix.pos.get(key)
        if i is None or self.flow.need[i] != self.flow.need[i]:
            raise KeyError(key)
        return _new(Requirement, hours=self.flow.need[i], node=key, parents=self.flow, added={})

    def hours(self, key: NodeKey) -> float | None:
        """The need of ``key`` (None without one), without building a ``Requirement``."""
        i = self.flow.ix.pos.get(key)
        return None if i is None else _opt(self.flow.need[i])

    def __contains__(self, key: object) -> bool:
        i = self.flow.ix.pos.get(key)  # type: ignore[call-overload]
        return i is not None and self.flow.need[i] == self.flow.need[i]

    def __iter__(self) -> Iterator[NodeKey]:
        return iter(self.flow)

    def __len__(self) -> int:
        return len(self.flow)


def _flow_down(ix: _Index, values: Sequence[float | None], targets: Sequence[Sequence[int]],
               weights: Sequence[Sequence[float]] | None) -> _Flow:
    """Each node reached from an activity gets the smallest value + W sum over the chains reaching it.

    Dijkstra from every activity with a value at once (weights W ≥ 0): a node is settled once, with
    the strictest need; ties go to the stricter source, then the lower activity id, then fewer links,
    then the link met first, i.e. entries leave in the order of (need, source value, source id, links,
    push order). An entry no better than one already queued for its node is not queued (it could never
    be the first one out), so the entry that settles a node is the last one queued for it: its parent
    and W are kept per node. ``weights`` None: every link adds 0.

    Most links add 0 (no workaround; every link of the PDMA flow): such an entry keeps the need, source
    value and source id of the entry being settled, one link more. Those go to a FIFO instead of the
    heap: the entries of the group (need, source value, source id) being settled come out of it in
    (links, push order) order, merged with the group's entries still in the heap. Only the links that
    add W > 0 use the heap: O(V + E + K log K), K such links.
    """
    n = ix.n
    need = array("d", [_NONE]) * n
    parent = array("i", [-1]) * n
    added = array("d", [0.0]) * n
    inf = math.inf
    # The best entry queued per node: its need apart (most links are settled by it alone), then the rest.
    best_hours = [inf] * n
    best_rest: list[tuple[float, int, int] | None] = [None] * n
    settled = bytearray(n)
    # (need, source value, source id, links, push order, node)
    heap: list[tuple[float, float, int, int, int, int]] = []
    fifo: deque[tuple[int, int, int]] = deque()  # (links, push order, node) of the current group
    order = 0
    for i, value in enumerate(values):
        if value is not None:
            v = float(value)
            heap.append((v, v, ix.act_ids[i], 0, order, i))
            best_hours[i] = v
            best_rest[i] = (v, ix.act_ids[i], 0)
            order += 1
    heapq.heapify(heap)
    pop, push, popleft, append = heapq.heappop, heapq.heappush, fifo.popleft, fifo.append
    hours = source_value = 0.0
    source_id = 0
    while heap or fifo:
        if fifo:
            top = heap[0] if heap else None
            if (top is not None and top[0] == hours and top[1] == source_value and top[2] == source_id
                    and (top[3], top[4]) < fifo[0][:2]):
                hops, node = pop(heap)[3::2]
            else:
                hops, _order, node = popleft()
        else:
            hours, source_value, source_id, hops, _order, node = pop(heap)
        if settled[node]:
            continue
        settled[node] = 1
        need[node] = hours
        hops += 1
        row = targets[node]
        extras = weights[node] if weights is not None else None
        rest = (source_value, source_id, hops)
        for k in range(len(row)):
            nxt = row[k]
            if settled[nxt]:
                continue
            extra = extras[k] if extras is not None else 0.0
            candidate = hours + extra
            known = best_hours[nxt]
            if candidate > known or (candidate == known and not rest < best_rest[nxt]):  # type: ignore[operator]
                continue
            best_hours[nxt] = candidate
            best_rest[nxt] = rest
            parent[nxt] = node
            added[nxt] = extra
            if extra:
                push(heap, (candidate, source_value, source_id, hops, order, nxt))
            else:
                append((hops, order, nxt))
            order += 1
    return _Flow(ix, need, parent, added)


def _path_to(parent: Mapping[NodeKey, NodeKey | None], node: NodeKey) -> tuple[NodeKey, ...]:
    path = [node]
    seen = {node}
    while (prev := parent.get(path[-1])) is not None and prev not in seen:
        path.append(prev)
        seen.add(prev)
    return tuple(reversed(path))


# --- Capabilities flow up -----------------------------------------------------------------------

class Capability:
    """Worst recovery time reachable from a node through chains without workaround.

    ``unknown``: the resources on those chains with no capability at all, sorted; searched when read.
    """

    __slots__ = ("hours", "bottleneck", "_unknown")

    def __init__(self, hours: float | None, bottleneck: NodeKey | None,
                 unknown: tuple[NodeKey, ...] | Callable[[], tuple[NodeKey, ...]] = ()) -> None:
        self.hours = hours
        self.bottleneck = bottleneck  # the resource that sets ``hours``
        self._unknown = unknown

    @property
    def unknown(self) -> tuple[NodeKey, ...]:
        if callable(self._unknown):
            self._unknown = self._unknown()
        return self._unknown

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Capability):
            return NotImplemented
        return (self.hours, self.bottleneck, self.unknown) == (other.hours, other.bottleneck, other.unknown)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Capability(hours={self.hours!r}, bottleneck={self.bottleneck!r})"


class Capabilities(Mapping[NodeKey, Capability]):
    """node → ``Capability`` for every node, read from the flow-up arrays."""

    __slots__ = ("analysis",)

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis

    def __getitem__(self, key: NodeKey) -> Capability:
        core = self.analysis._core
        i = core.ix.pos[key]
        b = core.cap_node[i]
        return Capability(_opt(core.cap_hours[i]), core.ix.keys[b] if b >= 0 else None,
                          lambda: self.analysis._unknown(i))

    def __iter__(self) -> Iterator[NodeKey]:
        return iter(self.analysis._core.ix.keys)

    def __len__(self) -> int:
        return self.analysis._core.ix.n


def _flow_up(ix: _Index, rto: Sequence[float | None],
             components: list[list[int]], comp_of: list[int]) -> tuple[array, array, array]:
    """Per node: the worst RTO it waits for through links without workaround (NaN: none known), the
    resource that sets it (-1: none) and the next node on the shortest chain to that resource (-1 at
    the resource itself).

    One pass over the condensation, dependencies first. The worst of a component is the max of
    (RTO, resource) over its own resources and its successors' worst. Every successor that still
    reaches the bottleneck has it as its own (it cannot reach anything worse), so the distance to the
    bottleneck is 1 + the smallest distance among those successors (inside a cycle: a small Dijkstra
    over the component), and the next link is the first such successor at that distance: the chain
    is exactly the one a breadth-first search from the node would return (``bfs_path``).
    """
    strict = ix.strict
    n, n_act = ix.n, ix.n_act
    best: list[tuple[float, int] | None] = [None] * len(components)
    cap_hours = array("d", [_NONE]) * n
    cap_node = array("i", [-1]) * n
    next_hop = array("i", [-1]) * n
    dist = [-1] * n
    for ci, comp in enumerate(components):
        worst: tuple[float, int] | None = None
        for v in comp:
            if v >= n_act:
                r = rto[v - n_act]
                if r is not None and (worst is None or (r, v) > worst):
                    worst = (r, v)
            for w in strict[v]:
                cj = comp_of[w]
                if cj != ci:
                    candidate = best[cj]
                    if candidate is not None and (worst is None or candidate > worst):
                        worst = candidate
        best[ci] = worst
        if worst is None:
            continue
        hours, b = worst
        for v in comp:
            cap_hours[v] = hours
            cap_node[v] = b
        if len(comp) == 1:
            v = comp[0]
            if v == b:
                dist[v] = 0
                continue
            choice, d_min = -1, -1
            for w in strict[v]:
                if cap_node[w] == b and comp_of[w] != ci and (d_min < 0 or dist[w] < d_min):
                    choice, d_min = w, dist[w]
            dist[v] = d_min + 1
            next_hop[v] = choice
            continue
        # A cycle: distances inside the component from the exits (or the bottleneck itself).
        members = set(comp)
        heap: list[tuple[int, int]] = []
        preds: dict[int, list[int]] = {v: [] for v in comp}
        for v in comp:
            d = 0 if v == b else -1
            for w in strict[v]:
                if w in members:
                    preds[w].append(v)
                elif cap_node[w] == b and (d < 0 or dist[w] + 1 < d):
                    d = dist[w] + 1
            if d >= 0:
                heap.append((d, v))
        heapq.heapify(heap)
        done: set[int] = set()
        while heap:
            d, v = heapq.heappop(heap)
            if v in done:
                continue
            done.add(v)
            dist[v] = d
            for u in preds[v]:
                if u not in done:
                    heapq.heappush(heap, (d + 1, u))
        for v in comp:
            if v == b:
                continue
            for w in strict[v]:
                if cap_node[w] == b and dist[w] == dist[v] - 1:
                    next_hop[v] = w
                    break
    return cap_hours, cap_node, next_hop


def limiting_chain(graph: Graph, node: NodeKey, capability: Capability | None) -> tuple[NodeKey, ...]:
    """The chain without workaround from ``node`` to the resource that sets its achievable recovery."""
    if capability is None or capability.bottleneck is None:
        return ()
    return bfs_path(_adjacency(graph, strict=True), node, capability.bottleneck)


def bfs_path(adj: Mapping[NodeKey, Sequence[NodeKey]], start: NodeKey, goal: NodeKey) -> tuple[NodeKey, ...]:
    """Shortest chain from ``start`` to ``goal`` (empty when unreachable); among the shortest, the one
    whose links come first in the adjacency lists."""
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


def _chains(ix: _Index, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, ...]]:
    """For each (start, goal) pair of ints, the chain ``bfs_path`` returns on the links without workaround.

    One breadth-first search per distinct start (forward) or per distinct goal (backward, then a walk
    down the distances taking the first link that gets closer: the same chain), whichever is fewer;
    each search stops once it has met everything it was asked for.
    """
    pairs = list(dict.fromkeys(pairs))
    by_start: dict[int, set[int]] = {}
    by_goal: dict[int, set[int]] = {}
    for s, g in pairs:
        by_start.setdefault(s, set()).add(g)
        by_goal.setdefault(g, set()).add(s)
    strict = ix.strict
    out: dict[tuple[int, int], tuple[int, ...]] = {}
    if len(by_start) <= len(by_goal):
        for s, goals in by_start.items():
            parent = {s: -1}
            wanted = set(goals) - {s}
            queue = deque([s])
            while queue and wanted:
                v = queue.popleft()
                for w in strict[v]:
                    if w not in parent:
                        parent[w] = v
                        queue.append(w)
                        wanted.discard(w)
            for g in goals:
                if g in parent:
                    chain = [g]
                    while (p := parent[chain[-1]]) >= 0:
                        chain.append(p)
                    out[(s, g)] = tuple(reversed(chain))
                else:
                    out[(s, g)] = ()
        return out
    reverse = ix.reverse
    for g, starts in by_goal.items():
        dist = {g: 0}
        wanted = set(starts) - {g}
        frontier = [g]
        d = 0
        while frontier and wanted:
            d += 1
            nxt_frontier = []
            for v in frontier:
                for u in reverse[v]:
                    if u not in dist:
                        dist[u] = d
                        nxt_frontier.append(u)
                        wanted.discard(u)
            frontier = nxt_frontier
        for s in starts:
            if s not in dist:
                out[(s, g)] = ()
                continue
            chain = [s]
            v = s
            while v != g:
                target = dist[v] - 1
                v = next(w for w in strict[v] if dist.get(w, -1) == target)
                chain.append(v)
            out[(s, g)] = tuple(chain)
    return out


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


class SinglePointOfFailure:
    """A resource reached without workaround by ``count`` critical activities (``activity_ids``, by id).

    Holds a bitset of those activities (bits in listing order: most critical first, then by name);
    the ids and the chains (``paths``, one per activity in ``activity_ids`` order) are decoded when read.
    """

    __slots__ = ("resource_id", "count", "_mask", "_analysis")

    def __init__(self, resource_id: int, count: int, mask: int, analysis: Analysis) -> None:
        self.resource_id, self.count, self._mask, self._analysis = resource_id, count, mask, analysis

    def listed(self, limit: int | None = None) -> list[int]:
        """The activity ids in listing order (``LISTING_RANK``, name, establishment, id), the first ``limit``."""
        order = self._analysis._core.crit_order
        ids: list[int] = []
        mask = self._mask
        while mask and (limit is None or len(ids) < limit):
            low = mask & -mask
            ids.append(order[low.bit_length() - 1])
            mask ^= low
        return ids

    @property
    def activity_ids(self) -> tuple[int, ...]:
        return tuple(sorted(self.listed()))

    @property
    def paths(self) -> tuple[tuple[NodeKey, ...], ...]:
        ids = self.activity_ids
        chains = self._analysis.spof_paths(self.resource_id, ids)
        return tuple(chains[a] for a in ids)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SinglePointOfFailure):
            return NotImplemented
        return (self.resource_id, self.activity_ids) == (other.resource_id, other.activity_ids)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SinglePointOfFailure(resource_id={self.resource_id}, count={self.count})"


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
class _Core:
    """What the analysis is made of: flat arrays over the graph's ints (``_Index``), pickled as they are."""

    ix: _Index
    rto: _Flow
    rpo: _Flow
    cap_hours: array
    cap_node: array
    next_hop: array
    # (kind 0 rto / 1 rpo, node, capable hours as declared or None, measured), in display order.
    gaps: list[tuple[int, int, float | None, bool]]
    missing: list[tuple[int, int, float | None, bool]]
    crit_order: array  # activity id of each bit of a single point of failure's bitset
    spof_nodes: array  # resources (ints) that are single points of failure, in display order
    spof_masks: list[int]
    cycles: list[list[int]]
    uncarried: array  # edges (ints) with a workaround of unknown duration whose source has a need, sorted


class Analysis:
    """The engine's result. The public attributes are built on first access from ``_Core``; a page
    that shows one activity reads one entry of the mappings and builds nothing else."""

    def __init__(self, graph: Graph, core: _Core) -> None:
        self.graph = graph
        self._core = core
        self._cache: dict[Any, Any] = {}
        self._chains: dict[tuple[int, int], tuple[int, ...]] = {}  # spof chains already searched
        # What the caller prepares with the analysis and keeps with it in the cache (pickled with it).
        self.stored: dict[str, Any] = {}

    def __reduce__(self) -> tuple[Callable[..., Analysis], tuple[Any, ...]]:
        c = self._core
        state = (c.rto.need, c.rto.parent, c.rto.added, c.rpo.need, c.rpo.parent, c.rpo.added, c.cap_hours,
                 c.cap_node, c.next_hop, c.gaps, c.missing, c.crit_order, c.spof_nodes, c.spof_masks, c.cycles,
                 c.uncarried, dict(self._chains), dict(self.stored))
        return _analysis_from_columns, (self.graph, state)

    def _cached(self, name: Any, build: Callable[[], Any]) -> Any:
        value = self._cache.get(name)
        if value is None:
            value = self._cache[name] = build()
        return value

    def memo(self, key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
        """A value derived from this analysis (rows in one language…), kept with it; never pickled."""
        return self._cached(("memo", *key), build)

    @property
    def rto_requirements(self) -> Requirements:
        return self._cached("rto", lambda: Requirements(self._core.rto))

    @property
    def rpo_requirements(self) -> Requirements:
        return self._cached("rpo", lambda: Requirements(self._core.rpo))

    @property
    def capabilities(self) -> Capabilities:
        return self._cached("capabilities", lambda: Capabilities(self))

    def _gap(self, row: tuple[int, int, float | None, bool]) -> Gap:
        kind, i, capable, measured = row
        flow = self._core.rto if kind == 0 else self._core.rpo
        return Gap("rto" if kind == 0 else "rpo", self._core.ix.keys[i], flow.need[i], capable,
                   flow.path(i), measured=measured, workarounds=flow.workarounds(i) if kind == 0 else ())

    @property
    def gaps(self) -> list[Gap]:
        return self._cached("gaps", lambda: [self._gap(row) for row in self._core.gaps])

    @property
    def missing_capabilities(self) -> list[Gap]:
        return self._cached("missing", lambda: [self._gap(row) for row in self._core.missing])

    @property
    def gap_count(self) -> int:
        return len(self._core.gaps)

    def gap_nodes(self) -> set[NodeKey]:
        """The nodes with a gap, without building the gaps."""
        keys = self._core.ix.keys
        return {keys[i] for _kind, i, _capable, _measured in self._core.gaps}

    @property
    def spofs(self) -> list[SinglePointOfFailure]:
        def build() -> list[SinglePointOfFailure]:
            c = self._core
            return [SinglePointOfFailure(c.ix.keys[i][1], mask.bit_count(), mask, self)
                    for i, mask in zip(c.spof_nodes, c.spof_masks, strict=True)]
        return self._cached("spofs", build)

    def spof_for(self, resource_id: int) -> SinglePointOfFailure | None:
        return self._cached("spof_by_resource", lambda: {s.resource_id: s for s in self.spofs}).get(resource_id)

    def spof_paths(self, resource_id: int, activity_ids: Iterable[int]) -> dict[int, tuple[NodeKey, ...]]:
        """The chain without workaround from each activity to the resource (the shortest, as ``bfs_path``),
        searched now for these activities only, remembered for the next time."""
        ix = self._core.ix
        goal = ix.pos[(RESOURCE, resource_id)]
        starts = {a: ix.pos[(ACTIVITY, a)] for a in activity_ids}
        todo = [(s, goal) for s in starts.values() if (s, goal) not in self._chains]
        if todo:
            self._chains.update(_chains(ix, todo))
        return {a: tuple(ix.keys[i] for i in self._chains[(s, goal)]) for a, s in starts.items()}

    def spof_paths_many(self, wanted: Mapping[int, Iterable[int]]) -> None:
        """Search the chains of several single points of failure at once (resource id → activity ids)."""
        ix = self._core.ix
        todo = [(ix.pos[(ACTIVITY, a)], ix.pos[(RESOURCE, r)]) for r, ids in wanted.items() for a in ids]
        todo = [pair for pair in todo if pair not in self._chains]
        if todo:
            self._chains.update(_chains(ix, todo))

    def limiting_chain(self, key: NodeKey) -> tuple[NodeKey, ...]:
        """The chain without workaround from ``key`` to the resource that sets its achievable recovery
        (what ``limiting_chain``/``bfs_path`` return), read from the flow-up links."""
        c = self._core
        i = c.ix.pos.get(key)
        if i is None or c.cap_node[i] < 0:
            return ()
        chain = [c.ix.keys[i]]
        while (i := c.next_hop[i]) >= 0:
            chain.append(c.ix.keys[i])
        return tuple(chain)

    @property
    def activity_risks(self) -> list[ActivityRisk]:
        def build() -> list[ActivityRisk]:
            c = self._core
            risks = []
            for i in range(c.ix.n_act):
                required, achievable = c.rto.need[i], c.cap_hours[i]
                if required == required and achievable == achievable and achievable > required:
                    risks.append(ActivityRisk(c.ix.act_ids[i], required, achievable,
                                              self.limiting_chain(c.ix.keys[i])))
            return risks
        return self._cached("risks", build)

    @property
    def cycles(self) -> list[list[NodeKey]]:
        keys = self._core.ix.keys
        return self._cached("cycles", lambda: [[keys[i] for i in cycle] for cycle in self._core.cycles])

    @property
    def uncarried(self) -> list[UncarriedNeed]:
        def build() -> list[UncarriedNeed]:
            c = self._core
            keys = c.ix.keys
            return [UncarriedNeed(keys[c.ix.src[e]], keys[c.ix.tgt[e]], c.rto.hours(c.ix.src[e]),
                                  c.rpo.hours(c.ix.src[e])) for e in c.uncarried]
        return self._cached("uncarried", build)

    def _unknown(self, i: int) -> tuple[NodeKey, ...]:
        """Resources with no capability at all reachable from node ``i`` without workaround, sorted."""
        ix = self._core.ix
        strict = ix.strict
        seen = {i}
        queue = [i]
        while queue:
            v = queue.pop()
            for w in strict[v]:
                if w not in seen:
                    seen.add(w)
                    queue.append(w)
        resources = self.graph.resources
        return tuple(ix.keys[v] for v in sorted(seen)
                     if v >= ix.n_act and resources[ix.keys[v][1]].effective_rto_hours is None)


def _analysis_from_columns(graph: Graph, state: tuple[Any, ...]) -> Analysis:
    (rto_need, rto_parent, rto_added, rpo_need, rpo_parent, rpo_added, cap_hours, cap_node, next_hop, gaps,
     missing, crit_order, spof_nodes, spof_masks, cycles, uncarried, chains, stored) = state
    ix = graph.index()
    core = _Core(ix, _Flow(ix, rto_need, rto_parent, rto_added), _Flow(ix, rpo_need, rpo_parent, rpo_added),
                 cap_hours, cap_node, next_hop, gaps, missing, crit_order, spof_nodes, spof_masks, cycles, uncarried)
    analysis = Analysis(graph, core)
    analysis._chains.update(chains)
    analysis.stored.update(stored)
    return analysis


def analyse(graph: Graph, *, critical: Iterable[str] = ("critical", "high"), spof_min_activities: int = 2,
            rpo_kinds: Iterable[str] = ("application",),
            spof_listed: tuple[int, int] = (0, 0)) -> Analysis:
    """Run the whole engine on a graph.

    A missing RPO is only reported for ``rpo_kinds`` (data lives in applications; a network or a
    supplier has no data loss of its own), but any declared RPO is compared with the need.
    ``spof_listed`` = (resources, activities each): the chains of the single points of failure a page
    lists first are searched now (they are then part of the cached analysis); the others when read.
    """
    rpo_kinds = set(rpo_kinds)
    wanted = set(critical)
    ix = graph.index()
    n_act = ix.n_act
    acts = [graph.activities[pk] for pk in ix.act_ids]
    ress = [graph.resources[pk] for pk in ix.res_ids]
    rto_of = [r.effective_rto_hours for r in ress]
    targets, weights = ix.carrying()
    rto = _flow_down(ix, [a.dmia_hours for a in acts], targets, weights)
    rpo = _flow_down(ix, [a.pdma_hours for a in acts], targets, None)  # the PDMA crosses a degraded mode unchanged
    strict = ix.strict
    components = _components(strict)  # dependencies first
    comp_of = [0] * ix.n
    for ci, comp in enumerate(components):
        for v in comp:
            comp_of[v] = ci
    cap_hours, cap_node, next_hop = _flow_up(ix, rto_of, components, comp_of)

    gaps: list[tuple[int, int, float | None, bool]] = []
    missing: list[tuple[int, int, float | None, bool]] = []
    for j, resource in enumerate(ress):
        i = n_act + j
        need = rto.need[i]
        if need == need:
            capable = rto_of[j]
            row = (0, i, capable, resource.measured_rto_hours is not None)
            if capable is None:
                missing.append(row)
            elif capable > need:
                gaps.append(row)
        need = rpo.need[i]
        if need == need:
            capable_rpo = resource.effective_rpo_hours
            if capable_rpo is None:
                if resource.kind in rpo_kinds:
                    missing.append((1, i, None, False))
            elif capable_rpo > need:
                gaps.append((1, i, capable_rpo, resource.measured_rpo_hours is not None))
    # Upstream activities that promise less than their downstream activities need.
    for i, activity in enumerate(acts):
        need = rto.need[i]
        if need == need and rto.parent[i] >= 0 and (activity.dmia_hours is None or activity.dmia_hours > need):
            gaps.append((0, i, activity.dmia_hours, False))

    def gap_order(row: tuple[int, int, float | None, bool]) -> tuple[bool, float, float, int]:
        kind, i, capable, _measured = row
        required = (rto if kind == 0 else rpo).need[i]
        return (kind != 0, required, -(capable - required) if capable is not None else 0, i)

    gaps.sort(key=gap_order)

    # Single points of failure: bitsets of critical activities flowing down the condensation.
    crit = sorted((i for i, a in enumerate(acts) if a.criticality in wanted),
                  key=lambda i: (-LISTING_RANK.get(acts[i].criticality, 0), acts[i].name, acts[i].establishment,
                                 acts[i].id))
    bit = [0] * ix.n
    for b, i in enumerate(crit):
        bit[i] = 1 << b
    reach = [0] * len(components)
    for ci in range(len(components) - 1, -1, -1):  # dependents first
        mask = reach[ci]
        for v in components[ci]:
            mask |= bit[v]
        reach[ci] = mask
        if mask:
            for v in components[ci]:
                for w in strict[v]:
                    cj = comp_of[w]
                    if cj != ci:
                        reach[cj] |= mask
    spofs = [(i, reach[comp_of[i]]) for i in range(n_act, ix.n)
             if reach[comp_of[i]].bit_count() >= spof_min_activities]
    spofs.sort(key=lambda s: (-s[1].bit_count(), s[0]))

    uncarried = sorted(
        (e for e, (w, h) in enumerate(zip(ix.wa, ix.hours, strict=True))
         if w and h is None and (rto.need[ix.src[e]] == rto.need[ix.src[e]] or rpo.need[ix.src[e]] == rpo.need[ix.src[e]])),
        key=lambda e: (rto.need[ix.src[e]] != rto.need[ix.src[e]],
                       rto.need[ix.src[e]] if rto.need[ix.src[e]] == rto.need[ix.src[e]] else 0.0,
                       ix.src[e], ix.tgt[e]),
    )
    cycles = sorted(sorted(c) for c in _components(ix.full) if len(c) > 1)
    core = _Core(ix, rto, rpo, cap_hours, cap_node, next_hop, gaps, missing,
                 array("q", [acts[i].id for i in crit]), array("i", [i for i, _m in spofs]),
                 [m for _i, m in spofs], cycles, array("i", uncarried))
    analysis = Analysis(graph, core)
    listed_resources, listed_activities = spof_listed
    if listed_resources and listed_activities:
        analysis.spof_paths_many({s.resource_id: s.listed(listed_activities) for s in analysis.spofs[:listed_resources]})
    return analysis


def single_points_of_failure(graph: Graph, adj: Mapping[NodeKey, Sequence[NodeKey]] | None = None,
                             critical: Iterable[str] = ("critical", "high"),
                             min_activities: int = 2) -> list[SinglePointOfFailure]:
    """Resources reached, through chains without workaround, by ``min_activities`` critical activities or more."""
    return analyse(graph, critical=critical, spof_min_activities=min_activities).spofs

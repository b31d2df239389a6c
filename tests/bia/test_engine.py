"""The required-vs-capable engine: hand-made hospital cases and property tests on random graphs."""

from __future__ import annotations

from collections import deque

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.bia import engine
from apps.bia.engine import ACTIVITY, RESOURCE, ActivityNode, ResourceNode, Thresholds, analyse, build_graph


def hospital() -> engine.Graph:
    """Urgences and bloc need 4 h; the DPI promises 4 h but runs on Active Directory (24 h)."""
    return build_graph(
        [
            ActivityNode(1, "Urgences", dmia_hours=4, pdma_hours=1, criticality="critical"),
            ActivityNode(2, "Bloc opératoire", dmia_hours=4, pdma_hours=4, criticality="critical"),
            ActivityNode(3, "Paie", dmia_hours=168, pdma_hours=24, criticality="low"),
            ActivityNode(4, "Laboratoire", dmia_hours=24, pdma_hours=4, criticality="high"),
        ],
        [
            ResourceNode(10, "DPI", rto_hours=4, rpo_hours=1),
            ResourceNode(11, "Active Directory", kind="infrastructure", rto_hours=24, rpo_hours=24),
            ResourceNode(12, "Logiciel de paie", rto_hours=72, rpo_hours=24),
            ResourceNode(13, "LIS", rto_hours=8, rpo_hours=4),
        ],
        activity_resource=[(1, 10, False), (2, 10, False), (3, 12, False), (4, 13, False)],
        resource_resource=[(10, 11, False), (12, 11, False), (13, 11, False)],
        activity_activity=[(1, 4, False)],
    )


def test_requirement_flows_down_to_active_directory_with_its_path() -> None:
    result = analyse(hospital())
    need = result.rto_requirements[(RESOURCE, 11)]
    assert need.hours == 4
    assert need.path == ((ACTIVITY, 1), (RESOURCE, 10), (RESOURCE, 11))
    ad_gap = next(g for g in result.gaps if g.node == (RESOURCE, 11) and g.kind == "rto")
    assert (ad_gap.required_hours, ad_gap.capable_hours) == (4, 24)
    assert [hospital().name(k) for k in ad_gap.path] == ["Urgences", "DPI", "Active Directory"]


def test_the_dpi_itself_is_not_a_gap() -> None:
    result = analyse(hospital())
    assert not [g for g in result.gaps if g.node == (RESOURCE, 10) and g.kind == "rto"]


def test_upstream_laboratory_must_match_the_emergency_department() -> None:
    result = analyse(hospital())
    lab_gap = next(g for g in result.gaps if g.node == (ACTIVITY, 4))
    assert (lab_gap.required_hours, lab_gap.capable_hours) == (4, 24)
    assert lab_gap.path == ((ACTIVITY, 1), (ACTIVITY, 4))
    # And the LIS inherits the 4 h need through the laboratory.
    assert result.rto_requirements[(RESOURCE, 13)].path == ((ACTIVITY, 1), (ACTIVITY, 4), (RESOURCE, 13))


def test_capability_flows_up_to_the_activity() -> None:
    result = analyse(hospital())
    cap = result.capabilities[(ACTIVITY, 1)]
    assert (cap.hours, cap.bottleneck) == (24, (RESOURCE, 11))
    risk = next(r for r in result.activity_risks if r.activity_id == 1)
    assert risk.chain == ((ACTIVITY, 1), (RESOURCE, 10), (RESOURCE, 11))


def test_measured_restore_duration_wins_over_the_promise() -> None:
    graph = build_graph(
        [ActivityNode(1, "Pharmacie (PUI)", dmia_hours=8)],
        [ResourceNode(10, "Logiciel pharmacie", rto_hours=4, measured_rto_hours=30)],
        activity_resource=[(1, 10, False)],
    )
    gap = analyse(graph).gaps[0]
    assert (gap.capable_hours, gap.measured) == (30, True)
    better = build_graph(
        [ActivityNode(1, "Pharmacie (PUI)", dmia_hours=8)],
        [ResourceNode(10, "Logiciel pharmacie", rto_hours=48, measured_rto_hours=2)],
        activity_resource=[(1, 10, False)],
    )
    assert analyse(better).gaps == []


def test_a_workaround_breaks_the_chain() -> None:
    graph = build_graph(
        [ActivityNode(1, "Imagerie", dmia_hours=4, criticality="critical")],
        [ResourceNode(10, "PACS", rto_hours=48)],
        activity_resource=[(1, 10, True)],
    )
    result = analyse(graph)
    assert result.gaps == [] and result.activity_risks == []
    assert (RESOURCE, 10) not in result.rto_requirements


def pacs_case(workaround_hours, rto=72, pdma=None) -> engine.Graph:
    """Bloc opératoire (DMIA 4 h) uses the PACS through a paper workaround that holds ``workaround_hours``."""
    return build_graph(
        [ActivityNode(1, "Bloc opératoire", dmia_hours=4, pdma_hours=pdma, criticality="critical",
                      establishment="CHU")],
        [ResourceNode(10, "PACS", rto_hours=rto, rpo_hours=24)],
        activity_resource=[(1, 10, True, workaround_hours)],
    )


def test_a_workaround_with_a_duration_carries_that_duration_plus_the_dmia() -> None:
    result = analyse(pacs_case(48))
    need = result.rto_requirements[(RESOURCE, 10)]
    assert (need.hours, need.path, need.workarounds) == (52, ((ACTIVITY, 1), (RESOURCE, 10)), (48,))
    gap = next(g for g in result.gaps if g.node == (RESOURCE, 10))
    assert (gap.required_hours, gap.capable_hours, gap.workarounds) == (52, 72, (48,))
    assert result.uncarried == []
    # Boundaries: a PACS back within exactly 52 h meets the need, 53 h does not.
    assert [g for g in analyse(pacs_case(48, rto=52)).gaps if g.node == (RESOURCE, 10)] == []
    assert [g.required_hours for g in analyse(pacs_case(48, rto=53)).gaps] == [52]
    # Still no single point of failure and no capability bound through a degraded mode.
    assert result.capabilities[(ACTIVITY, 1)].hours is None


def test_a_workaround_without_a_duration_carries_nothing_and_is_reported() -> None:
    result = analyse(pacs_case(None))
    assert (RESOURCE, 10) not in result.rto_requirements and result.gaps == []
    assert result.uncarried == [engine.UncarriedNeed((ACTIVITY, 1), (RESOURCE, 10), 4, None)]
    # A source with no need at all loses nothing: no warning.
    quiet = build_graph([ActivityNode(1, "Cafétéria")], [ResourceNode(10, "Caisse")], activity_resource=[(1, 10, True)])
    assert analyse(quiet).uncarried == []


def test_a_duration_without_workaround_or_not_positive_is_ignored() -> None:
    graph = build_graph([ActivityNode(1, "A", dmia_hours=4)], [ResourceNode(10, "R"), ResourceNode(11, "S")],
                        activity_resource=[(1, 10, False, 48), (1, 11, True, 0)])
    assert [(e.workaround, e.workaround_hours) for e in graph.edges] == [(False, None), (True, None)]
    result = analyse(graph)
    assert result.rto_requirements[(RESOURCE, 10)].hours == 4
    assert (RESOURCE, 11) not in result.rto_requirements


def test_the_pdma_crosses_a_workaround_of_known_duration_unchanged() -> None:
    result = analyse(pacs_case(48, pdma=1))
    assert result.rpo_requirements[(RESOURCE, 10)].hours == 1
    assert result.rpo_requirements[(RESOURCE, 10)].workarounds == (None,)
    assert {(g.kind, g.required_hours, g.capable_hours) for g in result.gaps} == {("rto", 52, 72), ("rpo", 1, 24)}
    unknown = analyse(pacs_case(None, pdma=1))
    assert (RESOURCE, 10) not in unknown.rpo_requirements
    assert unknown.uncarried == [engine.UncarriedNeed((ACTIVITY, 1), (RESOURCE, 10), 4, 1)]


def test_durations_add_up_along_a_chain_and_the_strictest_chain_wins() -> None:
    """Urgences (4 h) —24 h→ Laboratoire —no workaround→ LIS —12 h→ Middleware → Réseau;
    the Réseau is also used directly by Urgences: 4 h wins over 40 h."""
    graph = build_graph(
        [ActivityNode(1, "Urgences", dmia_hours=4), ActivityNode(2, "Laboratoire", dmia_hours=100)],
        [ResourceNode(10, "LIS", rto_hours=24), ResourceNode(11, "Middleware", rto_hours=48),
         ResourceNode(12, "Réseau", rto_hours=8)],
        activity_activity=[(1, 2, True, 24)],
        activity_resource=[(2, 10, False), (1, 12, False)],
        resource_resource=[(10, 11, True, 12), (11, 12, False)],
    )
    result = analyse(graph)
    needs = {k: v.hours for k, v in result.rto_requirements.items()}
    assert needs[(ACTIVITY, 2)] == 28 and needs[(RESOURCE, 10)] == 28 and needs[(RESOURCE, 11)] == 40
    assert needs[(RESOURCE, 12)] == 4
    middleware = result.rto_requirements[(RESOURCE, 11)]
    assert middleware.path == ((ACTIVITY, 1), (ACTIVITY, 2), (RESOURCE, 10), (RESOURCE, 11))
    assert middleware.workarounds == (24, None, 12)
    # The laboratory's own DMIA (100 h) is looser than the 28 h the emergency department needs from it.
    lab_gap = next(g for g in result.gaps if g.node == (ACTIVITY, 2))
    assert (lab_gap.required_hours, lab_gap.capable_hours, lab_gap.workarounds) == (28, 100, (24,))
    assert {g.node for g in result.gaps if g.kind == "rto"} == {(ACTIVITY, 2), (RESOURCE, 11), (RESOURCE, 12)}
    # Without the direct use, the Réseau inherits the chain's 40 h.
    without = build_graph(list(graph.activities.values()), list(graph.resources.values()),
                          activity_activity=[(1, 2, True, 24)], activity_resource=[(2, 10, False)],
                          resource_resource=[(10, 11, True, 12), (11, 12, False)])
    assert analyse(without).rto_requirements[(RESOURCE, 12)].hours == 40


def test_a_cycle_through_a_workaround_is_still_handled() -> None:
    graph = build_graph(
        [ActivityNode(1, "Urgences", dmia_hours=4, criticality="critical")],
        [ResourceNode(10, "AD", rto_hours=24), ResourceNode(11, "DNS", rto_hours=2)],
        activity_resource=[(1, 10, False)],
        resource_resource=[(10, 11, True, 10), (11, 10, False)],
    )
    result = analyse(graph)
    assert result.cycles == [[(RESOURCE, 10), (RESOURCE, 11)]]
    assert {k: v.hours for k, v in result.rto_requirements.items()} == {
        (ACTIVITY, 1): 4, (RESOURCE, 10): 4, (RESOURCE, 11): 14}
    assert {g.node for g in result.gaps} == {(RESOURCE, 10)}


def test_gap_ratio_and_spof_paths() -> None:
    result = analyse(hospital())
    ad_gap = next(g for g in result.gaps if g.node == (RESOURCE, 11) and g.kind == "rto")
    assert ad_gap.ratio == 6
    ad = next(s for s in result.spofs if s.resource_id == 11)
    assert dict(zip(ad.activity_ids, ad.paths, strict=True))[4] == ((ACTIVITY, 4), (RESOURCE, 13), (RESOURCE, 11))
    assert engine.limiting_chain(hospital(), (ACTIVITY, 1), result.capabilities[(ACTIVITY, 1)]) == (
        (ACTIVITY, 1), (RESOURCE, 10), (RESOURCE, 11))


def test_single_point_of_failure_is_reached_by_several_critical_activities() -> None:
    result = analyse(hospital())
    spof_ids = {s.resource_id: set(s.activity_ids) for s in result.spofs}
    assert spof_ids[11] == {1, 2, 4}  # Active Directory: urgences, bloc and (via LIS) laboratoire
    assert spof_ids[10] == {1, 2}
    assert 12 not in spof_ids  # payroll software serves one low-criticality activity


def test_cycles_are_reported_and_never_loop() -> None:
    graph = build_graph(
        [ActivityNode(1, "Urgences", dmia_hours=4, criticality="critical")],
        [ResourceNode(10, "AD", rto_hours=24), ResourceNode(11, "DNS", rto_hours=2), ResourceNode(12, "DPI", rto_hours=4)],
        activity_resource=[(1, 12, False)],
        resource_resource=[(12, 10, False), (10, 11, False), (11, 10, False)],
    )
    result = analyse(graph)
    assert result.cycles == [[(RESOURCE, 10), (RESOURCE, 11)]]
    assert result.capabilities[(ACTIVITY, 1)].hours == 24
    assert {g.node for g in result.gaps} == {(RESOURCE, 10)}


def test_missing_capability_is_reported_not_hidden() -> None:
    graph = build_graph([ActivityNode(1, "Admissions", dmia_hours=24, pdma_hours=4)],
                        [ResourceNode(10, "GAM")], activity_resource=[(1, 10, False)])
    result = analyse(graph)
    assert {(g.kind, g.node) for g in result.missing_capabilities} == {("rto", (RESOURCE, 10)), ("rpo", (RESOURCE, 10))}
    assert result.capabilities[(ACTIVITY, 1)].unknown == ((RESOURCE, 10),)


def test_dangling_edges_are_dropped() -> None:
    graph = build_graph([ActivityNode(1, "A", dmia_hours=4)], [], activity_resource=[(1, 99, False)],
                        resource_resource=[(5, 5, False)])
    assert graph.edges == []


def test_derive_dmia_first_intolerable_horizon() -> None:
    horizons = [(1, 4), (2, 24), (3, 72)]
    assert engine.derive_dmia({(1, 1): 2, (1, 2): 3, (2, 3): 4}, horizons, 3) == 24
    assert engine.derive_dmia({(1, 1): 2, (1, 2): 3}, horizons, 4) is None
    assert engine.derive_dmia({}, horizons, 3) is None


def test_criticality_thresholds() -> None:
    t = Thresholds(critical=4, high=24, medium=72)
    assert [engine.criticality_for(h, t) for h in (None, 2, 4, 5, 24, 72, 73)] == [
        "unknown", "critical", "critical", "high", "high", "medium", "low"]


# --- Property tests: the engine against brute force on random graphs ----------------------------

HOURS = st.one_of(st.none(), st.sampled_from([1, 2, 4, 8, 24, 48, 72, 168, 720]))
WORKAROUND_HOURS = st.one_of(st.none(), st.sampled_from([1, 4, 24, 48, 8760]))


@st.composite
def graphs(draw):
    n_act = draw(st.integers(0, 7))
    n_res = draw(st.integers(0, 9))
    activities = [ActivityNode(i, f"A{i}", dmia_hours=draw(HOURS), pdma_hours=draw(HOURS),
                               criticality=draw(st.sampled_from(["critical", "high", "medium", "low", "unknown"])))
                  for i in range(1, n_act + 1)]
    resources = [ResourceNode(100 + i, f"R{i}", rto_hours=draw(HOURS), rpo_hours=draw(HOURS),
                              measured_rto_hours=draw(st.one_of(st.none(), st.floats(0.5, 500))))
                 for i in range(n_res)]
    a_ids = [a.id for a in activities] or [0]
    r_ids = [r.id for r in resources] or [0]
    edge = st.tuples(st.sampled_from(a_ids), st.sampled_from(r_ids), st.booleans(), WORKAROUND_HOURS)
    rr = st.tuples(st.sampled_from(r_ids), st.sampled_from(r_ids), st.booleans(), WORKAROUND_HOURS)
    aa = st.tuples(st.sampled_from(a_ids), st.sampled_from(a_ids), st.booleans(), WORKAROUND_HOURS)
    return build_graph(activities, resources, draw(st.lists(edge, max_size=15)), draw(st.lists(rr, max_size=15)),
                       draw(st.lists(aa, max_size=6)))


def strict_adj(graph: engine.Graph) -> dict:
    adj = {n: [] for n in graph.nodes()}
    for e in graph.edges:
        if not e.workaround:
            adj[e.source].append(e.target)
    return adj


def carried_edges(graph: engine.Graph, *, add_workaround: bool) -> list:
    """(source, target, hours added) for every link that carries a need, straight from the rule."""
    edges = []
    for e in graph.edges:
        if not e.workaround:
            edges.append((e.source, e.target, 0))
        elif e.workaround_hours is not None:
            edges.append((e.source, e.target, e.workaround_hours if add_workaround else 0))
    return edges


def brute_force_needs(graph: engine.Graph, attr: str, edges: list) -> dict:
    """Bellman-Ford relaxation to a fixpoint: the smallest DMIA/PDMA + sum of W over every chain."""
    need = {(ACTIVITY, a.id): getattr(a, attr) for a in graph.activities.values() if getattr(a, attr) is not None}
    for _ in range(len(graph.nodes()) + 1):
        changed = False
        for source, target, w in edges:
            if source in need and need[source] + w < need.get(target, float("inf")):
                need[target] = need[source] + w
                changed = True
        if not changed:
            break
    return need


def reachable(adj: dict, start) -> set:
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in adj[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def is_path(adj: dict, path: tuple) -> bool:
    return all(b in adj[a] for a, b in zip(path, path[1:], strict=False))


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_requirements_are_the_strictest_need_of_every_dependent_activity(graph: engine.Graph) -> None:
    result = analyse(graph)
    for attr, reqs, add in (("dmia_hours", result.rto_requirements, True),
                            ("pdma_hours", result.rpo_requirements, False)):
        edges = carried_edges(graph, add_workaround=add)
        expected = brute_force_needs(graph, attr, edges)
        assert {k: v.hours for k, v in reqs.items()} == expected
        added = {}
        for source, target, w in edges:
            added.setdefault((source, target), set()).add(w)
        for node, req in reqs.items():
            path = req.path
            assert path[0][0] == ACTIVITY and path[-1] == node
            assert len(req.workarounds) == len(path) - 1
            # Each link of the path carries the need, and the need is the source's value + the W along it.
            for (a, b), w in zip(zip(path, path[1:], strict=False), req.workarounds, strict=True):
                assert (w or 0) in added[(a, b)]
            assert getattr(graph.activities[path[0][1]], attr) + sum(w or 0 for w in req.workarounds) == req.hours
    # Every workaround of unknown duration whose source has a need is reported.
    expected_uncarried = {(e.source, e.target) for e in graph.edges if e.workaround and e.workaround_hours is None
                          and (e.source in result.rto_requirements or e.source in result.rpo_requirements)}
    assert {(u.source, u.target) for u in result.uncarried} == expected_uncarried


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_capability_is_the_worst_reachable_resource(graph: engine.Graph) -> None:
    adj = strict_adj(graph)
    result = analyse(graph)
    for node in graph.nodes():
        rtos = [graph.resources[pk].effective_rto_hours for kind, pk in reachable(adj, node) if kind == RESOURCE]
        known = [r for r in rtos if r is not None]
        cap = result.capabilities[node]
        assert cap.hours == (max(known) if known else None)
        assert len(cap.unknown) == len(rtos) - len(known)
    for risk in result.activity_risks:
        assert risk.achievable_hours > risk.required_hours
        assert is_path(adj, risk.chain) and risk.chain[0] == (ACTIVITY, risk.activity_id)


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_gaps_are_exactly_the_resources_worse_than_their_need(graph: engine.Graph) -> None:
    result = analyse(graph)
    expected = set()
    for pk, r in graph.resources.items():
        need = result.rto_requirements.get((RESOURCE, pk))
        if need and r.effective_rto_hours is not None and r.effective_rto_hours > need.hours:
            expected.add(("rto", pk))
        need = result.rpo_requirements.get((RESOURCE, pk))
        if need and r.rpo_hours is not None and r.rpo_hours > need.hours:
            expected.add(("rpo", pk))
    assert {(g.kind, g.node[1]) for g in result.gaps if g.node[0] == RESOURCE} == expected


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_cycles_and_spofs_match_brute_force(graph: engine.Graph) -> None:
    full = {n: [] for n in graph.nodes()}
    for e in graph.edges:
        full[e.source].append(e.target)
    in_cycle = {n for n in graph.nodes() if any(n in reachable(full, m) for m in full[n])}
    result = analyse(graph)
    assert {n for c in result.cycles for n in c} == in_cycle
    adj = strict_adj(graph)
    critical = [a.id for a in graph.activities.values() if a.criticality in ("critical", "high")]
    expected = {}
    for pk in graph.resources:
        users = {a for a in critical if (RESOURCE, pk) in reachable(adj, (ACTIVITY, a))}
        if len(users) >= 2:
            expected[pk] = users
    assert {s.resource_id: set(s.activity_ids) for s in result.spofs} == expected


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.tuples(st.integers(1, 4), st.integers(1, 5)), st.integers(1, 4)), st.integers(1, 4))
def test_derived_dmia_is_the_first_horizon_reaching_the_intolerable_level(cells: dict, level: int) -> None:
    horizons = [(1, 4), (2, 24), (3, 72), (4, 168), (5, 720)]
    dmia = engine.derive_dmia(cells, horizons, level)
    reaching = sorted(h for (hid, h) in horizons if any(v >= level for (c, x), v in cells.items() if x == hid))
    assert dmia == (reaching[0] if reaching else None)


# --- The linear algorithms against the searches they replace ------------------------------------

@settings(max_examples=300, deadline=None)
@given(graphs())
def test_limiting_chains_from_the_flow_up_are_the_breadth_first_chains(graph: engine.Graph) -> None:
    """Following the flow-up's next links gives, for every node, the chain ``bfs_path`` finds (same
    tie-breaks), and the risks carry it."""
    adj = strict_adj(graph)
    result = analyse(graph)
    for node in graph.nodes():
        cap = result.capabilities[node]
        expected = engine.bfs_path(adj, node, cap.bottleneck) if cap.bottleneck is not None else ()
        assert result.limiting_chain(node) == expected
        assert engine.limiting_chain(graph, node, cap) == expected
    for risk in result.activity_risks:
        assert risk.chain == result.limiting_chain((ACTIVITY, risk.activity_id))


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_spof_counts_listing_order_and_chains(graph: engine.Graph) -> None:
    """Counted in one pass; listed most critical first, then by name; the chains searched for the rows
    shown only are the breadth-first ones, whichever way they are searched."""
    adj = strict_adj(graph)
    result = analyse(graph)
    rank = {"critical": 4, "high": 3}
    for spof in result.spofs:
        assert spof.count == len(spof.activity_ids) and list(spof.activity_ids) == sorted(spof.activity_ids)
        listed = spof.listed()
        assert sorted(listed) == list(spof.activity_ids)
        activities = [graph.activities[a] for a in listed]
        assert activities == sorted(activities, key=lambda a: (-rank[a.criticality], a.name, a.establishment, a.id))
        assert spof.listed(1) == listed[:1]
        goal = (RESOURCE, spof.resource_id)
        assert spof.paths == tuple(engine.bfs_path(adj, (ACTIVITY, a), goal) for a in spof.activity_ids)
        assert result.spof_for(spof.resource_id) is spof
    assert [(-s.count, s.resource_id) for s in result.spofs] == sorted((-s.count, s.resource_id) for s in result.spofs)
    # Searched from the resources (many activities for few resources) or from the activities: the same chains.
    ix = graph.index()
    pairs = [(ix.pos[(ACTIVITY, a)], ix.pos[(RESOURCE, s.resource_id)]) for s in result.spofs for a in s.activity_ids]
    few_starts = engine._chains(ix, pairs[:1])
    assert all(few_starts[p] == tuple(ix.pos[k] for k in engine.bfs_path(adj, ix.keys[p[0]], ix.keys[p[1]]))
               for p in pairs[:1])
    assert engine._chains(ix, pairs) == {p: tuple(ix.pos[k] for k in engine.bfs_path(adj, ix.keys[p[0]], ix.keys[p[1]]))
                                         for p in pairs}


def public(result: engine.Analysis) -> dict:
    """Everything the pages and exports read of an analysis."""
    return {
        "rto": {k: (v.hours, v.path, v.workarounds) for k, v in result.rto_requirements.items()},
        "rpo": {k: (v.hours, v.path, v.workarounds) for k, v in result.rpo_requirements.items()},
        "capabilities": {k: (v.hours, v.bottleneck, v.unknown) for k, v in result.capabilities.items()},
        "gaps": result.gaps, "missing": result.missing_capabilities, "risks": result.activity_risks,
        "spofs": [(s.resource_id, s.activity_ids, s.paths) for s in result.spofs], "cycles": result.cycles,
        "uncarried": result.uncarried,
        "limiting": {k: result.limiting_chain(k) for k in result.capabilities},
    }


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_the_compact_pickle_gives_back_the_same_analysis(graph: engine.Graph) -> None:
    import pickle

    result = analyse(graph, spof_listed=(2, 1))
    graph_back, result_back = pickle.loads(pickle.dumps((graph, result)))  # noqa: S301 - its own bytes
    assert graph_back == graph and graph_back.edges == graph.edges
    assert public(result_back) == public(result)


def test_a_graph_built_from_edge_objects_and_grown_in_place_is_indexed_again() -> None:
    graph = engine.Graph({1: ActivityNode(1, "Urgences", dmia_hours=4, criticality="critical")},
                         {10: ResourceNode(10, "DPI", rto_hours=24)})
    assert analyse(graph).gaps == []
    graph.edges.append(engine.Edge((ACTIVITY, 1), (RESOURCE, 10)))
    assert [(g.node, g.required_hours, g.capable_hours) for g in analyse(graph).gaps] == [((RESOURCE, 10), 4, 24)]


def test_the_unknown_capabilities_are_listed_when_read() -> None:
    graph = build_graph([ActivityNode(1, "Admissions", dmia_hours=24)],
                        [ResourceNode(10, "GAM"), ResourceNode(11, "Réseau"), ResourceNode(12, "AD", rto_hours=4)],
                        activity_resource=[(1, 10, False), (1, 12, False)], resource_resource=[(10, 11, False)])
    result = analyse(graph)
    assert result.capabilities[(ACTIVITY, 1)].unknown == ((RESOURCE, 10), (RESOURCE, 11))
    assert result.capabilities[(RESOURCE, 12)].unknown == ()
    assert (result.capabilities[(ACTIVITY, 1)].hours, result.capabilities[(ACTIVITY, 1)].bottleneck) == (4, (RESOURCE, 12))

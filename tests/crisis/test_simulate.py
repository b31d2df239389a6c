"""« What if » against brute force on random graphs (as the engine's own tests), plus a hospital by hand."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.bia.engine import ACTIVITY, RESOURCE, ActivityNode, ResourceNode, build_graph, strongly_connected
from apps.crisis.simulate import simulate
from tests.bia.test_engine import graphs

INF = math.inf


def _carry(edge) -> float:
    if not edge.workaround:
        return 0.0
    return INF if edge.workaround_hours is None else float(edge.workaround_hours)


def brute_stop(graph, down: set[int]) -> dict:
    """Every simple path from each node to a down resource, the cheapest sum of carries."""
    out: dict = {}
    for e in graph.edges:
        out.setdefault(e.source, []).append(e)

    def best(node, seen) -> float:
        if node[0] == RESOURCE and node[1] in down:
            return 0.0
        value = INF
        for e in out.get(node, []):
            if e.target in seen:
                continue
            value = min(value, _carry(e) + best(e.target, seen | {e.target}))
        return value

    return {n: best(n, {n}) for n in graph.nodes()}


@settings(max_examples=200, deadline=None)
@given(graphs(), st.data())
def test_simulation_matches_brute_force(graph, data) -> None:
    ids = sorted(graph.resources)
    down = set(data.draw(st.lists(st.sampled_from(ids), max_size=3))) if ids else set()
    duration = data.draw(st.sampled_from([1, 4, 24, 72, 200]))
    result = simulate(graph, down, duration)
    stop = brute_stop(graph, down)
    expected_hit = set()
    for pk, _node in graph.activities.items():
        key = (ACTIVITY, pk)
        lost = min((stop[e.target] for e in graph.edges if e.source == key), default=INF)
        if lost < duration:
            expected_hit.add(pk)
    assert {h.activity_id for h in result.hit} == expected_hit
    for h in result.hit:
        key = (ACTIVITY, h.activity_id)
        interrupted = stop[key]
        assert h.interrupted_at == (interrupted if interrupted < duration else None)
        dmia = graph.activities[h.activity_id].dmia_hours
        if h.interrupted_at is not None and dmia is not None and interrupted + dmia < duration:
            assert h.dmia_exceeded_at == interrupted + dmia
        else:
            assert h.dmia_exceeded_at is None
        # The path leads from the activity to a resource down, through real links.
        assert h.path[0] == key and h.path[-1][0] == RESOURCE and h.path[-1][1] in down
        pairs = {(e.source, e.target) for e in graph.edges}
        assert all((a, b) in pairs for a, b in zip(h.path, h.path[1:], strict=False))
    assert set(result.resources_down) == {pk for pk in graph.resources if stop[(RESOURCE, pk)] < duration}
    # The recovery order lists only what is down, each dependency before what needs it (outside cycles).
    placed = [r.resource_id for r in result.recovery]
    assert set(placed) <= set(result.resources_down)
    assert len(placed) == len(set(placed))
    kinds = {"application", "infrastructure", "biomedical"}
    assert set(placed) == {pk for pk in result.resources_down if graph.resources[pk].kind in kinds}
    rank = {pk: i for i, pk in enumerate(placed)}
    adj: dict = {(RESOURCE, pk): [] for pk in placed}
    for e in graph.edges:
        if e.source in adj and e.target in adj and e.source != e.target:
            adj[e.source].append(e.target)
    component = {k: i for i, comp in enumerate(strongly_connected(adj)) for k in comp}
    for a, targets in adj.items():
        for b in targets:
            if component[a] != component[b]:  # members of one cycle come back side by side
                assert rank[b[1]] < rank[a[1]], "a dependency comes back before what needs it"
    for comp in set(component.values()):  # ... and contiguous
        positions = sorted(rank[k[1]] for k, c in component.items() if c == comp)
        assert positions == list(range(positions[0], positions[0] + len(positions)))


def hospital():
    """The tests/bia hand-computed case, without its AD ↔ DNS cycle (dependencies in its docstring)."""
    acts = [ActivityNode(1, "Urgences (M)", dmia_hours=4), ActivityNode(2, "Urgences (R)", dmia_hours=24),
            ActivityNode(3, "Bloc", dmia_hours=4), ActivityNode(4, "Laboratoire", dmia_hours=24),
            ActivityNode(5, "Pharmacie", dmia_hours=72), ActivityNode(6, "Imagerie", dmia_hours=72),
            ActivityNode(7, "Facturation", dmia_hours=168), ActivityNode(8, "Paie", dmia_hours=168)]
    DC, RES, AD, DNS, DPI, PACS, SGL, PHA, GAM, PAIE = range(101, 111)
    res = [ResourceNode(DC, "DC", "infrastructure", rto_hours=48), ResourceNode(RES, "RES", "infrastructure", 8),
           ResourceNode(AD, "AD", "infrastructure", 24), ResourceNode(DNS, "DNS", "infrastructure", 2),
           ResourceNode(DPI, "DPI", rto_hours=4, measured_rto_hours=6), ResourceNode(PACS, "PACS", rto_hours=72),
           ResourceNode(SGL, "SGL", rto_hours=8), ResourceNode(PHA, "PHA", rto_hours=24),
           ResourceNode(GAM, "GAM", rto_hours=48), ResourceNode(PAIE, "PAIE")]
    ar = [(1, DPI, False, None), (2, DPI, False, None), (3, DPI, False, None), (3, PACS, True, 48), (4, SGL, False, None),
          (5, PHA, True, None), (6, PACS, False, None), (7, GAM, False, None), (8, PAIE, False, None)]
    rr = [(DPI, AD, False, None), (AD, RES, False, None), (RES, DC, False, None), (AD, DNS, False, None),
          (PACS, RES, False, None), (SGL, AD, False, None), (PHA, DPI, False, None), (GAM, AD, False, None)]
    return build_graph(acts, res, ar, rr, [(1, 4, False, None)]), AD, DPI, SGL, PHA, GAM


def test_hospital_active_directory_down_for_72_hours() -> None:
    graph, AD, DPI, SGL, PHA, GAM = hospital()
    result = simulate(graph, [AD], 72)
    hit = {h.activity_id: h for h in result.hit}
    # Worked by hand: AD down stops DPI, SGL, GAM and (through DPI) PHA at once; PACS rests on RES, not on AD.
    assert set(hit) == {1, 2, 3, 4, 5, 7}
    assert {pk: h.dmia_exceeded_at for pk, h in hit.items() if h.dmia_exceeded_at is not None} == {
        1: 4.0, 3: 4.0, 2: 24.0, 4: 24.0}
    assert hit[7].interrupted_at == 0.0 and hit[7].dmia_exceeded_at is None  # 168 h of DMIA outlast 72 h
    # The pharmacy works around its software for an unknown time: the degraded mode triggers at once and holds.
    assert hit[5].degraded and hit[5].interrupted_at is None and hit[5].degraded_until is None
    assert hit[1].path == ((ACTIVITY, 1), (RESOURCE, DPI), (RESOURCE, AD))
    assert set(result.resources_down) == {AD, DPI, SGL, PHA, GAM}
    back = {r.resource_id: r for r in result.recovery}
    assert result.recovery[0].resource_id == AD
    # AD 24 h; then each system its capable RTO after AD (DPI measured 6 h wins over the promised 4 h); PHA after DPI.
    assert {pk: r.expected_back_hours for pk, r in back.items()} == {AD: 24.0, DPI: 30.0, SGL: 32.0, PHA: 54.0,
                                                                     GAM: 72.0}
    assert back[DPI].source == "measured" and back[SGL].source == "promised"
    assert [r.resource_id for r in result.recovery].index(DPI) < [r.resource_id for r in result.recovery].index(PHA)


def test_a_workaround_that_runs_out_interrupts_later() -> None:
    graph, *_ = hospital()
    PACS = 106
    result = simulate(graph, [PACS], 72)
    hit = {h.activity_id: h for h in result.hit}
    # The bloc works 48 h without the PACS (degraded mode), then stops; its DMIA of 4 h is exceeded at 52 h.
    assert hit[3].degraded and hit[3].lost_at == 0.0 and hit[3].degraded_until == 48.0
    assert hit[3].interrupted_at == 48.0 and hit[3].dmia_exceeded_at == 52.0
    assert hit[6].interrupted_at == 0.0 and hit[6].dmia_exceeded_at is None  # imaging: 72 h DMIA, not < 72
    short = {h.activity_id for h in simulate(graph, [PACS], 24).hit}
    assert 3 in short and {h.activity_id: h.interrupted_at for h in simulate(graph, [PACS], 24).hit}[3] is None

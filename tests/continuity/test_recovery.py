"""The PRA recovery order: hand-made cases and properties over random BIA graphs (Hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.bia.engine import ActivityNode, ResourceNode, build_graph
from apps.continuity.recovery import recovery_order


def _graph(activities, resources, ar=(), rr=(), aa=()):
    return build_graph(
        [ActivityNode(id=i, name=n, dmia_hours=d) for i, n, d in activities],
        [ResourceNode(id=i, name=n, kind=k, rto_hours=rto) for i, n, k, rto in resources],
        [(a, r, False) for a, r in ar], [(a, b, False) for a, b in rr], [(a, b, False) for a, b in aa],
    )


HOSPITAL = _graph(
    activities=[(1, "Urgences", 4), (2, "Paie", 72)],
    resources=[(10, "DPI", "application", 4), (11, "Active Directory", "infrastructure", 24),
               (12, "Virtualisation", "infrastructure", 12), (13, "Paie SaaS", "application", 72),
               (14, "Éditeur", "supplier", 48), (15, "DNS", "infrastructure", 4)],
    ar=[(1, 10), (2, 13)],
    rr=[(10, 11), (10, 12), (11, 12), (10, 14), (13, 11), (11, 15), (15, 11)],
)


def test_infrastructure_comes_before_the_applications_that_need_it() -> None:
    order = recovery_order(HOSPITAL, [1, 2])
    names = [i.name for i in order.items]
    assert names.index("Virtualisation") < names.index("Active Directory") < names.index("DPI")
    assert names.index("Active Directory") < names.index("Paie SaaS")
    # The emergency department's DPI (4 h) comes back before payroll (72 h).
    assert names.index("DPI") < names.index("Paie SaaS")
    assert names[-1] == "Paie SaaS"


def test_required_rto_is_the_strictest_dmia_that_needs_the_system() -> None:
    items = {i.name: i for i in recovery_order(HOSPITAL, [1, 2]).items}
    assert items["DPI"].required_rto_hours == 4
    assert items["Active Directory"].required_rto_hours == 4  # needed by Urgences through the DPI
    assert items["Paie SaaS"].required_rto_hours == 72
    assert items["Active Directory"].needed_by == (1, 2)


def test_suppliers_are_not_in_the_sequence() -> None:
    assert "Éditeur" not in [i.name for i in recovery_order(HOSPITAL, [1]).items]


def test_only_the_perimeter_counts() -> None:
    names = [i.name for i in recovery_order(HOSPITAL, [2]).items]
    assert "DPI" not in names and "Paie SaaS" in names


def test_a_cycle_is_reported_and_its_members_placed_together() -> None:
    order = recovery_order(HOSPITAL, [1])
    assert order.cycles == ((11, 15),)
    positions = {i.resource_id: i.position for i in order.items}
    assert abs(positions[11] - positions[15]) == 1
    assert all(i.in_cycle == (i.resource_id in (11, 15)) for i in order.items)


def test_upstream_activities_bring_their_systems() -> None:
    graph = _graph(activities=[(1, "Urgences", 4), (2, "Laboratoire", 4)],
                   resources=[(10, "LIS", "application", 8)], ar=[(2, 10)], aa=[(1, 2)])
    assert [i.name for i in recovery_order(graph, [1]).items] == ["LIS"]


def test_empty_perimeter_gives_an_empty_sequence() -> None:
    assert recovery_order(HOSPITAL, []).items == ()
    assert recovery_order(HOSPITAL, [999]).items == ()


@st.composite
def graphs(draw):
    n_act = draw(st.integers(1, 6))
    n_res = draw(st.integers(0, 12))
    activities = [(i, f"A{i}", draw(st.one_of(st.none(), st.sampled_from([1, 4, 24, 72, 168]))))
                  for i in range(1, n_act + 1)]
    resources = [(100 + i, f"R{i}", draw(st.sampled_from(["application", "infrastructure", "supplier"])), None)
                 for i in range(n_res)]
    res_ids = [r[0] for r in resources]
    act_ids = [a[0] for a in activities]
    ar = draw(st.lists(st.tuples(st.sampled_from(act_ids), st.sampled_from(res_ids)), max_size=20)) if res_ids else []
    rr = draw(st.lists(st.tuples(st.sampled_from(res_ids), st.sampled_from(res_ids)), max_size=30)) if res_ids else []
    aa = draw(st.lists(st.tuples(st.sampled_from(act_ids), st.sampled_from(act_ids)), max_size=6))
    selected = draw(st.lists(st.sampled_from(act_ids), max_size=n_act))
    return _graph(activities, resources, ar, rr, aa), selected


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_properties_on_random_graphs(data) -> None:
    graph, selected = data
    order = recovery_order(graph, selected)
    ids = order.ids()
    # Each system once, positions 1..n.
    assert len(ids) == len(set(ids))
    assert [i.position for i in order.items] == list(range(1, len(ids) + 1))
    position = {pk: i for i, pk in enumerate(ids)}
    in_cycle = {pk for cycle in order.cycles for pk in cycle}
    # Dependencies first, except inside a reported cycle.
    for edge in graph.edges:
        if edge.source[0] == edge.target[0] == "resource":
            a, b = edge.source[1], edge.target[1]
            if a in position and b in position and not (a in in_cycle and b in in_cycle):
                assert position[b] < position[a], f"{b} must come before {a}"
    # Exactly the restorable systems reachable from the selected activities.
    reach, stack = set(), [("activity", a) for a in selected]
    while stack:
        node = stack.pop()
        for e in graph.edges:
            if e.source == node and e.target not in reach:
                reach.add(e.target)
                stack.append(e.target)
    expected = {pk for kind, pk in reach if kind == "resource" and graph.resources[pk].kind != "supplier"}
    assert set(ids) == expected
    # A dependency is never less urgent than what needs it.
    items = {i.resource_id: i for i in order.items}
    for edge in graph.edges:
        if edge.source[0] == edge.target[0] == "resource" and edge.source[1] in items and edge.target[1] in items:
            need, dep = items[edge.source[1]].required_rto_hours, items[edge.target[1]].required_rto_hours
            if need is not None:
                assert dep is not None and dep <= need


def test_a_dependency_with_workaround_comes_back_after_the_urgent_ones() -> None:
    graph = build_graph(
        [ActivityNode(id=1, name="Urgences", dmia_hours=4)],
        [ResourceNode(id=10, name="Annuaire", kind="infrastructure"), ResourceNode(id=11, name="DPI"),
         ResourceNode(id=12, name="Messagerie")],
        [(1, 11, False), (1, 12, True)], [(11, 10, False)],
    )
    items = recovery_order(graph, [1]).items
    assert [i.name for i in items] == ["Annuaire", "DPI", "Messagerie"]
    assert items[2].required_rto_hours is None and items[2].needed_by == (1,)


def test_a_workaround_of_known_duration_carries_dmia_plus_w_into_the_required_rto() -> None:
    """The BIA's rule (« Bloc opératoire tient 48 h en mode dégradé + DMIA 4 h → PACS doit revenir sous 52 h »)
    is the sequence's required RTO too; an unknown duration still carries nothing."""
    graph = build_graph(
        [ActivityNode(id=3, name="Bloc opératoire", dmia_hours=4), ActivityNode(id=6, name="Imagerie", dmia_hours=72)],
        [ResourceNode(id=10, name="PACS", rto_hours=72), ResourceNode(id=11, name="Réseau", kind="infrastructure"),
         ResourceNode(id=12, name="Logiciel de bloc")],
        [(3, 10, True, 48), (6, 10, False), (3, 12, True, None)], [(10, 11, False)],
    )
    items = {i.name: i for i in recovery_order(graph, [3, 6]).items}
    assert items["PACS"].required_rto_hours == 52  # min(4 + 48, 72)
    assert items["Réseau"].required_rto_hours == 52  # what PACS needs, it needs
    assert items["Logiciel de bloc"].required_rto_hours is None
    assert recovery_order(graph, [6]).items[-1].required_rto_hours == 72  # without the bloc: the imagerie's 72 h
    assert {i.name: i.required_rto_hours for i in recovery_order(graph, [3]).items}["PACS"] == 52

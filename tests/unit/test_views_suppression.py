"""Small-number suppression of the cross-force views: no hidden cell can be worked out.

The property is checked against an independent computation: the equations the published
table satisfies (every region's column is the sum of its forces', the nation's the sum of
the regions', and each row's totals the sums of their parts) are written down here from
the table's meaning, and a hidden cell counts as recoverable when every solution of those
equations (over the rationals, with the published cells fixed) gives it the same value.
"""

from fractions import Fraction

from hypothesis import given, settings, strategies as st

from naloxone_kernel.reference.forces import FORCES, REGIONS, forces_in_region
from views.figures import FAMILIES, NATIONAL, PEOPLE, build_grid, region_key
from views.suppression import Equation, Grid, recoverable, suppress

FORCE_IDS = [f.id for f in FORCES]


def people_row(draw) -> dict[str, int]:
    small = st.integers(0, 6) | st.integers(0, 40)
    outcomes = {f"outcome_{o}": draw(small) for o in
                ("alive_at_handover", "alive_refused_hospital", "died", "unknown", "not_recorded")}
    settings_ = {f"take_home_at_{s}": draw(small) for s in
                 ("custody_release", "prison_release", "street", "partner_service", "other", "not_recorded")}
    supplies = sum(settings_.values())
    repeat = draw(st.integers(0, supplies))
    stages = {f"referrals_{s}": draw(small) for s in ("waiting", "accepted", "declined")}
    return {**outcomes, "administrations": sum(outcomes.values()),
            "lives_saved": outcomes["outcome_alive_at_handover"] + outcomes["outcome_alive_refused_hospital"],
            **settings_, "take_home_supplies": supplies, "take_home_first": supplies - repeat,
            "take_home_repeat": repeat, **stages, "referrals_made": sum(stages.values()),
            "referrals_engaged": draw(small), "referrals_completed": draw(small)}


@st.composite
def tables(draw):
    active = draw(st.lists(st.sampled_from(FORCE_IDS), min_size=1, max_size=9, unique=True))
    by_force = {f: people_row(draw) for f in active}
    viewer = draw(st.none() | st.sampled_from(active + FORCE_IDS[:3]))
    return by_force, viewer


def table_equations() -> list[tuple[tuple, list[tuple]]]:
    """(total, parts) as the published table means them, written independently of views.figures."""
    out = []
    rows = [*FORCE_IDS, *(region_key(r) for r in REGIONS), NATIONAL]
    for c in PEOPLE:
        for r in REGIONS:
            out.append(((region_key(r), c), [(f.id, c) for f in forces_in_region(r)]))
        out.append(((NATIONAL, c), [(region_key(r), c) for r in REGIONS]))
    for row in rows:
        out.append(((row, "administrations"), [(row, f"outcome_{o}") for o in
                    ("alive_at_handover", "alive_refused_hospital", "died", "unknown", "not_recorded")]))
        out.append(((row, "lives_saved"), [(row, "outcome_alive_at_handover"), (row, "outcome_alive_refused_hospital")]))
        out.append(((row, "take_home_supplies"), [(row, "take_home_first"), (row, "take_home_repeat")]))
        out.append(((row, "take_home_supplies"), [(row, f"take_home_at_{s}") for s in
                    ("custody_release", "prison_release", "street", "partner_service", "other", "not_recorded")]))
        out.append(((row, "referrals_made"), [(row, f"referrals_{s}") for s in ("waiting", "accepted", "declined")]))
    return out


EQUATIONS = table_equations()


def determined(hidden: set, equations) -> set:
    """Hidden cells fixed by the equations: those on which every null-space vector is zero."""
    cells = sorted(hidden, key=repr)
    index = {c: i for i, c in enumerate(cells)}
    rows = []
    for total, parts in equations:
        row = [Fraction(0)] * len(cells)
        for cell, coefficient in [(total, 1), *((p, -1) for p in parts)]:
            if cell in index:
                row[index[cell]] += coefficient
        if any(row):
            rows.append(row)
    # reduced row echelon form over the rationals
    pivots, r = [], 0
    for col in range(len(cells)):
        pivot = next((i for i in range(r, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        lead = rows[r][col]
        rows[r] = [v / lead for v in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][col] != 0:
                factor = rows[i][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[r])]
        pivots.append(col)
        r += 1
    free = [c for c in range(len(cells)) if c not in pivots]
    # null-space basis: one vector per free column
    null = []
    for f in free:
        v = [Fraction(0)] * len(cells)
        v[f] = Fraction(1)
        for i, p in enumerate(pivots):
            v[p] = -rows[i][f]
        null.append(v)
    return {cells[i] for i in range(len(cells)) if all(v[i] == 0 for v in null)}


@settings(max_examples=25, deadline=None)
@given(tables())
def test_no_hidden_cell_can_be_recovered_from_the_totals(table):
    by_force, viewer = table
    grid = build_grid(by_force, {}, viewer)
    hidden = {(row, c) for row in grid.raw for c in PEOPLE if grid.cell(row, c) in ("<5", "c")}
    assert not determined(hidden, EQUATIONS), "a hidden cell follows from the published figures"
    for row in grid.raw:
        for c in PEOPLE:
            value, shown = grid.raw[row][c], grid.cell(row, c)
            if row == viewer:
                assert shown == value  # a force's own users see it unsuppressed
                continue
            known = grid.raw[viewer][c] if viewer and row in (NATIONAL, region_key(_region(viewer))) else 0
            if 0 < value - known < 5:
                assert shown == "<5", (row, c, value)
            if shown not in ("<5", "c"):
                assert shown == value


def _region(force_id: str) -> str:
    return next(f.region for f in FORCES if f.id == force_id)


def test_a_lone_small_cell_in_a_column_takes_a_second_cell_with_it():
    # three forces of one region; one has 3 (primary) so the next smallest is hidden too
    wm = [f.id for f in forces_in_region("West Midlands")]
    by_force = {wm[0]: {"referrals_engaged": 3}, wm[1]: {"referrals_engaged": 20}, wm[2]: {"referrals_engaged": 9}}
    grid = build_grid(by_force, {}, None)
    cells = {f: grid.cell(f, "referrals_engaged") for f in wm[:3]}
    assert cells[wm[0]] == "<5"
    assert cells[wm[2]] == "c"  # the smallest other one
    assert cells[wm[1]] == 20
    assert grid.cell(region_key("West Midlands"), "referrals_engaged") == 32


def test_the_readers_own_force_is_never_hidden_and_protection_counts_what_it_knows():
    wm = [f.id for f in forces_in_region("West Midlands")]
    # the region total is the reader's 40 plus another force's 2: hidden for the reader
    by_force = {wm[0]: {"referrals_engaged": 40}, wm[1]: {"referrals_engaged": 2}}
    grid = build_grid(by_force, {}, wm[0])
    assert grid.cell(wm[0], "referrals_engaged") == 40
    assert grid.cell(wm[1], "referrals_engaged") == "<5"
    assert grid.cell(region_key("West Midlands"), "referrals_engaged") == "<5"
    national = build_grid(by_force, {}, None)  # a national lead knows neither: 40 is not small,
    assert national.cell(wm[1], "referrals_engaged") == "<5"  # but it or the total must go with the 2
    assert {national.cell(wm[0], "referrals_engaged"), national.cell(region_key("West Midlands"),
                                                                      "referrals_engaged")} in ({"c", 42}, {40, "c"})


def test_a_chain_of_equations_that_the_two_per_equation_rule_misses_is_closed():
    # x+y = 10 (published total), y+z = t2, x+z = t3 hidden in pairs: each equation has two
    # hidden cells, yet x = (10 - t2 + t3)/2 would follow if t2 and t3 were published.
    eqs = [Equation(("t1",), (("x",), ("y",))), Equation(("t2",), (("y",), ("z",))),
           Equation(("t3",), (("x",), ("z",)))]
    values = {("t1",): 10, ("t2",): 9, ("t3",): 7, ("x",): 4, ("y",): 6, ("z",): 3}
    assert set(recoverable(eqs, {("x",), ("y",), ("z",)})) == {("x",), ("y",), ("z",)}
    hidden = suppress(Grid(values=values, equations=eqs))
    everything = set(hidden.primary) | set(hidden.secondary)
    assert not recoverable(eqs, everything)

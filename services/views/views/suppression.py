"""Small-number suppression for published tables, as NDTMS and Public Health Scotland publish.

A table is cells (row, column) -> count, and the linear equations that hold between
them: a total equals the sum of its parts (a region's column is the sum of its forces',
a row's administrations the sum of its outcomes). Publishing rules:

- primary: a count of 1 to 4 people is shown as "<5". For a total, what counts is the
  part the reader does not already know: a force user knows their own force's figures,
  so a regional total that is their own figure plus 3 is small too;
- secondary: more cells are hidden ("c") until no hidden cell can be worked out from the
  published cells and the equations. A cell is recoverable exactly when some combination
  of the equations involves no hidden cell but it; this is checked exactly (linear
  algebra over a prime field, per connected group of hidden cells), not only by the usual
  "two hidden cells per equation" rule of thumb, which a chain of equations can defeat;
- cells the reader already knows (their own force) are never hidden: hiding them protects
  nothing, and the protection must hold against what the reader knows.

Zeros are published as 0 (no person is described by a zero).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Hashable, Iterable

Cell = tuple[Hashable, Hashable]

THRESHOLD = 5
PRIMARY = "<5"
SECONDARY = "c"

_P = (1 << 61) - 1  # a Mersenne prime: exact arithmetic on Python ints, no overflow


@dataclass(frozen=True)
class Equation:
    """total = sum(parts)."""

    total: Cell
    parts: tuple[Cell, ...]

    @property
    def cells(self) -> tuple[Cell, ...]:
        return (self.total, *self.parts)


@dataclass
class Grid:
    values: dict[Cell, int]
    equations: list[Equation] = field(default_factory=list)
    #: Cells the reader knows already (never hidden; what protection is measured against).
    known: set[Cell] = field(default_factory=set)
    #: For each cell, the known cells its value includes (a total's known share).
    known_share: dict[Cell, int] = field(default_factory=dict)
    #: Cells hidden whatever their value (a linked table already hid them).
    forced: set[Cell] = field(default_factory=set)


@dataclass(frozen=True)
class Suppressed:
    primary: frozenset[Cell]
    secondary: frozenset[Cell]

    def marker(self, cell: Cell) -> str | None:
        if cell in self.primary:
            return PRIMARY
        if cell in self.secondary:
            return SECONDARY
        return None

    def __contains__(self, cell: Cell) -> bool:
        return cell in self.primary or cell in self.secondary


def suppress(grid: Grid, threshold: int = THRESHOLD) -> Suppressed:
    """Which cells to hide (see the module docstring)."""
    by_cell: dict[Cell, list[Equation]] = {}
    for eq in grid.equations:
        for cell in eq.cells:
            by_cell.setdefault(cell, []).append(eq)
    known = _known_closure(grid.known, grid.equations, by_cell)
    if known != grid.known:
        grid = Grid(grid.values, grid.equations, known, grid.known_share, grid.forced)
    primary = {c for c, v in grid.values.items()
               if c not in known and 0 < v - grid.known_share.get(c, 0) < threshold}
    hidden = set(primary) | (set(grid.forced) - known)
    while True:
        _rule_of_thumb(grid, hidden, by_cell)
        added = False
        for cell in recoverable(grid.equations, hidden, by_cell):
            pick = _nearest_free(grid, cell, hidden, by_cell)
            if pick is not None:
                hidden.add(pick)
                added = True
        if not added:
            break
    return Suppressed(frozenset(primary), frozenset(hidden - primary))


def _known_closure(known: set[Cell], equations: list[Equation], by_cell) -> set[Cell]:
    """Everything the reader can work out from what they know alone (an equation with one
    unknown cell gives it away): such cells are never hidden, hiding them would protect nothing."""
    known = set(known)
    queue = [eq for c in known for eq in by_cell.get(c, ())]
    while queue:
        eq = queue.pop()
        unknown = [c for c in eq.cells if c not in known]
        if len(unknown) == 1:
            known.add(unknown[0])
            queue += by_cell.get(unknown[0], ())
    return known


def _rule_of_thumb(grid: Grid, hidden: set[Cell], by_cell: dict[Cell, list[Equation]]) -> None:
    """Until no equation has exactly one hidden cell: hide a second one in each that has."""
    queue = [eq for eq in grid.equations if sum(c in hidden for c in eq.cells) == 1]
    while queue:
        eq = queue.pop()
        if sum(c in hidden for c in eq.cells) != 1:
            continue
        pick = _complement(grid, eq, hidden)
        if pick is None:
            continue
        hidden.add(pick)
        queue += [other for other in by_cell.get(pick, ()) if other is not eq]


def _nearest_free(grid: Grid, cell: Cell, hidden: set[Cell], by_cell) -> Cell | None:
    """The cheapest cell to hide among the equations nearest a recoverable cell: its own first,
    then those of the hidden cells it shares an equation with, and so on outwards."""
    frontier, seen_cells, seen_eqs = [cell], {cell}, set()
    while frontier:
        eqs = [eq for c in frontier for eq in by_cell.get(c, ()) if id(eq) not in seen_eqs]
        seen_eqs |= {id(eq) for eq in eqs}
        free = [c for eq in eqs for c in eq.cells if c not in hidden and c not in grid.known]
        if free:
            return min(free, key=lambda c: _cost(grid, c))
        frontier = [c for eq in eqs for c in eq.cells if c in hidden and c not in seen_cells]
        seen_cells |= set(frontier)
    return None


def _complement(grid: Grid, eq: Equation, hidden: set[Cell]) -> Cell | None:
    """The cell to hide with the lone hidden one: the smallest non-zero part, else the total,
    else a zero (hiding a zero still leaves two unknowns in the equation)."""
    free = [c for c in eq.cells if c not in hidden and c not in grid.known]
    if not free:
        return None
    return min(free, key=lambda c: (*_cost(grid, c)[:1], c == eq.total, *_cost(grid, c)[1:]))


def _cost(grid: Grid, cell: Cell) -> tuple:
    """Hide non-zero cells before zeros (a hidden zero reads as activity), small before large."""
    value = grid.values.get(cell, 0)
    return (value == 0, value, repr(cell))


def recoverable(equations: Iterable[Equation], hidden: set[Cell],
                by_cell: dict[Cell, list[Equation]] | None = None) -> list[Cell]:
    """Hidden cells whose value follows from the published cells and the equations.

    Each equation restricted to the hidden cells is a linear form (the published cells go
    to the constant side). A hidden cell x is recoverable exactly when the unit vector of x
    lies in the span of those forms, i.e. in the reduced row echelon form the row pivoted
    on x has no other entry. Groups of hidden cells that share no equation are independent,
    so each connected group is reduced on its own.
    """
    equations = list(equations)
    if by_cell is None:
        by_cell = {}
        for eq in equations:
            for cell in eq.cells:
                by_cell.setdefault(cell, []).append(eq)
    out: list[Cell] = []
    seen: set[Cell] = set()
    for start in sorted(hidden, key=repr):
        if start in seen or start not in by_cell:
            seen.add(start)
            continue
        group, group_eqs = _component(start, hidden, by_cell)
        seen |= group
        rows = []
        for eq in group_eqs:
            row: dict[Cell, int] = {}
            for cell, coefficient in ((eq.total, 1), *((p, -1) for p in eq.parts)):
                if cell in hidden:
                    row[cell] = (row.get(cell, 0) + coefficient) % _P
            row = {c: v for c, v in row.items() if v}
            if row:
                rows.append(row)
        out += _unit_rows(rows, sorted(group, key=repr))
    return out


def _component(start: Cell, hidden: set[Cell], by_cell) -> tuple[set[Cell], list[Equation]]:
    group, eqs, stack, seen_eqs = {start}, [], [start], set()
    while stack:
        cell = stack.pop()
        for eq in by_cell.get(cell, ()):
            if id(eq) in seen_eqs:
                continue
            seen_eqs.add(id(eq))
            eqs.append(eq)
            for other in eq.cells:
                if other in hidden and other not in group:
                    group.add(other)
                    stack.append(other)
    return group, eqs


def _unit_rows(rows: list[dict[Cell, int]], order: list[Cell]) -> list[Cell]:
    """Reduce sparse rows mod P to reduced row echelon form; the pivots whose row is a unit vector.

    Forward elimination keeps each pivot row's other entries after its pivot (in `order`),
    so a new row is reduced by its pivot columns in increasing order; one back-substitution
    at the end makes the form reduced.
    """
    rank = {c: i for i, c in enumerate(order)}
    pivots: dict[Cell, dict[Cell, int]] = {}
    for row in rows:
        row = dict(row)
        while row:
            lead = min(row, key=rank.__getitem__)
            pivot = pivots.get(lead)
            if pivot is None:
                break
            _subtract(row, pivot, row[lead])
        if not row:
            continue
        lead = min(row, key=rank.__getitem__)
        inverse = pow(row[lead], _P - 2, _P)
        pivots[lead] = {c: v * inverse % _P for c, v in row.items()}
    for lead in sorted(pivots, key=rank.__getitem__, reverse=True):
        row = pivots[lead]
        for c in sorted((c for c in row if c != lead and c in pivots), key=rank.__getitem__):
            if c in row:
                _subtract(row, pivots[c], row[c])
    return [cell for cell, row in pivots.items() if len(row) == 1]


def _subtract(row: dict[Cell, int], pivot: dict[Cell, int], factor: int) -> None:
    """row -= factor * pivot (mod P), dropping zeros."""
    for c, v in pivot.items():
        nv = (row.get(c, 0) - factor * v) % _P
        if nv:
            row[c] = nv
        else:
            row.pop(c, None)

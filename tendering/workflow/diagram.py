"""Lays out a workflow as boxes and arrows for an SVG on the case page.

States are placed in layers by their distance from the initial state, so the
main path reads top to bottom; `cancel` arrows are left out (it is possible
from every early state and the page says so in words).
"""

from collections import deque
from dataclasses import dataclass

from .definitions import WorkflowDef

BOX_WIDTH, BOX_HEIGHT = 210, 38
COLUMN_GAP, ROW_GAP = 40, 30
MARGIN = 20
OMITTED_TRIGGERS = {"cancel"}


@dataclass(frozen=True)
class Node:
    state: str
    x: int
    y: int

    @property
    def cx(self) -> int:
        return self.x + BOX_WIDTH // 2


@dataclass(frozen=True)
class Edge:
    trigger: str
    path: str


@dataclass(frozen=True)
class Diagram:
    width: int
    height: int
    nodes: list[Node]
    edges: list[Edge]
    box_width: int = BOX_WIDTH
    box_height: int = BOX_HEIGHT


def layout(workflow: WorkflowDef) -> Diagram:
    edges = {
        (s, t.dest, t.trigger) for t in workflow.transitions if t.trigger not in OMITTED_TRIGGERS for s in t.sources
    }
    layer = {workflow.initial: 0}
    queue = deque([workflow.initial])
    while queue:
        state = queue.popleft()
        for source, dest, _trigger in sorted(edges):
            if source == state and dest not in layer:
                layer[dest] = layer[state] + 1
                queue.append(dest)
    for state in workflow.states:  # unreachable except by cancel
        layer.setdefault(state, max(layer.values()) + 1)
    rows: dict[int, list[str]] = {}
    for state in workflow.states:
        rows.setdefault(layer[state], []).append(state)
    nodes = {
        state: Node(state, MARGIN + col * (BOX_WIDTH + COLUMN_GAP), MARGIN + row * (BOX_HEIGHT + ROW_GAP))
        for row, states in rows.items()
        for col, state in enumerate(states)
    }
    width = MARGIN * 2 + max(len(s) for s in rows.values()) * (BOX_WIDTH + COLUMN_GAP) + 40
    height = MARGIN * 2 + len(rows) * (BOX_HEIGHT + ROW_GAP)
    return Diagram(
        width, height, list(nodes.values()), [_edge(nodes[s], nodes[d], trig, width) for s, d, trig in sorted(edges)]
    )


def _edge(source: Node, dest: Node, trigger: str, width: int) -> Edge:
    if dest.y > source.y:  # forward: bottom of source to top of dest
        return Edge(trigger, f"M{source.cx},{source.y + BOX_HEIGHT} L{dest.cx},{dest.y - 2}")
    # backward (e.g. rearticulate): loop round the right-hand side
    side = width - 25
    return Edge(
        trigger,
        f"M{source.x + BOX_WIDTH},{source.y + BOX_HEIGHT // 2} C{side},{source.y} {side},{dest.y} "
        f"{dest.x + BOX_WIDTH + 2},{dest.y + BOX_HEIGHT // 2}",
    )

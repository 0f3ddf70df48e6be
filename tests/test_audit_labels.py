"""Every audit event has a human label: the code is scanned for the actions it writes."""

import ast
import pathlib
import re

import tendering
from tendering.workflow.labels import ACTION_LABELS, action_label

PACKAGE = pathlib.Path(tendering.__file__).parent
TEMPLATES = PACKAGE.parent / "templates"
WRITERS = {"record", "record_aside", "AuditEvent"}  # audit.record(...), audit.record_aside(...), AuditEvent(...)


def _module_constants(tree: ast.Module) -> dict[str, str]:
    return {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def written_actions() -> dict[str, str]:
    """Each action literal passed as `action=` to an audit writer, with where it is written.

    A conditional (`"a" if x else "b"`) yields both literals; a module constant (`action=REFUSED`) its value.
    """
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _module_constants(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in WRITERS:
                continue
            for keyword in (k for k in node.keywords if k.arg == "action"):
                values = [
                    c.value for c in ast.walk(keyword.value) if isinstance(c, ast.Constant) and isinstance(c.value, str)
                ]
                values += [
                    constants[n.id] for n in ast.walk(keyword.value) if isinstance(n, ast.Name) and n.id in constants
                ]
                where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
                if path.name != "audit.py":  # the writers themselves pass their parameter on
                    assert values, f"{where}: the action is not a literal the scan can read"
                for value in values:
                    found.setdefault(value, where)
    return found


def test_the_scan_finds_the_known_writers():
    actions = written_actions()
    assert {"case_opened", "transition", "sealed_access_refused", "measurement_reported", "partner_declined"} <= set(
        actions
    )


def test_every_audit_action_has_a_human_label():
    missing = {action: where for action, where in written_actions().items() if action not in ACTION_LABELS}
    assert not missing, f"add these to ACTION_LABELS in tendering/workflow/labels.py: {missing}"


def test_no_label_for_an_action_nobody_writes():
    assert set(ACTION_LABELS) - set(written_actions()) == set()


def test_labels_are_sentences_not_keys(app):
    with app.test_request_context():
        for action in ACTION_LABELS:
            label = action_label(action)
            assert label != action and "_" not in label


def test_the_templates_that_show_audit_events_go_through_the_labels():
    """A template that prints an event's action prints it through `action_label`, never raw."""
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for printed in re.findall(r"\{\{[^}]*\bevent\.action\b[^}]*\}\}", text):
            assert "action_label(event.action)" in printed, f"{path.name} prints a raw action: {printed}"
    assert "action_label(event.action)" in (TEMPLATES / "cases" / "_timeline.html").read_text(encoding="utf-8")


def test_the_audit_trail_shows_labels(logged_in, official, make_case):
    case = make_case()
    page = logged_in(official).get(f"/cases/{case.id}/audit-trail").text
    assert "case_opened" not in page

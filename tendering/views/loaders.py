"""Load and authorise what a URL names, once per request, before the view runs (flaskr's `get_post(id,
check_author)`, as a request hook).

Every route declares its capability (`access.allows` / `access.public`). This hook, the last before the view,
refuses a role the capability has no grant for before anything is loaded (so an id tells a stranger nothing),
then loads the case a `case_id` names (or the case of the coalition a `coalition_id` names), applies the
time-driven steps that fell due (their own unit of work), and checks the phase and the object rules of the grant.
A view under `case_id` receives the loaded `case` instead; coalition views load their own context, which the
rules have already admitted.
"""

from flask import Flask, abort, current_app, request
from flask_login import current_user
from sqlmodel import select

from .. import access
from ..core import db
from ..models import Case, Coalition
from ..question.cases import get_case
from ..web.security import login_manager
from ..workflow.engine import catch_up


def route_access(endpoint: str | None) -> access.RouteAccess | None:
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, "access", None)


def authorise():
    declared = route_access(request.endpoint)
    if declared is None or declared.capability is None:  # public, or no route (a 404 follows)
        return
    session = db.session()
    args = request.view_args if request.view_args is not None else {}
    decision = access.decide(session, declared.capability, current_user, roles_only=True)
    if not decision:
        sealed = access.POLICY[declared.capability].sealed
        if not current_user.is_authenticated:  # logged as any refusal, then sent to log in as any visitor is
            if sealed:
                access.log_refused_read(current_user, what=sealed, **args)
            abort(login_manager.unauthorized())
        access.refuse(session, declared.capability, current_user, decision, **args)
    case = None
    if "case_id" in args:
        case = args["case"] = get_case(session, args.pop("case_id"))
    elif "coalition_id" in args:  # the phase of a coalition's page is its case's; an unknown id is refused by the rules
        case = session.exec(
            select(Case).join(Coalition, Coalition.case_id == Case.id).where(Coalition.id == args["coalition_id"])
        ).first()
    if case is not None:
        catch_up(case)
    access.require(
        session,
        declared.capability,
        current_user,
        case=case,
        coalition_id=args.get("coalition_id"),
        proposal_id=args.get("proposal_id"),
    )


def routes_by_capability(app: Flask) -> dict[access.Capability | None, list[str]]:
    """Every route, as "METHOD /path", under the capability it declares (None: public)."""
    found: dict[access.Capability | None, list[str]] = {}
    for url_rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, sorted(r.methods or ()))):
        if url_rule.endpoint == "static":
            continue
        methods = ",".join(sorted((url_rule.methods or set()) - {"HEAD", "OPTIONS"}))
        declared = app.view_functions[url_rule.endpoint].access
        found.setdefault(declared.capability, []).append(f"{methods} {url_rule.rule}")
    return found


def check_declarations(app: Flask) -> None:
    """Refuse to start when a route declares no capability: a new page cannot be open by accident."""
    undeclared = sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not hasattr(view, "access")
    )
    if undeclared:
        raise RuntimeError(f"routes without an access declaration (access.allows / access.public): {undeclared}")


def init_app(app: Flask) -> None:
    check_declarations(app)
    access.validate()
    app.before_request(authorise)  # after the input checks and CSRF, which were registered first

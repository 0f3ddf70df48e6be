"""Teams of officials with a limit of running cases ("pull"): administrators keep them, the portfolio shows each
team's running cases against its limit, and an official whose team is full is warned before opening one more."""

from sqlmodel import select

from tendering.models import AuditEvent, Role, Team, User

from .conftest import form_token
from .evaluation_helpers import as_


def send(client, data: dict, action: str):
    """Post a form of the teams page as an administrator would: with the page's CSRF token."""
    return client.post(action, data={"csrf_token": form_token(client.get("/admin/teams"))} | data)


def test_an_administrator_keeps_the_teams_and_places_officials_in_them(app, session, official, make_user):
    admin = as_(app, make_user(Role.admin))
    colleague = make_user(Role.official, name="Jeroen de Vries")
    assert "No teams yet." in admin.get("/admin/teams").text
    added = send(admin, {"new-name": " Team Zorg en Welzijn ", "new-case_limit": "3"}, "/admin/teams")
    assert added.status_code == 302
    [team] = session.exec(select(Team)).all()
    assert (team.name, team.case_limit) == ("Team Zorg en Welzijn", 3)

    page = f"/admin/teams/{team.id}"
    renamed = send(admin, {f"team-{team.id}-name": "Team Zorg", f"team-{team.id}-case_limit": "4"}, page)
    assert renamed.status_code == 302
    placed = send(admin, {f"member-{official.id}-team_id": str(team.id)}, f"/admin/users/{official.id}/team")
    assert placed.status_code == 302
    session.expire_all()
    assert (session.get(Team, team.id).name, session.get(Team, team.id).case_limit) == ("Team Zorg", 4)
    assert session.get(User, official.id).team_id == team.id and session.get(User, colleague.id).team_id is None
    shown = admin.get("/admin/teams").text
    assert "At most 4 running cases." in shown
    assert f'<option selected value="{team.id}">Team Zorg</option>' in shown.split(f'id="official-{official.id}"')[1]

    left = send(admin, {f"member-{official.id}-team_id": "0"}, f"/admin/users/{official.id}/team")
    assert left.status_code == 302
    session.expire_all()
    assert session.get(User, official.id).team_id is None
    events = session.exec(select(AuditEvent).where(AuditEvent.action.like("%team%")).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == [
        "team_created",
        "team_changed",
        "official_team_changed",
        "official_team_changed",
    ]
    assert events[1].details["before"] == {"name": "Team Zorg en Welzijn", "case_limit": 3}
    assert events[2].details == {"user_id": official.id, "team_id": team.id, "previous_team_id": None}


def test_a_refused_team_is_shown_again_as_typed_and_nothing_changes(app, session, official, make_user):
    admin = as_(app, make_user(Role.admin))
    send(admin, {"new-name": "Team Zorg", "new-case_limit": "3"}, "/admin/teams")
    [team] = session.exec(select(Team)).all()
    twice = send(admin, {"new-name": "team zorg", "new-case_limit": "5"}, "/admin/teams")
    assert twice.status_code == 400 and "There is already a team with this name." in twice.text
    assert 'value="team zorg"' in twice.text and 'value="5"' in twice.text
    for limit in ("0", "1000", "drie", ""):
        refused = send(admin, {"new-name": "Team Jeugd", "new-case_limit": limit}, "/admin/teams")
        assert refused.status_code == 400 and 'value="Team Jeugd"' in refused.text, limit
    emptied = send(admin, {f"team-{team.id}-name": " ", f"team-{team.id}-case_limit": "2"}, f"/admin/teams/{team.id}")
    assert emptied.status_code == 400 and "This field is required." in emptied.text
    stranger = send(admin, {f"member-{official.id}-team_id": "999"}, f"/admin/users/{official.id}/team")
    assert stranger.status_code == 400 and "Not a valid choice" in stranger.text
    admin_user = session.exec(select(User).where(User.role == Role.admin)).one()
    not_an_official = send(
        admin, {f"member-{admin_user.id}-team_id": str(team.id)}, f"/admin/users/{admin_user.id}/team"
    )
    assert not_an_official.status_code == 404
    assert send(admin, {"team-999-name": "X", "team-999-case_limit": "2"}, "/admin/teams/999").status_code == 404
    session.expire_all()
    assert [(t.name, t.case_limit) for t in session.exec(select(Team)).all()] == [("Team Zorg", 3)]
    assert session.get(User, official.id).team_id is None


def test_only_administrators_keep_the_teams(app, session, official, make_user, realised):
    app.config["WTF_CSRF_ENABLED"] = False
    team = Team(name="Team Zorg", case_limit=3)
    session.add(team)
    session.commit()
    writes = [
        ("/admin/teams", {"new-name": "Team Jeugd", "new-case_limit": "2"}),
        (f"/admin/teams/{team.id}", {f"team-{team.id}-name": "Overgenomen", f"team-{team.id}-case_limit": "99"}),
        (f"/admin/users/{official.id}/team", {f"member-{official.id}-team_id": str(team.id)}),
    ]
    for who in (official, make_user(Role.council_member), realised.member):
        client = as_(app, who)
        assert client.get("/admin/teams").status_code == 403
        for path, data in writes:
            assert client.post(path, data=data).status_code == 403, path
    visitor = app.test_client()
    assert visitor.get("/admin/teams").status_code == 302
    assert all(visitor.post(path, data=data).status_code == 302 for path, data in writes)
    session.expire_all()
    assert [(t.name, t.case_limit) for t in session.exec(select(Team)).all()] == [("Team Zorg", 3)]
    assert session.get(User, official.id).team_id is None


def test_the_portfolio_shows_each_team_against_its_limit_and_a_full_team_is_warned(
    app, session, official, make_user, make_case
):
    colleague = make_user(Role.official, name="Jeroen de Vries")
    outsider = make_user(Role.official, name="Zonder Team")
    team = Team(name="Team Zorg", case_limit=3)
    session.add(team)
    session.flush()
    for member in (official, colleague):
        member.team_id = team.id
        session.add(member)
    session.commit()
    make_case(state="articulation")
    make_case(state="tendering", owner=colleague)
    make_case(state="cancelled", owner=colleague)  # an ended case takes no room
    owner = as_(app, official)
    assert "team-capacity-warning" not in owner.get("/cases/new").text
    row = owner.get("/portfolio").text.split('id="team-capacity"')[1].split("</table>")[0]
    assert "Team Zorg" in row and ">2<" in row and ">3<" in row and ">1<" in row  # running, limit, room

    make_case(state="evaluation", owner=colleague)
    warned = owner.get("/cases/new").text
    assert "team-capacity-warning" in warned and "Your team Team Zorg already steers 3 running cases" in warned
    assert 'id="capacity-warning"' not in warned  # the official's own room is not used up
    assert "team-capacity-warning" in as_(app, colleague).get("/cases/new").text
    assert "team-capacity-warning" not in as_(app, outsider).get("/cases/new").text
    page = owner.get("/portfolio").text
    team_row = page.split('id="team-capacity"')[1].split("</table>")[0]
    assert "<strong>full</strong>" in team_row
    officials = page.split('id="official-capacity"')[1].split("</table>")[0]
    assert "Zonder Team" in officials and "Team Zorg" in officials
    assert as_(app, make_user(Role.council_member)).get("/portfolio").status_code == 200


def test_the_teams_page_is_labelled_and_has_one_h1_also_when_refused(app, session, official, make_user):
    from .test_accessibility import PageAudit, audit

    admin = as_(app, make_user(Role.admin))
    session.add(Team(name="Team Zorg", case_limit=3))
    session.commit()
    assert audit(admin, "/admin/teams") == []
    refused = send(admin, {"new-name": "", "new-case_limit": "0"}, "/admin/teams")
    parser = PageAudit()
    parser.feed(refused.text)
    assert refused.status_code == 400 and parser.problems() == []

"""Following a published tender: who may, what it changes, and that the followers stay private."""

import pytest
from sqlmodel import select

from tendering.core.errors import DomainError
from tendering.models import AuditEvent, Role, TenderFollow
from tendering.question import following

from .conftest import form_token, login


def follow_rows(session, case):
    return session.exec(select(TenderFollow).where(TenderFollow.case_id == case.id)).all()


def test_a_logged_in_user_follows_and_unfollows_a_published_tender(client, session, sealed):
    case, outsider = sealed.case, sealed.users["outsider"]
    login(client, outsider)
    page = client.get(f"/tenders/{case.reference}")
    assert 'id="follow-button"' in page.text and 'id="follower-count"' not in page.text
    response = client.post(f"/tenders/{case.reference}/follow", data={"csrf_token": form_token(page)})
    assert response.status_code == 302
    assert [f.user_id for f in follow_rows(session, case)] == [outsider.id]
    page = client.get(f"/tenders/{case.reference}")
    assert 'id="unfollow-button"' in page.text
    client.post(f"/tenders/{case.reference}/follow", data={"csrf_token": form_token(page)})  # twice: still one
    assert len(follow_rows(session, case)) == 1
    assert following.followed_case_ids(session, outsider) == {case.id}
    assert [u.id for u in following.followers(session, case.id)] == [outsider.id]
    client.post(f"/tenders/{case.reference}/unfollow", data={"csrf_token": form_token(page)})
    assert follow_rows(session, case) == []
    session.expire_all()
    actions = session.exec(select(AuditEvent).where(AuditEvent.actor_id == outsider.id)).all()
    followed = [e for e in actions if e.action in ("tender_followed", "tender_unfollowed")]
    assert [e.action for e in followed] == ["tender_followed", "tender_unfollowed"]
    assert all(e.case_id is None and e.details == {"case_id": case.id} for e in followed)  # not on the timeline


@pytest.mark.parametrize("role", [Role.official, Role.council_member, Role.admin])
def test_every_logged_in_role_may_follow(client, session, sealed, make_user, role):
    user = make_user(role)
    login(client, user)
    page = client.get(f"/tenders/{sealed.case.reference}")
    client.post(f"/tenders/{sealed.case.reference}/follow", data={"csrf_token": form_token(page)})
    assert following.is_following(session, user, sealed.case)


def test_a_visitor_is_sent_to_log_in(client, session, sealed):
    case = sealed.case
    page = client.get(f"/tenders/{case.reference}")
    assert 'id="follow-button"' not in page.text and 'id="tender-calendar"' in page.text
    response = client.post(f"/tenders/{case.reference}/follow", data={"csrf_token": form_token(client.get("/login"))})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert follow_rows(session, case) == []


def test_without_the_form_s_token_nothing_changes(client, session, sealed):
    login(client, sealed.users["outsider"])
    response = client.post(f"/tenders/{sealed.case.reference}/follow", data={})
    assert response.status_code in (302, 400)
    assert follow_rows(session, sealed.case) == []


def test_a_tender_not_published_cannot_be_followed(client, session, make_case, make_user):
    case = make_case(state="coalition_forming")
    member = make_user(Role.coalition_member)
    login(client, member)
    token = form_token(client.get("/account/calendar"))
    assert client.post(f"/tenders/{case.reference}/follow", data={"csrf_token": token}).status_code == 404
    with pytest.raises(DomainError):
        following.follow(session, member, case)
    assert follow_rows(session, case) == []


def test_the_followers_stay_private_only_officials_see_how_many(client, session, sealed):
    case = sealed.case
    for key in ("outsider", "zilvermeeuw"):
        following.follow(session, sealed.users[key], case)
    session.commit()
    assert following.follower_count(session, case.id) == 2
    login(client, sealed.users["official"])
    page = client.get(f"/tenders/{case.reference}").text
    assert 'id="follower-count"' in page and "2" in page.split('id="follower-count"')[1][:80]
    for key in ("outsider", "zilvermeeuw"):
        assert sealed.users[key].name not in page
    client.post("/logout", data={"csrf_token": form_token(client.get(f"/tenders/{case.reference}"))})
    login(client, sealed.users["kraanvogel"])
    page = client.get(f"/tenders/{case.reference}").text
    assert 'id="follower-count"' not in page and sealed.users["outsider"].name not in page

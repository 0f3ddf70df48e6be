"""Open Contracting releases stored when their event happens, and the packages and records built from them.

A data user must be able to trust that a release, once published, stays what
it was: same id, same bytes, for ever. So a release is written at the commit
of the transaction that changed what a stage of the case shows (publication,
an amendment, the award letters, the agreement, a reported value, a payment),
in that same transaction, and never rewritten: the next change of that stage
becomes a new release (`tenderUpdate`, `awardUpdate`, ...) dated at that
moment. The record compiles them with OCDS Merge.
"""

import json
from functools import cache
from hashlib import sha256
from pathlib import Path

import ocdsmerge
from flask import current_app
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from ..core import db
from ..models import AuditEvent, Case, OcdsRelease, QuestionDocument, utcnow
from ..question.cases import was_published
from . import ocds

TOUCHED = "tendering.ocds_cases"
LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
SCHEMA = Path(__file__).parent / "schema" / "release-schema.json"


def _canonical(value) -> str:
    """The one text of a release: what is stored is what is served."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _update_tag(stage: ocds.Stage, previous: OcdsRelease | None) -> str:
    """The tag of a later release of a stage, from the release tag codelist."""
    if stage.name == "tender":
        status = stage.content["tender"]["status"]
        if status == "cancelled":
            return "tenderCancellation"
        before = json.loads(previous.body)["tender"].get("documents", []) if previous else []
        documents = stage.content["tender"]["documents"]
        return "tenderAmendment" if _versions(documents) > _versions(before) else "tenderUpdate"
    if stage.name == "contract" and stage.content["contracts"][0]["status"] == "terminated":
        return "contractTermination"
    return f"{stage.name}Update"


def _versions(documents: list[dict]) -> int:
    return sum(1 for d in documents if d["id"].startswith("question-document-"))


def record(session: Session, case: Case) -> list[OcdsRelease]:
    """Store a release for every stage of a published case whose public content changed since its last release.
    A stage's first release is dated when the stage began (never before the releases already stored), so a case
    published before releases were stored gets its history; later ones are dated now."""
    if not was_published(session, case):
        return []
    stored = stored_releases(session, case)
    latest = {release.stage: release for release in stored}
    now = utcnow()
    identifier = ocds.ocid(case)
    rows = []
    last = max((r.date for r in stored), default=None)
    for stage in ocds.stages(session, case, current_app.config["PUBLIC_URL"]):
        content = ocds._clean(stage.content)
        fingerprint = sha256(_canonical(content).encode()).hexdigest()
        previous = latest.get(stage.name)
        if previous is not None and previous.fingerprint == fingerprint:
            continue
        moment = now if previous is not None else max(stage.began, last) if last else stage.began
        last = max(moment, last) if last else moment
        tag = stage.name if previous is None else _update_tag(stage, previous)
        release_id = f"{identifier}-{stage.name}-{moment:%Y%m%dT%H%M%S}-{fingerprint[:8]}"
        body = {"ocid": identifier, "id": release_id, "date": ocds._stamp(moment), "tag": [tag], **content}
        rows.append(
            {
                "case_id": case.id,
                "release_id": release_id,
                "stage": stage.name,
                "tag": tag,
                "date": moment,
                "fingerprint": fingerprint,
                "body": _canonical(body),
            }
        )
    if rows:
        # Two transactions that record the same change in the same second make the same release: keep one.
        dialect = session.get_bind().dialect.name
        statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(OcdsRelease)
        session.execute(statement.on_conflict_do_nothing(index_elements=["release_id"]), rows)
    return stored + [OcdsRelease(**row) for row in rows] if rows else stored


def stored_releases(session: Session, case: Case) -> list[OcdsRelease]:
    """A case's releases, oldest first."""
    return list(
        session.exec(
            select(OcdsRelease).where(OcdsRelease.case_id == case.id).order_by(OcdsRelease.date, OcdsRelease.id)
        ).all()
    )


def releases_of(session: Session, case: Case) -> list[OcdsRelease]:
    """The releases of a published case; one published before releases were stored gets them now (once)."""
    return stored_releases(session, case) or record(session, case)


def all_releases(session: Session) -> list[OcdsRelease]:
    """Every stored release, case by case and oldest first."""
    return list(session.exec(select(OcdsRelease).order_by(OcdsRelease.case_id, OcdsRelease.date, OcdsRelease.id)).all())


def backfill(session: Session) -> int:
    """Give every published case that has no releases yet (published before they were stored) its history;
    `init-db` runs this after the migrations. Returns how many cases got releases."""
    missing = session.exec(
        select(Case)
        .where(Case.id.in_(select(QuestionDocument.case_id)), Case.id.not_in(select(OcdsRelease.case_id)))
        .order_by(Case.id)
    ).all()
    for case in missing:
        record(session, case)
    return len(missing)


def release(session: Session, release_id: str) -> OcdsRelease | None:
    return session.exec(select(OcdsRelease).where(OcdsRelease.release_id == release_id)).first()


def _extensions(bodies: list[dict]) -> list[str]:
    used = []
    if any("bids" in body for body in bodies):
        used.append(ocds.BIDS)
    if any(c.get("implementation", {}).get("transactions") for body in bodies for c in body.get("contracts", [])):
        used.append(ocds.RELATED_MILESTONE)
    return used


def _metadata(uri: str, bodies: list[dict]) -> dict:
    extensions = _extensions(bodies)
    return {
        "uri": uri,
        "version": ocds.VERSION,
        "publishedDate": max((b["date"] for b in bodies), default=None),
        "publisher": {"name": current_app.config["MUNICIPALITY_NAME"]},
        "license": LICENSE,
        **({"extensions": extensions} if extensions else {}),
    }


def package_uri(case: Case | None) -> str:
    base = current_app.config["PUBLIC_URL"]
    return f"{base}ocds/{case.id}.json" if case else f"{base}ocds/all.json"


def package(stored: list[OcdsRelease], case: Case | None) -> str:
    """A release package of stored releases (of one case, or of all when `case` is None), as JSON text."""
    bodies = [json.loads(r.body) for r in stored]
    return _canonical({**_metadata(package_uri(case), bodies), "releases": bodies})


@cache
def _merger() -> ocdsmerge.Merger:
    """The merge rules of the OCDS 1.1 release schema, kept with the code (no download at run time)."""
    return ocdsmerge.Merger(json.loads(SCHEMA.read_text(encoding="utf-8")))


def record_package(stored: list[OcdsRelease], case: Case) -> str:
    """The case's record: its releases, linked, and the compiled release (the latest of every field)."""
    bodies = [json.loads(r.body) for r in stored]
    uri = package_uri(case)
    record_entry = {
        "ocid": ocds.ocid(case),
        "releases": [{"url": f"{uri}#{b['id']}", "date": b["date"], "tag": b["tag"]} for b in bodies],
        "compiledRelease": _merger().create_compiled_release(bodies),
    }
    metadata = _metadata(uri.removesuffix(".json") + "/record.json", bodies)
    return _canonical({**metadata, "packages": [uri], "records": [record_entry]})


@event.listens_for(Session, "after_flush")
def _note_audited_cases(session: Session, _context) -> None:
    """Every change that matters is audited with its case: those are the cases whose releases may have changed."""
    touched = {obj.case_id for obj in session.new if isinstance(obj, AuditEvent) and obj.case_id}
    if touched:
        session.info.setdefault(TOUCHED, set()).update(touched)


@event.listens_for(Session, "after_rollback")
def _forget_cases(session: Session) -> None:
    session.info.pop(TOUCHED, None)


@db.derived_writes
def _record_touched(session: Session) -> None:
    for case_id in sorted(session.info.pop(TOUCHED, ())):
        case = session.get(Case, case_id)
        if case is not None:
            record(session, case)

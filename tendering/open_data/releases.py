"""Open Contracting releases stored when their event happens, and the packages and records built from them.

A data user must be able to trust that a release, once published, stays what
it was: same id, same bytes, for ever. So a release is written at the commit
of the transaction that changed what a stage of the case shows (publication,
an amendment, the award letters, the agreement, a reported value, a payment),
in that same transaction, and never rewritten: the next change of that stage
becomes a new release (`tenderUpdate`, `awardUpdate`, ...) dated at that
moment and numbered after the ones before. A new round of a case is a new
contracting process (its own ocid). The record compiles them with OCDS Merge.
"""

import json
from collections import Counter
from functools import cache
from hashlib import sha256
from pathlib import Path

import ocdsmerge
from flask import current_app
from sqlalchemy import event, insert
from sqlmodel import Session, select

from ..core import db, locking
from ..models import AuditEvent, Case, OcdsRelease, QuestionDocument, utcnow
from ..workflow.phases import in_phase, ocds_tender_status
from . import ocds

TOUCHED = "tendering.ocds_cases"
LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
SCHEMA = Path(__file__).parent / "schema" / "release-schema.json"


def _canonical(value) -> str:
    """The one text of a release: what is stored is what is served."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _update_tag(stage: ocds.Stage, documents_before: int) -> str:
    """The tag of a later release of a stage, from the release tag codelist."""
    if stage.name == "tender":
        if stage.content["tender"]["status"] == "cancelled":
            return "tenderCancellation"
        return "tenderAmendment" if _versions(stage.content) > documents_before else "tenderUpdate"
    if stage.name == "contract" and stage.content["contracts"][0]["status"] == "terminated":
        return "contractTermination"
    return f"{stage.name}Update"


def _versions(content: dict) -> int:
    """How many versions of the question document a tender release lists."""
    documents = content.get("tender", {}).get("documents", [])
    return sum(1 for d in documents if d["id"].startswith("question-document-"))


def record(session: Session, case: Case) -> None:
    """Store a release for every stage of the case's current round whose public content changed since its last
    release, dated now (never before the round's latest release). While a question is being rewritten for a next
    round, only the status the round ended with is public: the drafts are not."""
    if not ocds.round_published(session, case):
        return
    # Writers of one case take turns here, and read what the one before committed: each release holds every
    # change before it and is numbered after the last.
    locking.serialise(session, Case, case.id)
    session.expire_all()
    identifier = ocds.ocid(case)
    latest: dict[str, tuple[str, int]] = {}
    counts: Counter = Counter()
    newest = None
    for stage, fingerprint, moment, documents in session.exec(
        select(OcdsRelease.stage, OcdsRelease.fingerprint, OcdsRelease.date, OcdsRelease.documents)
        .where(OcdsRelease.ocid == identifier)
        .order_by(OcdsRelease.id)
    ).all():
        latest[stage], newest = (fingerprint, documents), max(moment, newest) if newest else moment
        counts[stage] += 1
    if in_phase(case, "question_editable"):
        stages = _ended(session, case, identifier)
    else:
        stages = ocds.stages(session, case, current_app.config["PUBLIC_URL"])
    moment = max(utcnow(), newest) if newest else utcnow()
    rows = []
    for stage in stages:
        content = ocds._clean(stage.content)
        fingerprint = sha256(_canonical(content).encode()).hexdigest()
        previous = latest.get(stage.name)
        if previous is not None and previous[0] == fingerprint:
            continue
        tag = stage.name if previous is None else _update_tag(stage, previous[1])
        release_id = f"{identifier}-{stage.name}-{counts[stage.name] + 1}"
        body = {"ocid": identifier, "id": release_id, "date": ocds._stamp(moment), "tag": [tag], **content}
        rows.append(
            {
                "case_id": case.id,
                "ocid": identifier,
                "release_id": release_id,
                "stage": stage.name,
                "tag": tag,
                "date": moment,
                "fingerprint": fingerprint,
                "documents": _versions(content),
                "body": _canonical(body),
            }
        )
    if rows:
        session.execute(insert(OcdsRelease), rows)


def _ended(session: Session, case: Case, identifier: str) -> list[ocds.Stage]:
    """The round's tender as last published, with the status it ended with (unsuccessful)."""
    last = session.exec(
        select(OcdsRelease.body)
        .where(OcdsRelease.ocid == identifier, OcdsRelease.stage == "tender")
        .order_by(OcdsRelease.id.desc())
    ).first()
    if last is None:
        return []
    content = {k: v for k, v in json.loads(last).items() if k not in ("ocid", "id", "date", "tag")}
    content["tender"]["status"] = ocds_tender_status(case)
    return [ocds.Stage("tender", content)]


def stored_releases(session: Session, case: Case) -> list[OcdsRelease]:
    """A case's releases, oldest first."""
    return list(
        session.exec(
            select(OcdsRelease).where(OcdsRelease.case_id == case.id).order_by(OcdsRelease.date, OcdsRelease.id)
        ).all()
    )


def releases_of(session: Session, case: Case) -> list[OcdsRelease]:
    """The releases of a published case; one published before releases were stored gets them now (once)."""
    found = stored_releases(session, case)
    if not found:
        record(session, case)
        found = stored_releases(session, case)
    return found


PAGE = 500  # releases per page of the bulk download


def all_releases(session: Session) -> list[OcdsRelease]:
    """Every stored release, in the order they were stored (for the command-line export)."""
    return list(session.exec(select(OcdsRelease).order_by(OcdsRelease.id)).all())


def page_of_all(session: Session, page: int) -> tuple[list[OcdsRelease], bool]:
    """One page of every stored release, in the order they were stored, and whether a next page exists."""
    found = session.exec(select(OcdsRelease).order_by(OcdsRelease.id).offset((page - 1) * PAGE).limit(PAGE + 1)).all()
    return list(found[:PAGE]), len(found) > PAGE


def backfill(session: Session) -> int:
    """Give every published case that has no releases yet (published before they were stored) releases of what it
    shows now, dated now (its history before cannot be told again); `init-db` runs this after the migrations.
    Returns how many cases got releases."""
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
        "publishedDate": max(b["date"] for b in bodies),
        "publisher": {"name": current_app.config["MUNICIPALITY_NAME"]},
        "license": LICENSE,
        **({"extensions": extensions} if extensions else {}),
    }


def package_uri(case: Case | None, page: int | None = None) -> str:
    base = current_app.config["PUBLIC_URL"]
    if case is not None:
        return f"{base}ocds/{case.id}.json"
    return f"{base}ocds/all.json" + (f"?page={page}" if page and page > 1 else "")


def package(stored: list[OcdsRelease], uri: str, links: dict | None = None) -> str:
    """A release package of stored releases (at least one), as JSON text; `links` to the pages before and after."""
    bodies = [json.loads(r.body) for r in stored]
    return _canonical({**_metadata(uri, bodies), **({"links": links} if links else {}), "releases": bodies})


@cache
def _merger() -> ocdsmerge.Merger:
    """The merge rules of the OCDS 1.1 release schema, kept with the code (no download at run time)."""
    return ocdsmerge.Merger(json.loads(SCHEMA.read_text(encoding="utf-8")))


def record_package(stored: list[OcdsRelease], case: Case) -> str:
    """The case's records, one per contracting process (a later round is a process of its own): its releases,
    linked, and the compiled release (the latest of every field)."""
    bodies = [json.loads(r.body) for r in stored]
    uri = package_uri(case)
    records = [
        {
            "ocid": identifier,
            "releases": [{"url": f"{uri}#{b['id']}", "date": b["date"], "tag": b["tag"]} for b in process],
            "compiledRelease": _merger().create_compiled_release(process),
        }
        for identifier in dict.fromkeys(b["ocid"] for b in bodies)
        if (process := [b for b in bodies if b["ocid"] == identifier])
    ]
    metadata = _metadata(uri.removesuffix(".json") + "/record.json", bodies)
    return _canonical({**metadata, "packages": [uri], "records": records})


@event.listens_for(Session, "after_flush")
def _note_audited_cases(session: Session, _context) -> None:
    """Every change that matters is audited with its case: those are the cases whose releases may have changed."""
    touched = {obj.case_id for obj in session.new if isinstance(obj, AuditEvent) and obj.case_id}
    if touched:
        session.info.setdefault(TOUCHED, set()).update(touched)


@event.listens_for(Session, "after_rollback")
def _forget_cases(session: Session) -> None:
    if not session.in_nested_transaction():  # the whole transaction, not a savepoint inside it
        session.info.pop(TOUCHED, None)


@db.derived_writes
def _record_touched(session: Session) -> None:
    for case_id in sorted(session.info.pop(TOUCHED, ())):
        case = session.get(Case, case_id)
        if case is not None:
            record(session, case)

"""Money follows outcomes: an agreement's payments and claims, the validation of outcome values, the totals
across every agreement, and the export for the financial administration."""

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import Capability, allows, may
from ..core import db
from ..core.errors import NotFound
from ..models import Case, ClaimStatus, User, utcnow
from ..realisation import agreement, claims, finances, payments
from ..web import tabular
from ..web.forms import ClaimForm, ClaimRejectionForm, ConfirmForm, PaidForm, SettlementForm, ValidationForm

bp = Blueprint("finances", __name__)


def _today():
    return utcnow().date()


def _concluded(session, case):
    current = agreement.concluded(session, case)
    if current is None:
        raise NotFound(_("This case has no concluded agreement."))
    return current


def _forms(lines, failed: dict):
    """A form per claim and per action, each with its own prefix; a refused one keeps what was typed."""
    forms = {}
    for line in lines:
        forms[("claim", line.term.id)] = failed.get(("claim", line.term.id)) or ClaimForm(
            prefix=f"claim-{line.term.id}"
        )
        for entry in line.claims:
            cid = entry.claim.id
            forms[("approve", cid)] = ConfirmForm(prefix=f"approve-{cid}")
            forms[("reject", cid)] = failed.get(("reject", cid)) or ClaimRejectionForm(prefix=f"reject-{cid}")
            forms[("paid", cid)] = failed.get(("paid", cid)) or PaidForm(prefix=f"paid-{cid}", paid_on=_today())
            for correction in entry.corrections:
                key = ("settle", correction.id)
                forms[key] = failed.get(key) or SettlementForm(
                    prefix=f"settle-{correction.id}", amount=entry.to_settle(correction)
                )
    return forms


def _rows(lines) -> tuple[list[str], list[list]]:
    header = [
        _("Payment"),
        _("Kind"),
        _("Date"),
        _("Amount or cap (EUR)"),
        _("Claim"),
        _("Status"),
        _("Claimed (EUR)"),
        _("Value"),
        _("Period"),
        _("Approved on"),
        _("Paid on"),
        _("Reference"),
        _("What it bought"),
    ]
    rows = []
    for line in lines:
        term = [line.term.description, str(payments.KINDS[line.term.kind]), line.term.due_on, float(line.term.amount)]
        if not line.claims:
            rows.append(term + [""] * 9)
        for entry in line.claims:
            claim = entry.claim
            rows.append(
                term
                + [
                    claim.id,
                    str(claims.STATUS_LABELS[claim.status]),
                    float(claim.amount),
                    claim.value if claim.value is not None else "",
                    claim.period or "",
                    claim.approved_at.date() if claim.approved_at else "",
                    claim.paid_on or "",
                    claim.payment_reference,
                    line.bought(entry) if claim.status in finances.APPROVED else "",
                ]
            )
    return header, rows


def _page(session, case, *, failed=None, status=200):
    current = agreement.concluded(session, case)
    if current is None:
        return render_template("finances/agreement.html", case=case, agreement=None), status
    open_claims = may("read_open_claims", case)
    may_claim = may("claim_payment", case)
    lines = finances.schedule(session, current, open_claims=open_claims, today=_today() if may_claim else None)
    kind = tabular.requested_format()
    if kind:
        header, rows = _rows(lines)
        return tabular.download(kind, f"betalingen-{case.reference}", header, rows)
    validator = session.get(User, current.validator_id) if current.validator_id else None
    return render_template(
        "finances/agreement.html",
        case=case,
        agreement=current,
        lines=lines,
        totals=finances.totals_of(lines, current.budget),
        forms=_forms(lines, failed or {}),
        validator=validator,
        open_claims=open_claims,
        may_claim=may_claim,
        may_decide=may("approve_claim", case),
        may_pay=may("record_payment", case),
        may_validate=may("validate_outcomes", case),
        kinds=payments.KINDS,
        rules=payments.PARTIAL_RULES,
        statuses=claims.STATUS_LABELS,
        partners=payments.partner_names(session, current),
        four_eyes_above=claims.four_eyes_above(),
        exports=tabular.export_links("finances.agreement", case_id=case.id),
    ), status


@bp.get("/cases/<int:case_id>/finances", endpoint="agreement")
@allows(Capability.read_finances)
def agreement_page(case: Case):
    return _page(db.session(), case)


def _back(case, anchor: str = ""):
    return redirect(url_for("finances.agreement", case_id=case.id) + anchor)


@bp.post("/cases/<int:case_id>/finances/payments/<int:term_id>/claim")
@allows(Capability.claim_payment)
def claim(case: Case, term_id: int):
    session = db.session()
    form = ClaimForm(prefix=f"claim-{term_id}")
    if not form.validate_on_submit():
        return _page(session, case, failed={("claim", term_id): form}, status=400)
    found = claims.submit(session, case, term_id, actor=current_user, evidence=form.evidence.data or "", today=_today())
    if found.status == ClaimStatus.awaiting_validation:
        flash(_("Your claim is recorded; it goes to the municipality once its value is validated."), "success")
    else:
        flash(_("Your claim is sent to the municipality."), "success")
    return _back(case, f"#payment-{term_id}")


@bp.post("/cases/<int:case_id>/finances/claims/<int:claim_id>/approval")
@allows(Capability.approve_claim)
def approve(case: Case, claim_id: int):
    session = db.session()
    form = ConfirmForm(prefix=f"approve-{claim_id}")
    if not form.validate_on_submit():
        return _page(session, case, status=400)
    found = claims.approve(session, case, claim_id, actor=current_user)
    if found.status == ClaimStatus.approved:
        flash(_("The claim is approved."), "success")
    else:
        flash(_("Your approval is recorded; a second official approves this claim too."), "success")
    return _back(case, f"#claim-{claim_id}")


@bp.post("/cases/<int:case_id>/finances/claims/<int:claim_id>/rejection")
@allows(Capability.approve_claim)
def reject(case: Case, claim_id: int):
    session = db.session()
    form = ClaimRejectionForm(prefix=f"reject-{claim_id}")
    if not form.validate_on_submit():
        return _page(session, case, failed={("reject", claim_id): form}, status=400)
    claims.reject(session, case, claim_id, actor=current_user, reason=form.reason.data)
    flash(_("The claim is rejected; the coalition is told why."), "success")
    return _back(case, f"#claim-{claim_id}")


@bp.post("/cases/<int:case_id>/finances/claims/<int:claim_id>/payment")
@allows(Capability.record_payment)
def paid(case: Case, claim_id: int):
    session = db.session()
    form = PaidForm(prefix=f"paid-{claim_id}")
    if not form.validate_on_submit():
        return _page(session, case, failed={("paid", claim_id): form}, status=400)
    claims.record_paid(
        session,
        case,
        claim_id,
        actor=current_user,
        paid_on=form.paid_on.data,
        reference=form.reference.data,
        today=_today(),
    )
    flash(_("The payment is recorded."), "success")
    return _back(case, f"#claim-{claim_id}")


@bp.post("/cases/<int:case_id>/finances/corrections/<int:correction_id>/settlement")
@allows(Capability.record_payment)
def settle(case: Case, correction_id: int):
    session = db.session()
    form = SettlementForm(prefix=f"settle-{correction_id}")
    if not form.validate_on_submit():
        return _page(session, case, failed={("settle", correction_id): form}, status=400)
    found = claims.settle(
        session, case, correction_id, actor=current_user, settlement=form.settlement.data, amount=form.amount.data
    )
    flash(_("The settlement is recorded."), "success")
    return _back(case, f"#claim-{found.claim_id}")


# Validation of outcome values ---------------------------------------------------------------------------------------


def _validation_page(session, case, *, failed=None, status=200):
    current = _concluded(session, case)
    waiting = claims.awaiting_validation(session, current)
    forms = {m.id: (failed or {}).get(m.id) or ValidationForm(prefix=f"value-{m.id}") for _c, _t, _i, m, _r in waiting}
    return render_template(
        "finances/validation.html", case=case, agreement=current, waiting=waiting, forms=forms, kinds=payments.KINDS
    ), status


@bp.get("/cases/<int:case_id>/finances/validation")
@allows(Capability.validate_outcomes)
def validation(case: Case):
    return _validation_page(db.session(), case)


@bp.post("/cases/<int:case_id>/finances/values/<int:measurement_id>/validation")
@allows(Capability.validate_outcomes)
def validate(case: Case, measurement_id: int):
    session = db.session()
    form = ValidationForm(prefix=f"value-{measurement_id}")
    if not form.validate_on_submit():
        return _validation_page(session, case, failed={measurement_id: form}, status=400)
    confirmed = form.decision.data == "confirmed"
    claims.validate(session, case, measurement_id, actor=current_user, confirmed=confirmed, note=form.note.data or "")
    flash(
        _("You confirmed the value; the claim goes to the municipality.")
        if confirmed
        else _("You did not confirm the value; the claim is rejected and the coalition is told why."),
        "success",
    )
    return redirect(url_for("finances.validation", case_id=case.id))


# Across every agreement ---------------------------------------------------------------------------------------------


@bp.get("/finances")
@allows(Capability.read_finance_portfolio)
def portfolio():
    session = db.session()
    rows = finances.portfolio(session)
    open_claims = may("read_open_claims")
    kind = tabular.requested_format()
    if kind:
        header = [_("Case"), _("Title"), _("Coalition"), _("Budget"), _("Committed")]
        header += [_("Claimed")] if open_claims else []
        header += [_("Approved"), _("Paid"), _("Paid for outcomes"), _("Still to come")]
        data = [
            [r.reference, r.title, r.coalition, float(r.totals.budget), float(r.totals.committed)]
            + ([float(r.totals.claimed)] if open_claims else [])
            + [
                float(r.totals.approved),
                float(r.totals.paid),
                float(r.totals.paid_for_outcomes),
                float(r.totals.to_come),
            ]
            for r in rows
        ]
        return tabular.download(kind, "betalingen", header, data)
    return render_template(
        "finances/portfolio.html",
        rows=rows,
        totals=finances.portfolio_totals(rows),
        open_claims=open_claims,
        exports=tabular.export_links("finances.portfolio"),
        may_export=may("record_payment"),
    )


@bp.get("/finances/approved-claims.csv")
@allows(Capability.record_payment)
def approved_claims():
    data = tabular.to_csv(finances.FINANCE_HEADER, finances.approved_for_payment(db.session()))
    return Response(
        data,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="goedgekeurde-declaraties.csv"'},
    )

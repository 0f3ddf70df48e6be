"""The Maatschappelijke Agenda: its ambitions and city indicators, the databook (web, print, PDF, CSV, XLSX) that the
council steers by, and the officials' pages to keep it."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..access import Capability, allows, may, public
from ..agenda import agendas, city_indicators, contributions, databook, portfolio
from ..core import db
from ..core.errors import NotFound
from ..models import Direction, utcnow
from ..open_data import agenda as open_agenda
from ..question.question_document import to_pdf
from ..realisation import agreement, measurements, monitoring
from ..web import charts, tabular
from ..web.forms import (
    AgendaForm,
    AmbitionForm,
    CaseAmbitionsForm,
    CityImportForm,
    CityIndicatorForm,
    CityLinkForm,
    CityValueForm,
    NewAgendaForm,
    NormForm,
    PortfolioReviewForm,
)
from ..web.numbers import whole
from ..workflow.labels import STATE_LABELS
from ..workflow.phases import in_phase
from . import imports

bp = Blueprint("agenda", __name__)


def _today():
    return utcnow().date()


def _confidential() -> bool:
    return may("read_confidential_indicators")


def _indicator_form(prefix: str = "indicator", **kwargs) -> CityIndicatorForm:
    form = CityIndicatorForm(prefix=prefix, **kwargs)
    form.direction.choices = [SelectChoice(d.value, str(label)) for d, label in agreement.DIRECTIONS.items()]
    form.frequency.choices = [SelectChoice(k, str(label)) for k, label in agreement.FREQUENCIES.items()]
    return form


def _visible(indicator) -> None:
    """A confidential city indicator is not found by who may not see it."""
    if indicator.confidential and not _confidential():
        raise NotFound(_("This indicator does not exist."))


# Reading: public, confidential indicators for officials and the council ------------------------------------------


@bp.get("/agenda")
@public
def index():
    current = agendas.current(db.session(), _today())
    if current is None:
        return render_template("agenda/none.html")
    return redirect(url_for(".show", agenda_id=current.id))


@bp.get("/agenda/<int:agenda_id>")
@public
def show(agenda_id: int):
    session = db.session()
    found = agendas.get(session, agenda_id)
    parts = databook.build(session, found, confidential=_confidential(), today=_today(), with_charts=False)
    return render_template(
        "agenda/show.html",
        agenda=found,
        parts=parts,
        others=[a for a in agendas.agendas(session) if a.id != found.id],
        labels=monitoring.STATUS_LABELS,
        open_tables=list(open_agenda.TABLES),
    )


# Open data: what the public databook shows, for machines --------------------------------------------------------


def _open_json(text: str) -> Response:
    return Response(text, mimetype="application/json")


@bp.get("/open-data/agendas.json")
@public
def open_json():
    found = open_agenda.gather(db.session(), _today())
    return _open_json(open_agenda.as_json(open_agenda.document(found)))


@bp.get("/open-data/agendas.schema.json")
@public
def open_schema():
    return _open_json(open_agenda.schema())


@bp.get("/open-data/datapackage.json")
@public
def open_package():
    return _open_json(open_agenda.as_json(open_agenda.datapackage()))


@bp.get("/open-data/<table>.csv")
@public
def open_csv(table: str):
    if table not in open_agenda.TABLES:
        raise NotFound(_("There is no such table."))
    data = open_agenda.to_csv(open_agenda.gather(db.session(), _today()), table)
    return Response(data, mimetype="text/csv", headers={"Content-Disposition": f'inline; filename="{table}.csv"'})


@bp.get("/agenda/<int:agenda_id>/databook")
@bp.get("/agenda/<int:agenda_id>/databook.pdf", endpoint="databook_pdf")
@public
def databook_page(agenda_id: int):
    session, today, confidential = db.session(), _today(), _confidential()
    found = agendas.get(session, agenda_id)
    kind = tabular.requested_format()
    parts = databook.build(session, found, confidential=confidential, today=today, with_charts=kind is None)
    if kind:
        return tabular.download(kind, f"databoek-{found.id}", *databook.table(parts, confidential=confidential))
    pdf = request.path.endswith(".pdf")
    html = render_template(
        "agenda/databook.html",
        agenda=found,
        parts=parts,
        labels=monitoring.STATUS_LABELS,
        directions=agreement.DIRECTIONS,
        today=today,
        pdf=pdf,
        exports=tabular.export_links("agenda.databook_page", agenda_id=found.id),
    )
    if pdf:
        return Response(
            to_pdf(html),
            mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="databoek-{found.id}.pdf"'},
        )
    return html


@bp.get("/agenda/ambitions/<int:ambition_id>")
@public
def ambition(ambition_id: int):
    session, today = db.session(), _today()
    found = agendas.ambition(session, ambition_id)
    owner = agendas.get(session, found.agenda_id)
    [part] = databook.build(session, owner, confidential=_confidential(), today=today, ambition_id=found.id)
    return render_template(
        "agenda/ambition.html",
        agenda=owner,
        part=part,
        labels=monitoring.STATUS_LABELS,
        directions=agreement.DIRECTIONS,
        today=today,
    )


@bp.get("/agenda/indicators/<int:indicator_id>")
@public
def indicator(indicator_id: int):
    session, today = db.session(), _today()
    found = city_indicators.get(session, indicator_id)
    _visible(found)
    owner = agendas.ambition(session, found.ambition_id)
    values = city_indicators.values_of(session, [found.id])[found.id]
    in_force = [(p, m.value) for p, m in sorted(values.items())]
    return render_template(
        "agenda/indicator.html",
        indicator=found,
        ambition=owner,
        agenda=agendas.get(session, owner.agenda_id),
        history=city_indicators.history(session, found),
        norms=city_indicators.norms_of(session, [found.id])[found.id],
        chart=charts.trend(found, in_force),
        planned_now=monitoring.planned(found, today),
        status=monitoring.Status(found.assessed_status),
        contributing=databook.contributing_to(session, found, confidential=_confidential(), today=today),
        labels=monitoring.STATUS_LABELS,
        directions=agreement.DIRECTIONS,
        frequencies=agreement.FREQUENCIES,
        today=today,
    )


# Keeping the agenda: officials --------------------------------------------------------------------------------------


@bp.route("/agenda/new", methods=["GET", "POST"])
@allows(Capability.manage_agenda)
def new():
    form = NewAgendaForm()
    if form.validate_on_submit():
        created = agendas.create(
            db.session(), actor=current_user, fields=_agenda_fields(form), carry_over=form.carry_over.data
        )
        flash(_("The agenda is created."), "success")
        return redirect(url_for(".manage", agenda_id=created.id))
    return render_template("agenda/new.html", form=form), 400 if form.errors else 200


def _agenda_fields(form) -> agendas.AgendaFields:
    return agendas.AgendaFields(
        title=form.title.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        council_decision=form.council_decision.data or "",
        decided_on=form.decided_on.data,
    )


def _kept_as_it_was(agenda):
    """An agenda that a newer one followed is read, not managed: its page says why."""
    newer = agendas.followed_by(db.session(), agenda)
    if newer is None:
        return None
    flash(agendas.locked_message(newer), "info")
    return redirect(url_for(".show", agenda_id=agenda.id))


def _manage_page(agenda_id: int, *, failed=None, errors=None, status=200):
    session = db.session()
    found = agendas.get(session, agenda_id)
    if locked := _kept_as_it_was(found):
        return locked
    ambitions = agendas.ambitions_of(session, found)
    failed = failed or {}
    return render_template(
        "agenda/manage.html",
        agenda=found,
        ambitions=ambitions,
        indicators=city_indicators.of_ambitions(session, [a.id for a in ambitions]),
        agenda_form=failed.get("agenda") or AgendaForm(obj=found, prefix="agenda"),
        ambition_form=failed.get("ambition") or AmbitionForm(prefix="ambition"),
        ambition_forms={
            a.id: failed.get(("ambition", a.id)) or AmbitionForm(obj=a, prefix=f"ambition-{a.id}") for a in ambitions
        },
        indicator_forms={
            a.id: failed.get(("indicator", a.id)) or _indicator_form(f"indicator-{a.id}") for a in ambitions
        },
        import_form=failed.get("import") or CityImportForm(prefix="import"),
        import_errors=errors,
        labels=monitoring.STATUS_LABELS,
        status_of=lambda city: monitoring.Status(city.assessed_status),
    ), status


@bp.get("/agenda/<int:agenda_id>/manage")
@allows(Capability.manage_agenda)
def manage(agenda_id: int):
    return _manage_page(agenda_id)


@bp.post("/agenda/<int:agenda_id>/edit")
@allows(Capability.manage_agenda)
def edit(agenda_id: int):
    form = AgendaForm(prefix="agenda")
    if not form.validate_on_submit():
        return _manage_page(agenda_id, failed={"agenda": form}, status=400)
    agendas.update(db.session(), agendas.get(db.session(), agenda_id), actor=current_user, fields=_agenda_fields(form))
    flash(_("The agenda is saved."), "success")
    return redirect(url_for(".manage", agenda_id=agenda_id))


@bp.post("/agenda/<int:agenda_id>/ambitions")
@allows(Capability.manage_agenda)
def add_ambition(agenda_id: int):
    form = AmbitionForm(prefix="ambition")
    if not form.validate_on_submit():
        return _manage_page(agenda_id, failed={"ambition": form}, status=400)
    session = db.session()
    found = agendas.add_ambition(
        session,
        agendas.get(session, agenda_id),
        actor=current_user,
        fields=agendas.AmbitionFields(form.title.data, form.description.data or ""),
    )
    flash(_("The ambition is added."), "success")
    return redirect(url_for(".manage", agenda_id=agenda_id, _anchor=f"ambition-{found.id}"))


@bp.post("/agenda/ambitions/<int:ambition_id>/edit")
@allows(Capability.manage_agenda)
def edit_ambition(ambition_id: int):
    session = db.session()
    found = agendas.ambition(session, ambition_id)
    form = AmbitionForm(prefix=f"ambition-{ambition_id}")
    if not form.validate_on_submit():
        return _manage_page(found.agenda_id, failed={("ambition", found.id): form}, status=400)
    agendas.update_ambition(
        session, found, actor=current_user, fields=agendas.AmbitionFields(form.title.data, form.description.data or "")
    )
    flash(_("The ambition is saved."), "success")
    return redirect(url_for(".manage", agenda_id=found.agenda_id, _anchor=f"ambition-{found.id}"))


def _indicator_fields(form) -> city_indicators.CityIndicatorFields:
    return city_indicators.CityIndicatorFields(
        name=form.name.data,
        definition=form.definition.data,
        unit=form.unit.data or "",
        direction=Direction(form.direction.data),
        data_source=form.data_source.data,
        measured_by=form.measured_by.data,
        frequency=form.frequency.data,
        baseline_value=float(form.baseline_value.data),
        baseline_date=form.baseline_date.data,
        target_value=float(form.target_value.data),
        target_date=form.target_date.data,
        confidential=form.confidential.data,
    )


@bp.post("/agenda/ambitions/<int:ambition_id>/indicators")
@allows(Capability.manage_agenda)
def add_indicator(ambition_id: int):
    session = db.session()
    found = agendas.ambition(session, ambition_id)
    form = _indicator_form(f"indicator-{found.id}")
    if not form.validate_on_submit():
        return _manage_page(found.agenda_id, failed={("indicator", found.id): form}, status=400)
    created = city_indicators.add(session, found, actor=current_user, fields=_indicator_fields(form))
    flash(_("The indicator is added."), "success")
    return redirect(url_for(".manage_indicator", indicator_id=created.id))


def _indicator_page(indicator_id: int, *, failed=None, status=200):
    session = db.session()
    found = city_indicators.get(session, indicator_id)
    owner = agendas.ambition(session, found.ambition_id)
    if locked := _kept_as_it_was(agendas.get(session, owner.agenda_id)):
        return locked
    failed = failed or {}
    return render_template(
        "agenda/manage_indicator.html",
        indicator=found,
        ambition=owner,
        agenda=agendas.get(session, owner.agenda_id),
        form=failed.get("indicator") or _indicator_form(obj=found),
        norm_form=failed.get("norms")
        or NormForm(prefix="norms", norm_at_risk=found.norm_at_risk, norm_off_track=found.norm_off_track),
        value_form=failed.get("value") or CityValueForm(prefix="value"),
        history=city_indicators.history(session, found),
        norms=city_indicators.norms_of(session, [found.id])[found.id],
        labels=monitoring.STATUS_LABELS,
    ), status


@bp.get("/agenda/indicators/<int:indicator_id>/manage")
@allows(Capability.manage_agenda)
def manage_indicator(indicator_id: int):
    return _indicator_page(indicator_id)


@bp.post("/agenda/indicators/<int:indicator_id>/edit")
@allows(Capability.manage_agenda)
def edit_indicator(indicator_id: int):
    form = _indicator_form()
    if not form.validate_on_submit():
        return _indicator_page(indicator_id, failed={"indicator": form}, status=400)
    session = db.session()
    city_indicators.change(
        session, city_indicators.get(session, indicator_id), actor=current_user, fields=_indicator_fields(form)
    )
    flash(_("The indicator is saved."), "success")
    return redirect(url_for(".manage_indicator", indicator_id=indicator_id))


@bp.post("/agenda/indicators/<int:indicator_id>/norms")
@allows(Capability.manage_agenda)
def agree_norms(indicator_id: int):
    form = NormForm(prefix="norms")
    if not form.validate_on_submit():
        return _indicator_page(indicator_id, failed={"norms": form}, status=400)
    session = db.session()
    city_indicators.agree_norms(
        session,
        city_indicators.get(session, indicator_id),
        actor=current_user,
        at_risk=_number(form.norm_at_risk.data),
        off_track=_number(form.norm_off_track.data),
        agreed_on=form.agreed_on.data,
        partners=form.partners.data,
        note=form.note.data or "",
        today=_today(),
    )
    flash(_("The norms are recorded."), "success")
    return redirect(url_for(".manage_indicator", indicator_id=indicator_id, _anchor="norms"))


def _number(value):
    return None if value is None else float(value)


@bp.post("/agenda/indicators/<int:indicator_id>/values")
@allows(Capability.manage_agenda)
def report_value(indicator_id: int):
    form = CityValueForm(prefix="value")
    if not form.validate_on_submit():
        return _indicator_page(indicator_id, failed={"value": form}, status=400)
    session = db.session()
    value = city_indicators.CityValue(
        city_indicators.get(session, indicator_id),
        form.period.data,
        float(form.value.data),
        form.source.data or "",
        form.note.data or "",
        form.correction_reason.data or "",
    )
    try:
        city_indicators.report(session, value, actor=current_user, today=_today())
    except measurements.ChangedMeanwhile as lost:
        db.discard_request_work()
        flash(lost.message, "error")
        return _indicator_page(indicator_id, failed={"value": form}, status=409)
    flash(_("The value is recorded."), "success")
    return redirect(url_for(".manage_indicator", indicator_id=indicator_id, _anchor="history"))


@bp.post("/agenda/<int:agenda_id>/import")
@allows(Capability.manage_agenda)
def import_values(agenda_id: int):
    form = CityImportForm(prefix="import")
    if not form.validate_on_submit():
        return _manage_page(agenda_id, failed={"import": form}, status=400)
    session = db.session()
    indicators = databook.indicators_of_agenda(session, agendas.get(session, agenda_id))
    upload = form.file.data
    return imports.answer(
        lambda: city_indicators.import_file(
            session, indicators, actor=current_user, filename=upload.filename or "", data=upload.read(), today=_today()
        ),
        refused=lambda errors: _manage_page(agenda_id, errors=errors, status=400),
        lost=lambda: _manage_page(agenda_id, failed={"import": form}, status=409),
        done=url_for(".manage", agenda_id=agenda_id),
    )


@bp.get("/agenda/<int:agenda_id>/template.csv")
@allows(Capability.manage_agenda)
def template(agenda_id: int):
    session = db.session()
    indicators = databook.indicators_of_agenda(session, agendas.get(session, agenda_id))
    rows = [[i.id, i.name, "", "", "", "", ""] for i in indicators]
    return Response(
        tabular.to_csv(measurements.COLUMNS, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="waarden-agenda-{agenda_id}.csv"'},
    )


# The cases that contribute -------------------------------------------------------------------------------------------


def _ambitions_page(case, *, form=None, status=200):
    session = db.session()
    current = agendas.current(session, _today())
    linked = contributions.ambitions_of_cases(session, [case.id])[case.id]
    if form is None:
        form = CaseAmbitionsForm(ambitions=[a.id for a in linked])
    _ambition_choices(form, case)
    indicators = contributions.case_indicators(session, case)
    link_forms = _link_forms(session, case, indicators)
    return render_template(
        "agenda/case_ambitions.html",
        case=case,
        agenda=current,
        form=form,
        indicators=indicators,
        link_forms=link_forms,
        linked=linked,
    ), status


def _link_forms(session, case, indicators) -> dict:
    """A form per agreed indicator to say which city indicator of the case's ambitions it contributes to."""
    cities = contributions.city_indicators_for(session, case)
    forms = {}
    for item in indicators:
        link = CityLinkForm(prefix=f"link-{item.id}", city_indicator_id=item.city_indicator_id or 0)
        link.city_indicator_id.choices = [SelectChoice(0, _("— none —"))] + [
            SelectChoice(c.id, f"{c.name} ({a.title})") for c, a in cities
        ]
        forms[item.id] = link
    return forms


@bp.get("/cases/<int:case_id>/ambitions")
@allows(Capability.read_cases)
def case_ambitions(case):
    return _ambitions_page(case)


@bp.post("/cases/<int:case_id>/ambitions")
@allows(Capability.link_ambitions)
def link_case(case):
    form = CaseAmbitionsForm()
    _ambition_choices(form, case)
    if not form.validate_on_submit():
        return _ambitions_page(case, form=form, status=400)
    changed = contributions.set_ambitions(
        db.session(), case, actor=current_user, ambition_ids=form.ambitions.data or [], reason=form.reason.data or ""
    )
    flash(_("The ambitions of the case are saved.") if changed else _("Nothing changed."), "success")
    return redirect(url_for(".case_ambitions", case_id=case.id))


def _ambition_choices(form, case) -> None:
    """The ambitions the case may be linked to, each with its agenda: the page's choices and what a post is
    checked against."""
    session = db.session()
    options = contributions.linkable(session, case, agendas.current(session, _today()))
    form.ambitions.choices = [SelectChoice(a.id, f"{a.title} ({title})") for a, title in options]


@bp.post("/cases/<int:case_id>/ambitions/indicators/<int:indicator_id>")
@allows(Capability.link_ambitions)
def link_indicator(case, indicator_id: int):
    form = CityLinkForm(prefix=f"link-{indicator_id}")
    session = db.session()
    form.city_indicator_id.choices = [SelectChoice(0, "")] + [
        SelectChoice(c.id, c.name) for c, _a in contributions.city_indicators_for(session, case)
    ]
    if not form.validate_on_submit():
        return _ambitions_page(case, status=400)
    contributions.link_indicator(
        session, case, indicator_id, actor=current_user, city_indicator_id=form.city_indicator_id.data or None
    )
    flash(_("The link is saved."), "success")
    return redirect(url_for(".case_ambitions", case_id=case.id, _anchor=f"indicator-{indicator_id}"))


# The portfolio of commissions ---------------------------------------------------------------------------------------


@bp.get("/portfolio")
@allows(Capability.read_portfolio)
def portfolio_page():
    session, today = db.session(), _today()
    filters = portfolio.parse_filters(request.args, set(STATE_LABELS))
    found = portfolio.rows(session, filters, today=today, now=utcnow())
    kind = tabular.requested_format()
    if kind:
        return tabular.download(kind, "portefeuille", *portfolio.table(found))
    current = agendas.current(session, today)
    shown, page, pages = portfolio.page_of(found, filters)
    return render_template(
        "agenda/portfolio.html",
        rows=shown,
        total=len(found),
        page=page,
        pages=pages,
        filters=filters,
        states=STATE_LABELS,
        ambitions=agendas.ambitions_of(session, current) if current else [],
        loads=portfolio.capacity(session),
        team_loads=portfolio.team_capacity(session),
        limit=portfolio.limit(),
        labels=monitoring.STATUS_LABELS,
        exports=tabular.export_links("agenda.portfolio_page", **filters.args(page=1)),
        sorts=portfolio.SORTS,
        decisions=portfolio.DECISIONS,
    )


def _reviews_page(form=None, *, typed=None, refused=None, status=200):
    """The reviews and the form to record one; after a refusal, with what was typed and why it was refused."""
    session = db.session()
    running = portfolio.rows(session, portfolio.Filters(sort="reference"), today=_today(), now=utcnow())
    return render_template(
        "agenda/reviews.html",
        form=form or PortfolioReviewForm(held_on=_today()),
        reviews=portfolio.reviews(session),
        rows=[r for r in running if in_phase(r.case, "running")],
        decisions=portfolio.DECISIONS,
        typed=typed or {},
        problems=refused.problems if refused else [],
        per_case=refused.per_case if refused else {},
    ), status


@bp.get("/portfolio/reviews")
@allows(Capability.read_portfolio)
def reviews():
    return _reviews_page()


def _typed_decisions() -> dict[int, tuple[str, str]]:
    """The decision and reason per case as posted (`decision-<id>`, `reason-<id>`); other names are ignored."""
    return {
        number: (value, request.form.get(f"reason-{number}", ""))
        for key, value in request.form.items()
        if key.startswith("decision-") and (number := whole(key.removeprefix("decision-"))) is not None
    }


@bp.post("/portfolio/reviews")
@allows(Capability.review_portfolio)
def record_review():
    form, typed = PortfolioReviewForm(), _typed_decisions()
    if not form.validate_on_submit():
        return _reviews_page(form, typed=typed, status=400)
    try:
        portfolio.review(
            db.session(),
            actor=current_user,
            held_on=form.held_on.data,
            participants=form.participants.data,
            summary=form.summary.data or "",
            decisions=typed,
            today=_today(),
        )
    except portfolio.ReviewRefused as refused:
        db.discard_request_work()
        return _reviews_page(form, typed=typed, refused=refused, status=400)
    flash(_("The portfolio review is recorded."), "success")
    return redirect(url_for(".reviews"))

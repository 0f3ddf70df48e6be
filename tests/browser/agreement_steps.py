"""Steps on the agreement page shared by the browser journeys."""

from playwright.sync_api import expect


def add_indicator(page, *, name, definition, unit, direction, source, baseline, target, measured_by):
    """Open "Add an indicator" and fill its form (and only its form: the page holds the payment form too)."""
    page.get_by_text("Add an indicator").click()
    form = page.locator("form", has=page.get_by_role("button", name="Add the indicator"))
    form.get_by_label("Indicator", exact=True).fill(name)
    form.get_by_label("Definition").fill(definition)
    form.get_by_label("Unit").fill(unit)
    form.get_by_label("Direction").select_option(label=direction)
    form.get_by_label("Data source").fill(source)
    form.get_by_label("Baseline value").fill(baseline)
    form.get_by_label("Baseline date").fill("2026-06-01")
    form.get_by_label("Target value").fill(target)
    form.get_by_label("Target date").fill("2029-12-31")
    form.get_by_label("Measured", exact=True).select_option(label="Yearly")
    form.get_by_label("Measured by").fill(measured_by)
    form.get_by_role("button", name="Add the indicator").click()
    expect(page.get_by_text("The indicator is added.")).to_be_visible()

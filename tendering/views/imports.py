"""An all-or-nothing file of values, as the coalitions' and the municipality's imports answer it."""

from collections.abc import Callable

from flask import flash, redirect
from flask_babel import gettext as _

from ..core import db
from ..realisation import measurements


def answer(run: Callable[[], int], *, refused: Callable, lost: Callable, done: str):
    """Run the import; a refused file shows every problem on `refused(errors)` (400), a race lost to another writer
    `lost()` (409), and a stored one goes to `done` with the count. A refused run keeps nothing."""
    try:
        count = run()
    except measurements.ImportRefused as problems:
        db.discard_request_work()
        flash(str(problems), "error")
        return refused(problems.errors)
    except measurements.ChangedMeanwhile as race:
        db.discard_request_work()
        flash(race.message, "error")
        return lost()
    flash(_("%(count)d value(s) imported.", count=count), "success")
    return redirect(done)

"""The data behind a view as CSV or XLSX, the same header and rows for both.

`FORMATS` is the one registry of tabular exports: views accept `?format=` for any of them (`requested_format`),
`download` writes any of them, and the template macro `export_links` links to all of them. A new format is one
entry here.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from flask import Response, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.characters import xml_safe

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# A formula can also start after a separator: Dutch Excel splits on `;`, English on `,`, either may on a tab or a line break.
_FORMULA_AFTER_SEPARATOR = re.compile(r"[,;\t\r\n]\s*[=+\-@]")


def neutralise(value):
    """Text that a spreadsheet could run as a formula gets a leading `'`, so an export cannot carry one (CSV injection).

    Not only a cell that starts like a formula: also one where a formula starts after a `,` `;` tab or line break,
    which a spreadsheet reading the file with another list separator (or ignoring the quotes) would see as a new cell.
    """
    if isinstance(value, str) and (value.startswith(FORMULA_START) or _FORMULA_AFTER_SEPARATOR.search(value)):
        return "'" + value
    return value


def plain(row: Iterable) -> list:
    """Dates as ISO text and missing values as empty cells, as every export of the app writes them."""
    return ["" if v is None else v.isoformat() if isinstance(v, date) else v for v in row]


def yes_no(flag: bool) -> str:
    return _("yes") if flag else _("no")


def csv_cell(value):
    """A cell as every CSV export writes it: without characters a spreadsheet's XML cannot take, and neutralised."""
    return neutralise(xml_safe(value))


def csv_writer(out: io.StringIO):
    """The one CSV dialect of the app: every text quoted, so no separator inside it starts a new cell; numbers bare."""
    return csv.writer(out, quoting=csv.QUOTE_NONNUMERIC)


def to_csv(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow([csv_cell(v) for v in header])
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def _xlsx_cell(value):
    """A typed XLSX cell is never split on separators, but openpyxl stores text starting with `=` as a formula."""
    value = xml_safe(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence], title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(title))
    sheet.append([_xlsx_cell(v) for v in header])
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    """Excel's rules for a sheet name: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "-", xml_safe(title))[:31] or "Sheet"


@dataclass(frozen=True)
class Format:
    label: object  # a lazy string: the link's text
    mimetype: str
    write: Callable[[Sequence[str], list[Sequence], str], bytes]  # (header, rows, title) -> the file


FORMATS: dict[str, Format] = {
    "csv": Format(_l("CSV"), "text/csv", lambda header, rows, _title: to_csv(header, rows)),
    "xlsx": Format(_l("XLSX"), XLSX, to_xlsx),
}


def requested_format() -> str | None:
    """The export format asked for with `?format=`, or None when the page itself is asked for."""
    kind = request.args.get("format")
    return kind if kind in FORMATS else None


def export_links(endpoint: str, **values) -> list[tuple[object, str]]:
    """(label, URL) of every export of a page, for `templates/monitor/_exports.html`."""
    return [(found.label, url_for(endpoint, format=kind, **values)) for kind, found in FORMATS.items()]


def download(kind: str, name: str, header: Sequence[str], rows: list[Sequence]) -> Response:
    """An attachment named `name` in the format `kind` (a key of FORMATS) with the given data."""
    found = FORMATS[kind]
    return Response(
        found.write(header, rows, name),
        mimetype=found.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'},
    )

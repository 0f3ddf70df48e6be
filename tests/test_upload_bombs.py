"""Uploads built to take a worker down: archives that unpack to gigabytes, sheets of a
million rows or sixteen thousand columns, cells longer than the CSV reader allows.
Each is refused with a clear message, after reading only a bounded part of it."""

import io
import struct
import tracemalloc
import zipfile
import zlib

import pytest
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from sqlmodel import select

from tendering.core.errors import DomainError
from tendering.models import Measurement, ProposalAttachment
from tendering.parties import attachments
from tendering.realisation import measurements

from .evaluation_helpers import as_
from .proposal_helpers import upload
from .test_reporting import periods_of
from .test_reporting import upload as import_file

MIB = 1 << 20
BOMB_REFUSED = "as a zip bomb does"
BOUNDED = 32 * MIB  # what reading an upload may cost at most, well below the gigabyte the attacker asks for


# --- building archives by hand, so an archive of a gigabyte costs a megabyte and a fraction of a second ---


def deflated(data: bytes):
    """A member's raw deflate stream, CRC and size."""
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(), zlib.crc32(data), len(data)


def repeated(prefix: bytes, unit: bytes, times: int, suffix: bytes = b""):
    """`prefix + unit * times + suffix`, deflated without ever holding it: after a full flush the
    compressor starts afresh, so the unit's compressed form can simply be repeated."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = packer.compress(prefix) + packer.flush(zlib.Z_FULL_FLUSH)
    unit_packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = unit_packer.compress(unit) + unit_packer.flush(zlib.Z_FULL_FLUSH)
    tail_packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    tail = tail_packer.compress(suffix) + tail_packer.flush()
    crc = zlib.crc32(prefix)
    for _ in range(times):
        crc = zlib.crc32(unit, crc)
    return head + piece * times + tail, zlib.crc32(suffix, crc), len(prefix) + len(unit) * times + len(suffix)


def archive(members, *, declared_sizes=None) -> bytes:
    """A zip of (name, (deflated, crc, size)) members; `declared_sizes` lets the directory lie."""
    out, directory = io.BytesIO(), []
    for name, (data, crc, size) in members:
        encoded, offset = name.encode(), out.tell()
        declared = (declared_sizes or {}).get(name, size)
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), declared, len(encoded), 0))
        out.write(encoded + data)
        directory.append(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(data),
                declared,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start, central = out.tell(), b"".join(directory)
    out.write(
        central + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), start, 0)
    )
    return out.getvalue()


def workbook_members(**replace: tuple) -> list:
    """The members of a real one-sheet workbook, some replaced."""
    workbook = Workbook()
    workbook.active.append(["indicator", "period", "value"])
    out = io.BytesIO()
    workbook.save(out)
    with zipfile.ZipFile(out) as original:
        members = [(name, replace.pop(name, None) or deflated(original.read(name))) for name in original.namelist()]
    return members + list(replace.items())


SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def sheet(rows: bytes, dimension: str = "A1:C1") -> tuple:
    header = (
        b'<row r="1">'
        + b"".join(
            f'<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>'.encode()
            for col, name in zip("ABC", ("indicator", "period", "value"), strict=True)
        )
        + b"</row>"
    )
    return deflated(
        SHEET_HEAD + f'<dimension ref="{dimension}"/><sheetData>'.encode() + header + rows + b"</sheetData></worksheet>"
    )


def peak_while(action):
    """What `action` allocated at its peak, and what it raised."""
    tracemalloc.start()
    try:
        action()
    except DomainError as error:
        raised = error
    else:
        raised = None
    finally:
        _size, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak, raised


@pytest.fixture(scope="module")
def odt_bomb() -> bytes:
    """About 1 MB that unpacks to 1 GiB: the issue's ODT."""
    return archive(
        [("mimetype", repeated(b"", b"\0" * MIB, 1024)), ("content.xml", deflated(b"<office:document-content/>"))]
    )


# --- attachments ---------------------------------------------------------------------------------


def test_an_odt_whose_mimetype_unpacks_to_a_gibibyte_is_refused_without_unpacking_it(
    drafting, session, odt_bomb, tmp_path
):
    case, coalition, users, clients = drafting
    assert len(odt_bomb) < 2 * MIB
    response = upload(clients["lead"], coalition, "plan.odt", odt_bomb)
    assert BOMB_REFUSED in response.text and "plan.odt" in response.text
    assert session.exec(select(ProposalAttachment)).all() == []

    directory = tmp_path / "direct"
    peak, refused = peak_while(lambda: attachments.store(str(directory), "plan.odt", odt_bomb, already_stored=0))
    assert refused is not None and BOMB_REFUSED in refused.message
    assert peak < BOUNDED, f"reading the upload cost {peak / MIB:.0f} MiB"
    assert not directory.exists()


def test_a_docx_packed_a_thousand_to_one_is_refused(drafting, session):
    case, coalition, users, clients = drafting
    bomb = archive(
        [
            ("[Content_Types].xml", deflated(b"<Types/>")),
            ("word/document.xml", repeated(b"<w:document>", b" " * MIB, 100, b"</w:document>")),
        ]
    )
    response = upload(clients["lead"], coalition, "plan.docx", bomb)  # 100 MiB is within the size limits, not the ratio
    assert BOMB_REFUSED in response.text and "is packed more than 200 to 1" in response.text
    assert session.exec(select(ProposalAttachment)).all() == []


def test_an_archive_of_sixty_thousand_parts_is_refused_before_its_directory_is_read(tmp_path):
    empty = deflated(b"")
    parts = [("[Content_Types].xml", empty), ("word/document.xml", empty)] + [(f"p/{i}", empty) for i in range(60_000)]
    data = archive(parts)
    peak, refused = peak_while(lambda: attachments.store(str(tmp_path), "plan.docx", data, already_stored=0))
    assert refused is not None and "parts" in refused.message
    assert peak < BOUNDED, f"reading the upload cost {peak / MIB:.0f} MiB"


def test_a_directory_that_understates_a_member_is_read_no_further_than_it_claims(tmp_path):
    """The other lie: the directory says 39 bytes for a member that inflates to a gigabyte."""
    mimetype = b"application/vnd.oasis.opendocument.text"
    data = archive([("mimetype", repeated(b"", b"\0" * MIB, 1024))], declared_sizes={"mimetype": len(mimetype)})
    peak, refused = peak_while(lambda: attachments.store(str(tmp_path), "plan.odt", data, already_stored=0))
    assert refused is not None
    assert peak < BOUNDED, f"reading the upload cost {peak / MIB:.0f} MiB"


def test_real_documents_are_still_recognised(tmp_path):
    odt = io.BytesIO()
    with zipfile.ZipFile(odt, "w") as document:
        document.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        document.writestr(
            "content.xml",
            "<office:document-content/>" + "<text:p>Tekst</text:p>" * 20_000,
            compress_type=zipfile.ZIP_DEFLATED,
        )
    workbook, xlsx = Workbook(), io.BytesIO()
    for row in range(2000):
        workbook.active.append([row, "2027-01-01", row * 1.5])
    workbook.save(xlsx)
    assert attachments.store(str(tmp_path), "plan.odt", odt.getvalue(), already_stored=0).content_type.endswith("text")
    assert attachments.store(str(tmp_path), "cijfers.xlsx", xlsx.getvalue(), already_stored=0).content_type.endswith(
        "sheet"
    )


# --- measurement imports: archives -------------------------------------------------------------------


def test_an_xlsx_whose_sheet_unpacks_to_a_gibibyte_is_refused_unread(app, realised, session):
    cell = repeated(
        SHEET_HEAD + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>',
        b"a" * MIB,
        1024,
        b"</t></is></c></row></sheetData></worksheet>",
    )
    bomb = archive(workbook_members(**{"xl/worksheets/sheet1.xml": cell}))
    response = import_file(as_(app, realised.member), realised, "waarden.xlsx", bomb)
    assert BOMB_REFUSED in response.text
    assert session.exec(select(Measurement)).all() == []
    peak, refused = peak_while(lambda: measurements.read_table("waarden.xlsx", bomb))
    assert refused is not None and BOMB_REFUSED in refused.message
    assert peak < BOUNDED, f"reading the upload cost {peak / MIB:.0f} MiB"


def test_an_xlsx_whose_directory_understates_a_part_is_refused_unread():
    """zipfile reads a part whole before cutting it to the declared size; openpyxl reads some parts whole."""
    workbook = repeated(b'<?xml version="1.0"?><workbook>', b" " * MIB, 1024, b"</workbook>")
    data = archive(workbook_members(**{"xl/workbook.xml": workbook}), declared_sizes={"xl/workbook.xml": 4000})
    peak, refused = peak_while(lambda: measurements.read_table("waarden.xlsx", data))
    assert refused is not None and "unpacks to more than it declares" in refused.message
    assert peak < BOUNDED, f"reading the upload cost {peak / MIB:.0f} MiB"


def test_entities_in_an_xlsx_are_not_expanded():
    """A billion laughs in a sheet: openpyxl parses through defusedxml, which refuses the entities."""
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "hahahahahahahahahaha">'
        + b"".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(9))
        + (
            b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
            b'<c r="A1" t="inlineStr"><is><t>&j;</t></is></c></row></sheetData></worksheet>'
        )
    )
    data = archive(workbook_members(**{"xl/worksheets/sheet1.xml": deflated(laughs)}))
    peak, refused = peak_while(lambda: measurements.read_table("waarden.xlsx", data))
    assert refused is not None and "not a readable XLSX file" in refused.message
    assert peak < BOUNDED


# --- measurement imports: rows, columns, cells ---------------------------------------------------------


@pytest.fixture
def rows_read(monkeypatch):
    """How many rows the importer took from openpyxl and from the CSV reader, and the widest one."""
    seen = {"rows": 0, "widest": 0}

    def counted(rows):
        for row in rows:
            seen["rows"] += 1
            seen["widest"] = max(seen["widest"], len(row))
            if seen["rows"] > measurements.MAX_ROWS + 100:
                raise AssertionError("the importer read on past the row limit")
            yield row

    cells_by_row = ReadOnlyWorksheet._cells_by_row
    monkeypatch.setattr(
        ReadOnlyWorksheet, "_cells_by_row", lambda *args, **kwargs: counted(cells_by_row(*args, **kwargs))
    )
    reader = measurements.csv.reader
    monkeypatch.setattr(measurements.csv, "reader", lambda *args, **kwargs: counted(reader(*args, **kwargs)))
    return seen


def test_a_sheet_of_a_million_rows_is_refused_after_one_row_past_the_limit(rows_read):
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(2, 1_000_002)).encode()
    data = archive(workbook_members(**{"xl/worksheets/sheet1.xml": sheet(rows, "A1:C1000001")}))
    assert len(data) < measurements.MAX_BYTES
    with pytest.raises(measurements.ImportRefused) as refused:
        measurements.read_table("waarden.xlsx", data)
    assert refused.value.errors[0].message == f"A file holds at most {measurements.MAX_ROWS} values."
    assert rows_read["rows"] <= measurements.MAX_ROWS + 2


def test_a_csv_of_a_million_rows_is_refused_after_one_row_past_the_limit(rows_read):
    data = b"indicator,period,value\n" + b"1,1,1\n" * 1_000_000
    with pytest.raises(measurements.ImportRefused) as refused:
        measurements.read_table("waarden.csv", data)
    assert refused.value.errors[0].message == f"A file holds at most {measurements.MAX_ROWS} values."
    assert rows_read["rows"] <= measurements.MAX_ROWS + 2


def test_a_sheet_claiming_every_column_and_a_row_a_million_down_is_read_narrow_and_short(rows_read, monkeypatch):
    """Two rows that claim A1:XFD1048576: openpyxl pads every row in between to 16,384 cells, unless told not to."""
    monkeypatch.setattr(measurements, "MAX_ROWS", 1000)  # so that reading on past it costs seconds, not gigabytes
    last = b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>'
    data = archive(workbook_members(**{"xl/worksheets/sheet1.xml": sheet(last, "A1:XFD1048576")}))
    with pytest.raises(measurements.ImportRefused) as refused:
        measurements.read_table("waarden.xlsx", data)
    assert refused.value.errors[0].message == f"A file holds at most {measurements.MAX_ROWS} values."
    assert rows_read["rows"] <= measurements.MAX_ROWS + 2
    assert rows_read["widest"] <= measurements.MAX_COLUMNS + 1


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_row_of_sixteen_thousand_columns_is_refused(kind):
    if kind == "csv":
        data = b"indicator,period,value\n" + b"1," * 16_384 + b"\n"
    else:
        cells = "".join(f'<c r="{get_column_letter(i + 1)}2"><v>1</v></c>' for i in range(16_384)).encode()
        data = archive(
            workbook_members(**{"xl/worksheets/sheet1.xml": sheet(b'<row r="2">' + cells + b"</row>", "A1:XFD2")})
        )
    with pytest.raises(measurements.ImportRefused) as refused:
        measurements.read_table(f"waarden.{kind}", data)
    assert [(e.row, e.message) for e in refused.value.errors] == [
        (2, f"A row has more than {measurements.MAX_COLUMNS} columns.")
    ]


def test_a_csv_cell_longer_than_the_reader_allows_is_refused_naming_the_row(app, realised, session):
    first = periods_of(realised, realised.loneliness)[0].starts_on.isoformat()
    data = f"indicator,period,value,note\n{realised.loneliness.id},{first},45,kort\n{realised.loneliness.id},{first},46,".encode()
    response = import_file(as_(app, realised.member), realised, "waarden.csv", data + b"x" * 200_000 + b"\n")
    assert response.status_code == 400 and "A cell is too long" in response.text
    assert '<td class="utrecht-table__cell">3</td>' in response.text
    assert session.exec(select(Measurement)).all() == []


def test_an_imported_note_longer_than_the_form_allows_is_refused(app, realised, session):
    first = periods_of(realised, realised.loneliness)[0].starts_on.isoformat()
    data = f"indicator,period,value,note\n{realised.loneliness.id},{first},45,{'x' * 6000}\n".encode()
    response = import_file(as_(app, realised.member), realised, "waarden.csv", data)
    assert response.status_code == 400 and "longer than 5000 characters" in response.text
    assert session.exec(select(Measurement)).all() == []

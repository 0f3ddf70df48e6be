"""Attachment files: type decided from the content, stored outside the web root
under random names. PDF, ODT, DOCX, XLSX, PNG and JPEG only."""

import hashlib
import io
import secrets
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from ..core.errors import DomainError

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_PROPOSAL_BYTES = 100 * 1024 * 1024

# detected type -> (content type, the extensions a name may have)
TYPES = {
    "pdf": ("application/pdf", {".pdf"}),
    "png": ("image/png", {".png"}),
    "jpeg": ("image/jpeg", {".jpg", ".jpeg"}),
    "odt": ("application/vnd.oasis.opendocument.text", {".odt"}),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", {".docx"}),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {".xlsx"}),
}


@dataclass(frozen=True)
class StoredFile:
    filename: str
    stored_name: str
    content_type: str
    size: int
    sha256: str


# --- zip-based documents, read without letting them unpack ---------------------------------------------
# An archive says in its central directory how large every member unpacks; a zip bomb says (or hides) a
# gigabyte. Nothing is read from an archive before those sizes, their sum, the number of members and the
# packing ratio are checked, and then only a bounded number of bytes.


@dataclass(frozen=True)
class ZipLimits:
    members: int
    member_bytes: int
    total_bytes: int
    ratio: int = 200  # deflate reaches about 1000:1 on zeros; real documents stay far below 100:1
    ratio_from: int = 1024 * 1024  # small members may pack tightly: they cannot do harm


ATTACHMENT_ZIP = ZipLimits(members=5000, member_bytes=200 * 1024 * 1024, total_bytes=500 * 1024 * 1024)
CENTRAL_ENTRY = b"PK\x01\x02"  # every member of the central directory starts with it
LOCAL_HEADER = struct.Struct("<4s5H3L2H")
SNIFF_BYTES = 256  # what is read of a member to tell a type


class UnsafeArchive(DomainError):
    """An archive that would unpack to far more than is safe to read."""


def open_archive(data: bytes, name: str, limits: ZipLimits) -> zipfile.ZipFile:
    """The archive, once its directory promises nothing dangerous; UnsafeArchive (or BadZipFile) otherwise."""
    if data.count(CENTRAL_ENTRY) > limits.members:  # before the directory is parsed, which costs memory per member
        raise UnsafeArchive(
            _(
                "“%(name)s” holds more than %(count)d parts, as a zip bomb does; it is refused.",
                name=name,
                count=limits.members,
            )
        )
    archive = zipfile.ZipFile(io.BytesIO(data))
    members = archive.infolist()
    too_large = _("“%(name)s” would unpack to more than %(mb)d MB, as a zip bomb does; it is refused.")
    if len(members) > limits.members:
        raise UnsafeArchive(
            _(
                "“%(name)s” holds more than %(count)d parts, as a zip bomb does; it is refused.",
                name=name,
                count=limits.members,
            )
        )
    if any(m.file_size > limits.member_bytes for m in members):
        raise UnsafeArchive(too_large % {"name": name, "mb": limits.member_bytes // 2**20})
    if sum(m.file_size for m in members) > limits.total_bytes:
        raise UnsafeArchive(too_large % {"name": name, "mb": limits.total_bytes // 2**20})
    if any(m.file_size > limits.ratio_from and m.file_size > limits.ratio * max(m.compress_size, 1) for m in members):
        raise UnsafeArchive(
            _(
                "“%(name)s” is packed more than %(ratio)d to 1, as a zip bomb does; it is refused.",
                name=name,
                ratio=limits.ratio,
            )
        )
    return archive


def check_inflation(archive: zipfile.ZipFile, data: bytes, name: str) -> None:
    """Unpack every member in bounded steps and refuse the archive when one gives more than its directory
    declares. zipfile stops at the declared size only *after* inflating what it read in one piece, so a
    directory that understates a member would still cost a gigabyte in a reader that reads members whole
    (openpyxl does); after this check, no member unpacks beyond the limits `open_archive` applied."""
    for member in archive.infolist():
        if member.compress_type == zipfile.ZIP_STORED:
            continue
        if member.compress_type != zipfile.ZIP_DEFLATED:
            raise UnsafeArchive(_("“%(name)s” is packed in a way documents are not; it is refused.", name=name))
        header = data[member.header_offset : member.header_offset + LOCAL_HEADER.size]
        if len(header) < LOCAL_HEADER.size:
            raise zipfile.BadZipFile("truncated local header")
        fields = LOCAL_HEADER.unpack(header)
        start = member.header_offset + LOCAL_HEADER.size + fields[-2] + fields[-1]
        packed = memoryview(data)[start : start + member.compress_size]
        inflater, produced = zlib.decompressobj(-15), 0
        for offset in range(0, len(packed), 64 * 1024):
            produced += len(inflater.decompress(packed[offset : offset + 64 * 1024], 1 << 20))
            while inflater.unconsumed_tail and produced <= member.file_size:
                produced += len(inflater.decompress(inflater.unconsumed_tail, 1 << 20))
            if produced > member.file_size or inflater.eof:
                break
        if produced > member.file_size:
            raise UnsafeArchive(
                _("“%(name)s” unpacks to more than it declares, as a zip bomb does; it is refused.", name=name)
            )


def _sniff(archive: zipfile.ZipFile, member: str) -> bytes:
    with archive.open(member) as stream:
        return stream.read(SNIFF_BYTES)


def detect_type(data: bytes, name: str = "") -> str | None:
    """The file's real type from its first bytes (and, for zip-based documents, its parts).
    Raises UnsafeArchive for a zip whose directory promises more than is safe to read."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with open_archive(data, name or _("The file"), ATTACHMENT_ZIP) as archive:
                names = set(archive.namelist())
                if (
                    "mimetype" in names
                    and _sniff(archive, "mimetype").strip() == b"application/vnd.oasis.opendocument.text"
                ):
                    return "odt"
                if "[Content_Types].xml" in names and "word/document.xml" in names:
                    return "docx"
                if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                    return "xlsx"
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            NotImplementedError,
            RuntimeError,
            ValueError,
            EOFError,
            zlib.error,
        ):
            return None  # broken, encrypted or oddly packed: not a document we take
    return None


def safe_filename(name: str) -> str:
    """Keep the name for display only: no path, no control characters, bounded length."""
    name = Path(name.replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?').strip() or "bestand"
    return name[-200:]


def store(upload_dir: str, filename: str, data: bytes, *, already_stored: int) -> StoredFile:
    """Check and store one upload; raises DomainError with the reason when refused."""
    filename = safe_filename(filename)
    if not data:
        raise DomainError(_("The file “%(name)s” is empty.", name=filename))
    if len(data) > MAX_FILE_BYTES:
        raise DomainError(_("“%(name)s” is larger than %(mb)d MB.", name=filename, mb=MAX_FILE_BYTES // 2**20))
    if already_stored + len(data) > MAX_PROPOSAL_BYTES:
        raise DomainError(
            _("The attachments of a proposal may not exceed %(mb)d MB together.", mb=MAX_PROPOSAL_BYTES // 2**20)
        )
    kind = detect_type(data, filename)
    if kind is None:
        raise DomainError(
            _(
                "“%(name)s” is not a PDF, ODT, DOCX, XLSX, PNG or JPEG file (judged by its content, not its name).",
                name=filename,
            )
        )
    content_type, extensions = TYPES[kind]
    if Path(filename).suffix.lower() not in extensions:
        raise DomainError(
            _("The name of “%(name)s” does not match its content (%(kind)s).", name=filename, kind=kind.upper())
        )
    stored_name = secrets.token_hex(16)
    directory = Path(upload_dir)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / stored_name).write_bytes(data)
    return StoredFile(filename, stored_name, content_type, len(data), hashlib.sha256(data).hexdigest())


def path_of(upload_dir: str, stored_name: str) -> Path:
    return Path(upload_dir) / stored_name

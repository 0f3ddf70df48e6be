"""Attachment files: type decided from the content, stored outside the web root
under random names. PDF, ODT, DOCX, XLSX, PNG and JPEG only."""

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from .errors import DomainError

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


def detect_type(data: bytes) -> str | None:
    """The file's real type from its first bytes (and, for zip-based documents, its parts)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "mimetype" in names and archive.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text":
                    return "odt"
                if "[Content_Types].xml" in names and "word/document.xml" in names:
                    return "docx"
                if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                    return "xlsx"
        except zipfile.BadZipFile:
            return None
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
        raise DomainError(_("The attachments of a proposal may not exceed %(mb)d MB together.", mb=MAX_PROPOSAL_BYTES // 2**20))
    kind = detect_type(data)
    if kind is None:
        raise DomainError(
            _("“%(name)s” is not a PDF, ODT, DOCX, XLSX, PNG or JPEG file (judged by its content, not its name).", name=filename)
        )
    content_type, extensions = TYPES[kind]
    if Path(filename).suffix.lower() not in extensions:
        raise DomainError(_("The name of “%(name)s” does not match its content (%(kind)s).", name=filename, kind=kind.upper()))
    stored_name = secrets.token_hex(16)
    directory = Path(upload_dir)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / stored_name).write_bytes(data)
    return StoredFile(filename, stored_name, content_type, len(data), hashlib.sha256(data).hexdigest())


def path_of(upload_dir: str, stored_name: str) -> Path:
    return Path(upload_dir) / stored_name

"""Uploaded files are accepted by what they contain, not by what they are called.

A report may be CSV, XLSX or PDF. The kind is read from the bytes (PDF header, the OOXML
package of a workbook, decodable text with columns for CSV); a name whose extension claims
another kind is refused, and so is anything over the size limit.
"""

from __future__ import annotations

import codecs
import os
import re
import zipfile
from dataclasses import dataclass

from django.conf import settings

from discovery.models import ReportFileKind
from tenancy.errors import ApplicationError

DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
CHUNK = 64 * 1024
# Text files hold no control characters other than tab, line feed, carriage return, form feed.
CONTROL_CHARACTERS = re.compile("[\\x00-\\x08\\x0b\\x0e-\\x1f\\x7f]")

# Signatures of files people often upload by mistake, to say what was received.
_KNOWN_OTHERS = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office file (save it as .xlsx or PDF)"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
    (b"\x1f\x8b", "a gzip archive"),
)


def max_upload_bytes() -> int:
    return getattr(settings, "DISCOVERY_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


@dataclass(frozen=True)
class CheckedUpload:
    kind: str
    size: int
    original_name: str


def _head(upload, size: int = CHUNK) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _chunks(upload):
    upload.seek(0)
    while chunk := upload.read(CHUNK):
        yield chunk
    upload.seek(0)


def _zip_kind(upload) -> str:
    """'xlsx' for an Excel workbook package, else a description of the archive."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return "a damaged ZIP archive"
    finally:
        upload.seek(0)
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        if "xl/vbaProject.bin" in names:
            return "a macro-enabled workbook (save it as a plain .xlsx)"
        return ReportFileKind.XLSX
    if "word/document.xml" in names:
        return "a Word document"
    return "a ZIP archive"


def decode_text(upload) -> str | None:
    """The whole file as text (UTF-8, or Windows-1252 as spreadsheets on Windows save it),
    or None if it is not text."""
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        parts: list[str] = []
        try:
            for chunk in _chunks(upload):
                if b"\x00" in chunk:
                    return None
                parts.append(decoder.decode(chunk))
            parts.append(decoder.decode(b"", final=True))
        except UnicodeDecodeError:
            continue
        text = "".join(parts)
        if CONTROL_CHARACTERS.search(text):
            return None
        return text
    return None


def looks_like_csv(text: str) -> bool:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return any(first.count(sep) >= 1 for sep in (",", ";", "\t"))


def detect_kind(upload) -> str:
    """The report kind the bytes hold ('csv', 'xlsx', 'pdf'), or a description of what
    they are instead."""
    head = _head(upload, 1024)
    if head.lstrip()[:5] == b"%PDF-":
        return ReportFileKind.PDF
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(upload)
    for signature, description in _KNOWN_OTHERS:
        if head.startswith(signature):
            return description
    text = decode_text(upload)
    if text is None:
        return "binary data"
    if not text.strip():
        return "an empty text file"
    if not looks_like_csv(text):
        return "plain text without comma, semicolon or tab separated columns"
    return ReportFileKind.CSV


def check_upload(
    upload,
    *,
    allowed: tuple[str, ...] = tuple(ReportFileKind.values),
    field: str = "file",
) -> CheckedUpload:
    """Refuse what is too large, empty, or not of an allowed kind by content."""
    if upload is None:
        raise ApplicationError("Choose a file to upload.", field=field)
    size = upload.size
    limit = max_upload_bytes()
    if size == 0:
        raise ApplicationError("The file is empty.", field=field)
    if size > limit:
        raise ApplicationError(
            f"The file is {size / 1_048_576:.1f} MB; the limit is {limit / 1_048_576:.0f} MB.",
            field=field,
        )
    name = os.path.basename(getattr(upload, "name", "") or "upload")[:255]
    kind = detect_kind(upload)
    labels = " or ".join(ReportFileKind(k).label.split(" (")[0] for k in allowed)
    if kind not in allowed:
        found = kind
        if kind in ReportFileKind.values:
            label = ReportFileKind(kind).label
            found = f"{'an' if label[0] in 'AEIOU' else 'a'} {label} file"
        raise ApplicationError(
            f"The file's content is {found}, not {labels}. Files are checked by what they "
            "contain, not by their name.",
            field=field,
        )
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    if extension in ReportFileKind.values and extension != kind:
        raise ApplicationError(
            f"The file is named .{extension} but its content is {ReportFileKind(kind).label}.",
            field=field,
        )
    return CheckedUpload(kind=kind, size=size, original_name=name)

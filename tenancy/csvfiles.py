"""What every CSV import shares: the error of one cell (line and column), the all-or-nothing
failure that carries every error, decoding with the size limit, and reading without ever
raising on a hostile file.

An importer parses every row before it saves anything; `ImportFailed` lists what is wrong
(the header is line 1), and nothing is written."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

# The largest file an import takes, by the page and the API alike.
MAX_IMPORT_BYTES = 2 * 1024 * 1024
TOO_LARGE = "The file is larger than 2 MB; split it."
MAX_REPORTED_ERRORS = 500
CSV_ERROR = "A cell is longer than 128 KB, or this is not a CSV file the importer can read"


@dataclass(frozen=True)
class RowError:
    row: int  # the line of the file, the header being line 1
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class ImportFailed(Exception):
    """The file cannot be imported; `errors` says where and why, `summary` in one line."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        first = errors[0]
        where = f"line {first.row}, column {first.column}" if first.column else f"line {first.row}"
        plural = "s" if len(errors) != 1 else ""
        self.summary = (
            f"Nothing was imported: the file has {len(errors)} error{plural} "
            f"(first: {where}: {first.message})"
        )
        super().__init__(self.summary)

    def as_list(self) -> list[dict[str, Any]]:
        return [error.as_dict() for error in self.errors[:MAX_REPORTED_ERRORS]]


def decode(content: str | bytes) -> str:
    """The file as text: UTF-8 (a byte-order mark is fine), at most `MAX_IMPORT_BYTES`."""
    if isinstance(content, bytes):
        if len(content) > MAX_IMPORT_BYTES:
            raise ImportFailed([RowError(1, "", TOO_LARGE)])
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportFailed([RowError(1, "", "The file must be UTF-8 text (CSV).")]) from error
    if len(content.encode()) > MAX_IMPORT_BYTES:
        raise ImportFailed([RowError(1, "", TOO_LARGE)])
    return content.removeprefix("\ufeff")


def dict_reader(content: str | bytes) -> csv.DictReader:
    return csv.DictReader(io.StringIO(decode(content)))


def unreadable(reader: csv.DictReader, error: csv.Error) -> ImportFailed:
    """The failure of a file the csv module cannot read (a cell past its 128 KB limit, a
    broken quote), on the line where reading stopped: the underlying reader's count
    (DictReader's own is one row behind)."""
    return ImportFailed([RowError(reader.reader.line_num or 1, "", f"{CSV_ERROR} ({error}).")])


# --- Writing CSV ------------------------------------------------------------------------

# A cell a spreadsheet would run as a formula (CWE-1236): the rule for every CSV the app writes.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def safe_cell(value: Any) -> str:
    """A value as a CSV cell a spreadsheet shows as text: one starting like a formula gets a
    leading apostrophe (OWASP's advice); NUL characters are dropped."""
    if value is None:
        return ""
    text = str(value).replace("\x00", "")
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Line:
    """A file-like object whose `write` returns what it was given (csv.writer into a stream)."""

    def write(self, value: str) -> str:
        return value


def iter_rows(header: list[str], rows):
    """The CSV text of `header` and `rows`, line by line (for a streamed download), every
    cell `safe_cell`ed."""
    writer = csv.writer(_Line())
    yield writer.writerow([safe_cell(name) for name in header])
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in row])

"""Reading and checking import files, independent of storage.

A file is a table: CSV (UTF-8 with or without BOM, or GBK/GB18030 as Chinese Excel writes it)
or XLSX (first sheet). Row 1 is the header; data rows are numbered as a spreadsheet shows them
(the first data row is row 2). Headers match a column by its key (`order_no`) or its Chinese
label (`订单号`), case and surrounding spaces ignored.

Problems with one row become `RowError`s (row, column, value, reason) so that a whole file can
be checked before anything is stored; a row reports every bad cell it has, not just the first
(`BoundSchema.parse_cells` keeps the good cells, and `check_row` runs a kind's rules on them).
Problems with the whole file (unreadable encoding, a missing column) raise `ImportFileError`.

A reason is a message id and its parameters, never rendered text: a run stores its report so
(`encode_report`), and it is rendered in the reader's language when shown (`RowError.text`,
`render_report`). Reports stored before that hold rendered Chinese text; `decode_report` reads
both.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from channel.domain.errors import DomainError, Label, N_
from channel.domain.exports import safe_cell
from channel.domain.periods import check_day, iso_date

CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # GB18030 is a superset of GBK and GB2312
_CHUNK = 1 << 20


class ImportFileError(DomainError):
    """The file as a whole cannot be read (encoding, format, header)."""


class CellError(ValueError):
    """Raised by a column parser; `reason` is a msgid (translated at the edge)."""

    def __init__(self, reason: str, **params):
        super().__init__(reason % params if params else reason)
        self.reason = reason
        self.params = params


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number (header = 1); 0 for the file as a whole
    column: str
    value: str
    reason: str  # msgid (in a report stored before msgids were kept: the rendered Chinese text)
    params: tuple = ()  # ((name, value), ...) for the msgid's %(name)s; Label values are msgids too

    def text(self, translate: Callable[[str], str] = lambda s: s) -> str:
        """The reason in the language of `translate` (a gettext; the default leaves the Chinese
        msgid as it is). Label parameters are translated too, as `channel.i18n.error_text` does."""
        message = translate(self.reason)
        if not self.params:
            return message
        return message % {name: translate(value) if isinstance(value, Label) else value for name, value in self.params}


# ---------------------------------------------------------------------------------------- cells

def _text(value) -> str | None:
    if type(value) is str:
        value = value.strip()
        return value or None
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def text(max_len: int) -> Callable:
    def parse(value):
        result = value.strip() if type(value) is str else _text(value)
        if not result:
            return None
        if len(result) > max_len:
            raise CellError(N_("太长（最多 %(n)s 个字符）。"), n=max_len)
        return result
    return parse


def integer(value) -> int | None:
    # the fast path: a plain decimal string (int() also takes spaces; '_' and non-ASCII digits are refused)
    if type(value) is str and value.isascii() and "_" not in value:
        try:
            return int(value)
        except ValueError:
            pass
    if isinstance(value, bool):
        raise CellError(N_("不是整数。"))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellError(N_("不是整数。"))
    result = _text(value)
    if result is None:
        return None
    cleaned = result.replace(",", "")
    if cleaned.isascii() and "_" not in cleaned:
        try:
            return int(cleaned)
        except ValueError:
            pass
    raise CellError(N_("不是整数。"))


def yuan_to_fen(value) -> int | None:
    """An amount in yuan with at most two decimals ('3,000.5' → 300050 fen)."""
    if type(value) is str:
        whole, dot, fraction = value.partition(".")
        # the fast path: '1234' or '1234.5' or '1234.56', plain ASCII digits
        if whole.isdigit() and whole.isascii() and (not dot or (fraction.isdigit() and fraction.isascii() and len(fraction) <= 2)):
            return int(whole) * 100 + (int((fraction + "00")[:2]) if dot else 0)
    if isinstance(value, bool):
        raise CellError(N_("不是金额。"))
    if isinstance(value, int):
        return value * 100
    if isinstance(value, float):
        value = repr(value)
    result = _text(value)
    if result is None:
        return None
    raw = result.replace(",", "").replace("¥", "").replace("￥", "")
    negative = raw.startswith("-")
    if negative:
        raw = raw[1:]
    whole, dot, fraction = raw.partition(".")
    if (not whole.isdigit() and not (dot and whole == "")) or (dot and not fraction.isdigit()) \
            or len(fraction) > 2 or not whole.isascii() or not fraction.isascii():
        raise CellError(N_("不是金额（元，最多两位小数）。"))
    fen = int(whole or "0") * 100 + int((fraction + "00")[:2])
    return -fen if negative else fen


def day(value) -> date | None:
    """A date cell: an Excel date, or text YYYY-MM-DD (also with / or .), in the years a period
    may name (1900–2999: 0001-01-01 is a typing slip whose month could never be run)."""
    parsed = _day(value)
    if parsed is not None:
        _in_years(parsed)
    return parsed


def _in_years(on: date) -> None:
    """CellError for a day outside the years 1900–2999 (periods.check_day)."""
    try:
        check_day(on)
    except DomainError as error:
        raise CellError(error.message, **error.params) from None


def _day(value) -> date | None:
    if type(value) is str and len(value) == 10:
        try:
            return iso_date(value)
        except ValueError:
            pass
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    result = _text(value)
    if result is None:
        return None
    try:
        return datetime.strptime(result.replace("/", "-").replace(".", "-"), "%Y-%m-%d").date()
    except ValueError:
        raise CellError(N_("不是日期（YYYY-MM-DD）。")) from None


def moment(value) -> datetime | None:
    """A local date and time: an Excel date-time, or text `YYYY-MM-DD HH:MM[:SS]` (also with
    `/` or a `T`), in the years a date cell may name (1900–2999: a time zone moves 0001-01-01
    00:00 out of the calendar). Returned naive, as written (the caller says which zone it is in)."""
    parsed = _moment(value)
    if parsed is not None:
        _in_years(parsed.date())
    return parsed


def _moment(value) -> datetime | None:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    result = _text(value)
    if result is None:
        return None
    cleaned = result.replace("/", "-").replace("T", " ")
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
    raise CellError(N_("不是时间（YYYY-MM-DD HH:MM:SS）。"))


TRUE_WORDS = {"1", "true", "yes", "y", "是", "独家", "有"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "非独家", "无"}


def boolean(value) -> bool | None:
    if isinstance(value, bool):
        return value
    result = _text(value)
    if result is None:
        return None
    word = result.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(N_("应为 是/否。"))


def adcode(value) -> int | None:
    result = integer(value)
    if result is not None and not 100000 <= result <= 999999:
        raise CellError(N_("行政区划代码是 6 位数字。"))
    return result


def choice(*allowed: str) -> Callable:
    def parse(value):
        result = _text(value)
        if result is not None and result not in allowed:
            raise CellError(N_("应为 %(allowed)s 之一。"), allowed=", ".join(allowed))
        return result
    return parse


# --------------------------------------------------------------------------------------- schema

@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the Chinese header, also accepted
    parse: Callable
    required: bool = True  # the column must be present and the cell non-empty
    example: str = ""  # a value shown in the downloadable template


class Schema:
    """The columns of one import kind, bound to a file's header by `bind`."""

    def __init__(self, columns: Iterable[Column]):
        self.columns = tuple(columns)

    def bind(self, header: list) -> "BoundSchema":
        names = {}
        for index, raw in enumerate(header):
            name = (_text(raw) or "").lower()
            if name:
                names.setdefault(name, index)
        positions = []
        missing = []
        for column in self.columns:
            index = names.get(column.key.lower(), names.get(column.label.lower()))
            if index is None and column.required:
                missing.append(f"{column.key} ({column.label})")
            positions.append(index)
        if missing:
            raise ImportFileError(N_("缺少列：%(columns)s。"), field="file", columns=", ".join(missing))
        return BoundSchema(self.columns, positions)

    def template_header(self) -> list[str]:
        return [column.label for column in self.columns]

    def template_example(self) -> list[str]:
        return [column.example for column in self.columns]


class BoundSchema:
    def __init__(self, columns: tuple[Column, ...], positions: list[int | None]):
        self.plan = [(c.key, c.label, c.parse, c.required, p) for c, p in zip(columns, positions)]
        self.position = {c.key: p for c, p in zip(columns, positions)}

    def cell(self, values: list, key: str):
        """The cell of column `key` in the row `values` as the file has it (None: no such cell)."""
        position = self.position.get(key)
        return values[position] if position is not None and position < len(values) else None

    def parse(self, row_no: int, values: list, errors: list[RowError]) -> dict | None:
        """The row as {key: parsed value}; None (and an error appended per bad cell) when any
        cell is bad."""
        record, bad = self.parse_cells(row_no, values, errors)
        return None if bad else record

    def parse_cells(self, row_no: int, values: list, errors: list[RowError]) -> tuple[dict, frozenset[str]]:
        """Every cell of the row: ({key: parsed value}, keys of the bad cells). A bad cell (it
        does not parse, or a required one is empty) appends its error and is None in the
        record, so that the rules on the other cells can still run (`check_row`)."""
        record = {}
        bad = []
        width = len(values)
        for key, label, parse, required, position in self.plan:
            raw = values[position] if position is not None and position < width else None
            value = None
            if raw is not None and raw != "":
                try:
                    value = parse(raw)
                except CellError as error:
                    errors.append(RowError(row_no, label, _shown(raw), error.reason, tuple(error.params.items())))
                    bad.append(key)
                    record[key] = None
                    continue
            if value is None and required:
                errors.append(RowError(row_no, label, "", N_("不能为空。")))
                bad.append(key)
            record[key] = value
        return record, frozenset(bad)


def _shown(value) -> str:
    return "" if value is None else str(value)[:100]


@dataclass(frozen=True)
class RowRule:
    """A rule over some cells of a row. `test(record)` raises DomainError (its `field` the key
    of the column at fault) or returns None; it may normalise a cell in `record`. It runs only
    when every cell it `needs` parsed, so one bad cell does not hide the row's other problems
    and is not reported twice."""

    needs: tuple[str, ...]
    test: Callable[[dict], None]


def check_row(row_no: int, record: dict, bad: Iterable[str], rules: Iterable[RowRule],
              labels: dict[str, str], cell: Callable[[str], object] | None = None) -> list[RowError]:
    """The errors of every rule that fails on the row's good cells (`bad`: keys of cells that
    did not parse), in the rules' order. `labels` maps column keys to the headers reported;
    `cell(key)` gives the cell as the file wrote it, the value reported (`-5`, not the parsed
    -500 fen); without it the parsed value is reported."""
    bad = set(bad)
    errors = []
    for rule in rules:
        if bad.intersection(rule.needs):
            continue
        try:
            rule.test(record)
        except DomainError as error:
            key = error.field or ""
            value = cell(key) if cell is not None and key in record else None
            if value is None:
                value = record.get(key)
            errors.append(RowError(row_no, labels.get(key, key), _shown(value), error.message,
                                   tuple(error.params.items())))
    return errors


# -------------------------------------------------------------------------------------- reports

# a report as people read it (download, CLI): msgids, shown in the reader's language
# an import run's status (models.exchange.IMPORT_STATUSES) as people read it: the imports page
# and the import history export (channel.exchange.labels)
RUN_STATUS_LABELS = {"pending": N_("排队中"), "running": N_("运行中"), "done": N_("已完成"),
                     "rejected": N_("有错误，未保存"), "failed": N_("失败")}
REPORT_HEADER = (N_("行"), N_("列"), N_("值"), N_("原因"))
STORED_HEADER = ["row", "column", "value", "message", "params"]  # a report as a run keeps it


def encode_report(errors: Iterable[RowError]) -> str:
    """The errors as stored with a run: CSV of row, column, value, msgid and its parameters as
    a JSON object (a Label parameter as {"label": msgid}), so that it can be rendered in any
    language later."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(STORED_HEADER)
    for error in errors:
        writer.writerow([error.row, error.column, error.value, error.reason, _encode_params(error.params)])
    return buffer.getvalue()


def _encode_params(params: tuple) -> str:
    if not params:
        return ""
    return json.dumps({name: {"label": str(value)} if isinstance(value, Label) else value for name, value in params},
                      ensure_ascii=False, default=str)


def _decode_params(text: str) -> tuple:
    if not text:
        return ()
    try:
        params = json.loads(text)
    except ValueError:
        return ()
    if not isinstance(params, dict):
        return ()
    return tuple((name, Label(value["label"]) if isinstance(value, dict) and set(value) == {"label"} else value)
                 for name, value in params.items())


def decode_report(text: str | None, limit: int | None = None) -> Iterator[RowError]:
    """The errors of a stored report, the first `limit` of them (all when None). A report
    stored before reasons were kept as msgids (header row,column,value,reason) gives its
    rendered text as the reason, without parameters: it is shown as it was written."""
    rows = csv.reader(io.StringIO(text or ""))
    header = next(rows, None)
    stored = header is not None and "message" in header
    for count, cells in enumerate(rows):
        if limit is not None and count >= limit:
            return
        cells = cells + [""] * (5 - len(cells))
        try:
            row = int(cells[0])
        except ValueError:
            row = 0
        params = _decode_params(cells[4]) if stored else ()
        yield RowError(row, cells[1], cells[2], cells[3], params)


def column_text(column: str, translate: Callable[[str], str] = lambda s: s) -> str:
    """A report's column (the Chinese header of the file, a msgid) in the language of
    `translate`; a column with no translation (an unknown header) as it is."""
    return translate(column) if column else ""  # gettext("") would give the catalog's header


def render_report(errors: Iterable[RowError], translate: Callable[[str], str] = lambda s: s) -> str:
    """The errors as the report people download: CSV of row, column, value and reason, the
    header, the column and the reason in the language of `translate` (by default the Chinese
    source); text cells formula-safe (`safe_cell`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([translate(name) for name in REPORT_HEADER])
    for error in errors:
        writer.writerow([error.row, safe_cell(column_text(error.column, translate)), safe_cell(error.value),
                         safe_cell(error.text(translate))])
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------- files

def detect_encoding(path: str) -> str:
    """'utf-8-sig' or 'gb18030', whichever decodes the whole file (checked in 1 MB chunks, so
    memory stays flat); ImportFileError when neither does or the text holds NUL characters."""
    for encoding in CSV_ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as handle:
                while chunk := handle.read(_CHUNK):
                    if b"\x00" in chunk:
                        raise UnicodeDecodeError(encoding, chunk, 0, 1, "NUL")
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        N_("无法识别文件编码：请保存为 UTF-8 或 GBK 编码的 CSV，或 XLSX。"), field="file"
    )


def is_xlsx(path: str) -> bool:
    with open(path, "rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


class TableFile:
    """A table file that can be read more than once (validation pass, then insert pass)."""

    def __init__(self, path: str, filename: str | None = None):
        self.path = path
        self.filename = filename or os.path.basename(path)
        self.xlsx = is_xlsx(path)
        self.encoding = None if self.xlsx else detect_encoding(path)

    def rows(self) -> Iterator[tuple[int, list]]:
        """(row number, values) for every row, the header first (row 1). Blank rows are skipped."""
        if self.xlsx:
            yield from self._xlsx_rows()
            return
        with open(self.path, encoding=self.encoding, newline="") as handle:
            reader = csv.reader(handle)
            try:
                for number, values in enumerate(reader, start=1):
                    if values and any(values):
                        yield number, values
            except csv.Error as error:  # a cell over the csv module's limit (128 KiB): not a table
                raise ImportFileError(N_("无法读取 CSV 文件：第 %(line)s 行附近有一个过长的单元格（可能是引号不成对，"
                                         "或不是 CSV 文件）。"), field="file", line=reader.line_num) from error

    def _xlsx_rows(self):
        from openpyxl import load_workbook

        try:
            book = load_workbook(self.path, read_only=True, data_only=True)
        except Exception as error:  # noqa: BLE001 - a corrupt or foreign zip
            raise ImportFileError(N_("无法读取 XLSX 文件。"), field="file") from error
        try:
            sheet = book.worksheets[0]
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                if values and any(v is not None and v != "" for v in values):
                    yield number, list(values)
        finally:
            book.close()

    def header_and_rows(self) -> tuple[list, Iterator[tuple[int, list]]]:
        rows = self.rows()
        try:
            _, header = next(rows)
        except StopIteration:
            raise ImportFileError(N_("文件是空的。"), field="file") from None
        return header, rows


def csv_bytes(header: list[str], rows: Iterable[list], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


# ------------------------------------------------------------------------------------ the trees

def order_by_upline(uplines: dict[str, str | None], known: set[str] | Callable[[str], bool]) -> tuple[list[list[str]], dict[str, tuple[str, str]]]:
    """Sort new sellers so that each comes after its upline.

    `uplines` maps each new code to its upline code (None for a top seller); an upline may be
    another new code (earlier or later in the file) or a code already `known`. Returns the new
    codes in generations (every code's upline is known or in an earlier generation) and the
    refused codes as {code: (reason msgid, upline)}: an unknown upline, or a cycle among the
    new codes (every member of the cycle, and everything hanging below it, is refused).
    """
    is_known = known if callable(known) else known.__contains__
    refused: dict[str, tuple[str, str]] = {}
    children: dict[str, list[str]] = {}
    ready: list[str] = []
    for code, upline in uplines.items():
        if upline is None or (upline not in uplines and is_known(upline)):
            ready.append(code)
        elif upline in uplines:
            children.setdefault(upline, []).append(code)
        else:
            refused[code] = (N_("上级编码 %(upline)s 不存在。"), upline)
    generations = []
    placed = set()
    while ready:
        generations.append(ready)
        placed.update(ready)
        ready = [child for code in ready for child in children.get(code, ())]
    for code, upline in uplines.items():
        if code in placed or code in refused:
            continue
        refused[code] = (_cycle_or_below(code, uplines, refused), upline or "")
    return generations, refused


def _cycle_or_below(code: str, uplines: dict[str, str | None], refused: dict) -> str:
    seen = set()
    current = code
    while current is not None and current in uplines and current not in seen:
        seen.add(current)
        current = uplines[current]
        if current == code:
            return N_("上级编码形成循环（%(upline)s …）。")
        if current in refused:
            break
    return N_("上级 %(upline)s 无法导入（在循环中或其上级有误）。")

"""Reading an uploaded official table: safety checks on the file, then the header and body rows.

The file is checked before any parser sees it (zip magic, encryption, zip bombs, formulas without
cached values, row count, rows and cells no spreadsheet has) with zipfile and a streaming scan of
the sheet XML; the cells are then read with python-calamine, which is several times faster than
openpyxl.
"""

import html
import io
import itertools
import operator
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from defusedxml import ElementTree
from django.conf import settings
from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum

from exchange.tables import TABLES, Column, Table, is_group_header, match_header, normalize_header

HEADER_SCAN_ROWS = 15
CHUNK_BYTES = 1 << 20
MAX_ZIP_MEMBERS = 5000
# A member that inflates more than this many times over is not a spreadsheet someone typed.
MAX_RATIO = 200
RATIO_CHECK_FROM = 50 * 1024 * 1024
# Excel's own limit on the characters of one cell.
MAX_CELL_CHARS = 32_767
# The workbook's sheet directory is read whole and parsed into a tree: a few kilobytes in practice.
MAX_DIRECTORY_BYTES = 4 * 1024 * 1024
# What a chunk keeps of the one before it, so that an end tag cut in two by the chunk boundary is found.
SEAM_BYTES = 256
# How much of an over-large row is searched for its row number.
ROW_HEAD_BYTES = 64 * 1024
SHARED_STRINGS = "xl/sharedstrings.xml"  # calamine reads this path, whatever the relationships say
ZIP_MAGIC = b"PK\x03\x04"
CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
FORMULA_WITHOUT_VALUE = "第%(row)d行‘%(column)s’列是公式但没有计算结果，请在 Excel 中打开并保存后再导入"


class WorkbookError(Exception):
    """The file as a whole cannot be imported; the message says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Issue:
    """A problem found in the table: Excel row number (None for the whole file), column header, message."""

    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class SheetScan:
    """What the streaming scan of one worksheet's XML found."""

    rows: int = 0
    # 0-based (row, column) of formula cells that carry no cached value.
    formulas_without_value: list[tuple[int, int]] = field(default_factory=list)


@dataclass(slots=True)
class SheetRow:
    """One body row: its Excel row number and its cells in the table's columns, as calamine read them.

    Cells are a tuple aligned with `positions` (shared by every row of a sheet): a dict per row
    would cost several times the memory of a 20,000-row table.
    """

    number: int
    positions: dict[str, int]
    cells: tuple[Any, ...]

    def get(self, key: str, default: Any = None) -> Any:
        position = self.positions.get(key)
        value = self.cells[position] if position is not None else None
        return default if value == "" or value is None else value

    def items(self) -> Iterator[tuple[str, Any]]:
        """(column key, cell) of the filled cells."""
        for key, position in self.positions.items():
            value = self.cells[position]
            if value != "" and value is not None:
                yield key, value


@dataclass
class ParsedSheet:
    table: Table
    sheet_name: str
    header_rows: tuple[int, ...]  # Excel row numbers of the header
    columns: dict[str, Column]
    headers: dict[str, str]  # column key → the header as written in the file
    header_year: int | None
    rows: list[SheetRow]
    issues: list[Issue]
    ignored_headers: list[str]


# File checks ------------------------------------------------------------------------------------


def check_file(data: bytes, filename: str) -> dict[str, SheetScan]:
    """Refuse what is not a plain .xlsx workbook; return the scan of each worksheet, by sheet name."""
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise WorkbookError(f"文件过大：超过 {settings.IMPORT_MAX_BYTES // (1024 * 1024)} MB 的上限")
    if not data:
        raise WorkbookError("文件是空的")
    suffix = PurePosixPath(filename.lower()).suffix
    if data.startswith(CFB_MAGIC):
        if ENCRYPTED_STREAM in data or suffix in EXCEL_SUFFIXES:
            raise WorkbookError("文件已加密（设置了打开密码），请在 Excel 中取消密码保护后再导入")
        raise WorkbookError("不支持旧版 .xls 格式，请在 Excel 中“另存为” .xlsx 工作簿后再导入")
    if not data.startswith(ZIP_MAGIC) or suffix not in EXCEL_SUFFIXES:
        raise WorkbookError("不是 Excel 文件：请上传 .xlsx 格式的工作簿")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise WorkbookError("文件已损坏，无法打开（不是完整的 .xlsx 文件）") from error
    with archive:
        if len(members) > MAX_ZIP_MEMBERS:
            raise WorkbookError("文件结构异常：包含的部件过多")
        declared = sum(member.file_size for member in members)
        compressed = sum(member.compress_size for member in members)
        limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
        if declared > limit or (declared > RATIO_CHECK_FROM and declared > MAX_RATIO * max(compressed, 1)):
            raise _too_big(limit)
        names = {member.filename for member in members}
        if "xl/workbook.xml" not in names:
            raise WorkbookError("不是 Excel 工作簿：文件中没有工作表（可能是 Word 或其他压缩文件）")
        paths = sheet_paths(archive)
        budget = [limit]
        scans: dict[str, SheetScan] = {}
        by_path = {path: name for name, path in paths}
        for member in members:
            if member.filename in by_path:
                name = by_path[member.filename]
                scans[name] = scan_sheet(archive, member, budget, name)
            elif member.filename.lower() == SHARED_STRINGS:
                scan_shared_strings(archive, member, budget)
            else:
                drain(archive, member, budget)
    return scans


def _too_big(limit: int) -> WorkbookError:
    return WorkbookError(f"文件解压后超过 {limit // (1024 * 1024)} MB，可能是恶意构造的压缩文件，已拒绝导入")


def sheet_paths(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, path of its XML in the package) in workbook order."""
    directory = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
    if any(m.file_size > MAX_DIRECTORY_BYTES for m in archive.infolist() if m.filename in directory):
        raise WorkbookError("文件结构异常：工作表目录过大，可能是恶意构造的文件，已拒绝导入")
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, zlib.error, ValueError) as error:
        raise WorkbookError("文件已损坏，无法读取工作表目录") from error
    except Exception as error:  # defusedxml refuses entity tricks with its own exception types
        raise WorkbookError("文件结构异常，已拒绝导入") from error
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels if rel.tag.endswith("Relationship")}
    result = []
    for sheet in workbook.iter():
        if not sheet.tag.endswith("}sheet"):
            continue
        rel_id = next((value for key, value in sheet.attrib.items() if key.endswith("}id")), None)
        target = targets.get(rel_id, "")
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        result.append((sheet.get("name", ""), str(PurePosixPath(path))))
    return result


def _read_chunks(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: list[int], size: int = CHUNK_BYTES
) -> Iterator[bytes]:
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(size):
                budget[0] -= len(chunk)
                if budget[0] < 0:
                    raise _too_big(settings.IMPORT_MAX_UNCOMPRESSED_BYTES)
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as error:
        raise WorkbookError("文件已损坏，无法打开（压缩数据校验失败）") from error
    except RuntimeError as error:  # zipfile: "File is encrypted, password required"
        raise WorkbookError("文件已加密，请在 Excel 中取消密码保护后再导入") from error


def drain(archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: list[int]) -> None:
    """Inflate a member only to count its real size: a zip directory can lie about it."""
    for _chunk in _read_chunks(archive, member, budget):
        pass


# "<row" and "</row" (and the same for cells and shared strings), the slash captured: splitting on
# them gives what follows each opening tag, in one pass of the regex engine.
ROW_TAG_RE = re.compile(rb"<(/?)(?:\w+:)?row\b")
# Most files write their tags without a namespace prefix, which this finds three times as fast.
PLAIN_ROW_TAG_RE = re.compile(rb"<(/?)row\b")
CELL_TAG_RE = re.compile(rb"<(/?)(?:\w+:)?c\b")
PLAIN_CELL_TAG_RE = re.compile(rb"<(/?)c\b")
STRING_TAG_RE = re.compile(rb"<(/?)(?:\w+:)?si\b")
ROW_NUMBER_RE = re.compile(rb'\sr="(\d+)"')
# Greedy up to the last match: the regex engine walks back from the end of the data, so finding the
# last end tag of a chunk costs the bytes after it, not the whole chunk.
LAST_ROW_END_RE = re.compile(rb"(?s:.*)</(?:\w+:)?row>")
LAST_STRING_END_RE = re.compile(rb"(?s:.*)</(?:\w+:)?si>")
SHEET_DATA_END_RE = re.compile(rb"</(?:\w+:)?sheetData>|<(?:\w+:)?sheetData\s*/>")
FORMULA_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")
CELL_END_RE = re.compile(rb"</(?:\w+:)?c>")
VALUE_RE = re.compile(rb"<(?:\w+:)?v>([^<]+)</(?:\w+:)?v>")
REF_RE = re.compile(rb'\br="([A-Z]+)(\d+)"')
# The text a cell shows: its <t> runs and its <v>; phonetic guides (<rPh>) are not part of it.
# No pattern here may run past the next "<" or tag end, so that none can go quadratic on a crafted cell.
TEXT_RE = re.compile(rb"<(?:\w+:)?([tv])\b[^<>]*>([^<]*)</(?:\w+:)?\1>")
PLAIN_TEXT_RE = re.compile(rb"<([tv])\b[^<>]*>([^<]*)</\1>")
PHONETIC_TAG_RE = re.compile(rb"<(/?)(?:\w+:)?rPh\b")
ESCAPED_CHARACTER_RE = re.compile(r"_x[0-9A-Fa-f]{4}_")


def scan_sheet(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: list[int], sheet: str = ""
) -> SheetScan:
    """Count rows and find formula cells without a cached value, streaming the sheet XML once.

    Refuses what no spreadsheet holds, before calamine would hold it in memory: a row larger than
    IMPORT_MAX_ROW_BYTES (a row that never ends is one), a cell over Excel's 32,767 characters, a
    single tag or text larger than a row may be.
    """
    limit = settings.IMPORT_MAX_ROW_BYTES
    scan = SheetScan()

    def row_too_big(head: bytes) -> WorkbookError:
        number = ROW_NUMBER_RE.search(head)
        row = int(number.group(1)) if number else scan.rows + 1
        return WorkbookError(
            f"工作表“{sheet}”第{row}行的数据超过 {_size(limit)}，可能是恶意构造的文件，已拒绝导入"
        )

    def markup_too_big() -> WorkbookError:
        return WorkbookError(
            f"工作表“{sheet}”中有超过 {_size(limit)} 的单个标签或文本，可能是恶意构造的文件，已拒绝导入"
        )

    chunks = _read_chunks(archive, member, budget, min(CHUNK_BYTES, limit))
    for part in _whole_items(
        _bounded_markup(chunks, limit, markup_too_big), LAST_ROW_END_RE, limit, row_too_big, SHEET_DATA_END_RE
    ):
        rows = _contents(part, ROW_TAG_RE if b":row" in part else PLAIN_ROW_TAG_RE)
        scan.rows += len(rows)
        # A character takes at least a byte: only a long row can hold a cell that is too long.
        for row in _longer_than(MAX_CELL_CHARS, rows):
            if len(row) > limit:
                raise row_too_big(row[:ROW_HEAD_BYTES])
            _check_cells(row, sheet)
        # Formulas are rare: a byte search rules most parts out faster than the regex.
        if b"<f" in part or b":f" in part:
            _check_formulas(part, scan)
    return scan


def scan_shared_strings(archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: list[int]) -> None:
    """Refuse a shared string over Excel's 32,767 characters, streaming the table once.

    Most text of a workbook Excel wrote lives here, and calamine reads all of it on opening.
    """
    limit = settings.IMPORT_MAX_ROW_BYTES

    def string_too_big(_head: bytes) -> WorkbookError:
        return WorkbookError(f"文件中有单元格的内容超过 {_size(limit)}，可能是恶意构造的文件，已拒绝导入")

    chunks = _read_chunks(archive, member, budget, min(CHUNK_BYTES, limit))
    for part in _whole_items(chunks, LAST_STRING_END_RE, limit, string_too_big):
        for string in _longer_than(MAX_CELL_CHARS, _contents(part, STRING_TAG_RE)):
            if (length := cell_length(string)) > MAX_CELL_CHARS:
                raise WorkbookError(
                    f"文件中有单元格的内容有 {length} 个字符，超过 Excel 单元格 {MAX_CELL_CHARS} 个字符的上限，"
                    "可能是恶意构造的文件，已拒绝导入"
                )


def _contents(xml: bytes, tag: re.Pattern[bytes]) -> list[bytes]:
    """What follows each opening tag `tag` finds (its attributes and content), up to the next tag it finds."""
    pieces = tag.split(xml)  # text, "" or "/", text, "" or "/", text …
    return list(itertools.compress(pieces[2::2], map(operator.not_, pieces[1::2])))


def _longer_than(size: int, items: list[bytes]) -> list[bytes]:
    """The items longer than `size` bytes; `max` rules out the usual case of none at C speed."""
    if max(map(len, items), default=0) <= size:
        return []
    return [item for item in items if len(item) > size]


def _whole_items(
    chunks: Iterable[bytes],
    last_end: re.Pattern[bytes],
    limit: int,
    too_big: Callable[[bytes], WorkbookError],
    stop: re.Pattern[bytes] | None = None,
) -> Iterator[bytes]:
    """The XML in parts that each end just after an item (a row, a shared string): no item is cut in two.

    What follows the last item end is carried to the next chunk, kept in the chunks it came in and
    joined once, when its item ends: however long an item, each byte is searched for an end tag once
    and copied twice (into the chunk's window, into its part). Carrying more than `limit` bytes is refused (`too_big` is given their beginning,
    to name the row). After `stop` (the end of a sheet's rows) nothing is carried any more.
    """
    carried: list[bytes] = []
    carried_bytes = 0
    # The last bytes carried, for an end tag cut in two by a chunk boundary; never any before a cut.
    seam = b""
    stopped = False
    for chunk in chunks:
        if stopped:
            continue  # read on all the same: the budget counts every byte the member inflates to
        window = seam + chunk
        end = last_end.match(window)
        if end is not None and end.end() > len(seam):
            cut = end.end() - len(seam)
            yield b"".join([*carried, chunk[:cut]])
            carried, carried_bytes = [chunk[cut:]], len(chunk) - cut
            seam, after_cut = chunk[max(cut, len(chunk) - SEAM_BYTES) :], end.end()
        else:
            carried.append(chunk)
            carried_bytes += len(chunk)
            seam, after_cut = window[-SEAM_BYTES:], 0
        if stop is not None and stop.search(window, after_cut):
            stopped = True
            yield b"".join(carried)
            carried, carried_bytes = [], 0
        if carried_bytes > limit:
            raise too_big(b"".join(carried[:2])[:ROW_HEAD_BYTES])
    if carried:
        yield b"".join(carried)


def _bounded_markup(
    chunks: Iterable[bytes], limit: int, too_big: Callable[[], WorkbookError]
) -> Iterator[bytes]:
    """The chunks, refusing more than `limit` bytes without a "<": a single tag or text that large,
    which an XML parser holds whole in memory. Chunks are no larger than the limit, so only a run
    across chunk boundaries can be too long.
    """
    run = 0  # bytes since the last "<"
    for chunk in chunks:
        last = chunk.rfind(b"<")
        if last < 0:
            run += len(chunk)
        elif run + chunk.find(b"<") > limit:
            run = limit + 1
        else:
            run = len(chunk) - last - 1
        if run > limit:
            raise too_big()
        yield chunk


def _check_cells(row: bytes, sheet: str) -> None:
    """Refuse a cell of this row's XML over Excel's 32,767 characters."""
    # A long row is mostly many short cells: without prefixed tags, every cell ends with "</c>",
    # and splitting on that literal rules them all out several times faster than the regex.
    plain = b":c" not in row
    if plain and max(map(len, row.split(b"</c>"))) <= MAX_CELL_CHARS:
        return
    for cell in _longer_than(MAX_CELL_CHARS, _contents(row, PLAIN_CELL_TAG_RE if plain else CELL_TAG_RE)):
        if (length := cell_length(cell)) > MAX_CELL_CHARS:
            ref = REF_RE.search(cell)
            where = f"单元格 {ref.group(1).decode()}{ref.group(2).decode()} " if ref else "有单元格"
            raise WorkbookError(
                f"工作表“{sheet}”{where}的内容有 {length} 个字符，超过 Excel 单元格 {MAX_CELL_CHARS} 个字符的上限，"
                "可能是恶意构造的文件，已拒绝导入"
            )


def cell_length(xml: bytes) -> int:
    """The characters a cell (or shared string) shows, counted as Excel counts them (UTF-16 units)."""
    pieces = PHONETIC_TAG_RE.split(xml) if b"rPh" in xml else [xml]  # text, "" or "/", text …
    shown = [pieces[0], *itertools.compress(pieces[2::2], pieces[1::2])]  # what follows "</rPh"
    texts = TEXT_RE if b":t" in xml or b":v" in xml else PLAIN_TEXT_RE
    text = "".join(
        html.unescape(match.group(2).decode("utf-8", "replace"))
        for piece in shown
        for match in texts.finditer(piece)
    )
    # "_x000D_" is how the file format writes one control character.
    text = ESCAPED_CHARACTER_RE.sub("_", text)
    return len(text.encode("utf-16-le")) // 2


def _size(count: int) -> str:
    """4194304 → "4 MB", 65536 → "64 KB"."""
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):g} MB"
    return f"{count / 1024:g} KB"


def _check_formulas(xml: bytes, scan: SheetScan) -> None:
    """Record the formula cells of whole rows of XML that carry no cached value.

    Each search starts where the cell before ended, so that crafted XML (formula elements with no
    cell around them, cells that never end) costs one pass, not one pass per formula.
    """
    done = 0  # where the cell last looked at ends
    for formula in FORMULA_RE.finditer(xml):
        position = formula.start()
        if position < done:
            continue  # another formula element of the cell just looked at
        end = CELL_END_RE.search(xml, position)
        if end is None:
            return
        start = max(xml.rfind(b"<c ", done, position), xml.rfind(b":c ", done, position))
        done = end.end()
        if start < 0:
            continue
        cell = xml[start : end.start()]
        if VALUE_RE.search(cell):
            continue
        ref = REF_RE.search(cell)
        if ref is not None:
            scan.formulas_without_value.append((int(ref.group(2)) - 1, column_index(ref.group(1).decode())))


def column_index(letters: str) -> int:
    """ "A" → 0, "AB" → 27."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# Header and body -------------------------------------------------------------------------------

TOTAL_RE = re.compile(r"^(合计|总计|小计|共计|其中)")
SECTION_WIDTH = str.maketrans("（）．", "().")
SECTION_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+$)"
)
NOTE_RE = re.compile(
    r"^(?:(?:备注|说明|注|附注)\s*\d*\s*[:：]|注\s*\d|填表说明|填表人|填报人|制表人|审核人|负责人[:：]|填报单位|备注$|说明$)"
)


@dataclass
class _Header:
    table: Table
    row: int  # 0-based row of the (first) header line
    two_rows: bool
    columns: dict[int, Column]  # absolute column index → column
    texts: dict[int, str]
    year: int | None
    ignored: list[str]
    score: int


def _texts(row: list[Any], offset: int) -> dict[int, str]:
    return {offset + i: str(cell) for i, cell in enumerate(row) if isinstance(cell, str) and cell.strip()}


def _match_header(table: Table, main: dict[int, str], sub: dict[int, str], row: int) -> _Header:
    two_rows = any(is_group_header(text) for text in main.values()) or any(
        match_header(table, text)[0] is not None and (col not in main or is_group_header(main[col]))
        for col, text in sub.items()
    )
    columns: dict[int, Column] = {}
    texts: dict[int, str] = {}
    seen: set[str] = set()
    year = None
    ignored = []
    for col in sorted(set(main) | (set(sub) if two_rows else set())):
        for text in [sub.get(col), main.get(col)] if two_rows else [main.get(col)]:
            if not text:
                continue
            column, header_year = match_header(table, text)
            if column is not None and column.key not in seen:
                seen.add(column.key)
                columns[col], texts[col] = column, re.sub(r"\s+", "", text)
                year = header_year or year
                break
        else:
            text = sub.get(col) if two_rows and sub.get(col) else main.get(col)
            if text and not is_group_header(text):
                ignored.append(re.sub(r"\s+", "", text))
    official = {column.key for column in table.columns}
    score = len(seen & official) + (10 if "name" in seen else 0)
    return _Header(table, row, two_rows, columns, texts, year, ignored, score)


def find_header(head: list[list[Any]], offset: int, table_number: int | None) -> _Header | None:
    """The header in the first rows: the row naming most columns, the table it belongs to."""
    tables = [TABLES[table_number]] if table_number else list(TABLES.values())
    best: _Header | None = None
    for row_index, row in enumerate(head):
        main = _texts(row, offset)
        if len(main) < 2:
            continue
        sub = _texts(head[row_index + 1], offset) if row_index + 1 < len(head) else {}
        for table in tables:
            header = _match_header(table, main, sub, row_index)
            if "name" not in {c.key for c in header.columns.values()} or len(header.columns) < 3:
                continue
            if best is None or header.score > best.score:
                best = header
    if best is not None and table_number is None:
        rivals = [
            _match_header(table, _texts(head[best.row], offset), _sub_texts(head, best.row, offset), best.row)
            for table in TABLES.values()
            if table is not best.table
        ]
        if any(rival.score == best.score for rival in rivals):
            raise WorkbookError("无法根据表头判断是附件1、2还是3，请在导入时选择表格")
    return best


def _sub_texts(head: list[list[Any]], row: int, offset: int) -> dict[int, str]:
    return _texts(head[row + 1], offset) if row + 1 < len(head) else {}


def read_table(
    data: bytes, filename: str, table_number: int | None = None, year: int | None = None
) -> ParsedSheet:
    """Check the file, find the table's header in the first sheet that has one, read its body rows."""
    scans = check_file(data, filename)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError as error:
        raise WorkbookError("文件已加密，请在 Excel 中取消密码保护后再导入") from error
    except Exception as error:  # calamine raises its own error types for every kind of damage
        raise WorkbookError("文件已损坏，无法读取工作簿") from error
    max_rows = settings.IMPORT_MAX_ROWS
    any_content = False
    with book:
        for index, meta in enumerate(book.sheets_metadata):
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            scan = scans.get(meta.name, SheetScan())
            if scan.rows > max_rows + HEADER_SCAN_ROWS:
                raise WorkbookError(
                    f"工作表“{meta.name}”有 {scan.rows} 行，超过单次导入 {max_rows} 行的上限，请分批导入"
                )
            try:
                sheet = book.get_sheet_by_index(index)
            except Exception as error:
                raise WorkbookError(f"工作表“{meta.name}”已损坏，无法读取") from error
            if sheet.start is None:
                continue
            any_content = True
            offset = sheet.start[1]
            rows = iter(sheet.iter_rows())
            head = list(itertools.islice(rows, HEADER_SCAN_ROWS))
            header = find_header(head, offset, table_number)
            if header is None:
                continue
            return _read_body(meta.name, sheet, header, head, rows, offset, scan, max_rows, year)
    if not any_content:
        raise WorkbookError("工作簿是空的：没有任何内容")
    wanted = TABLES[table_number].label if table_number else "附件1、2或3"
    raise WorkbookError(f"未找到表头：前{HEADER_SCAN_ROWS}行中没有{wanted}的列名（如“项目名称”“总投资”）")


def _merged_cells(
    sheet: Any, first_body_row: int, columns: dict[int, Column]
) -> tuple[dict[tuple[int, int], tuple[int, int]], set[tuple[int, int]]]:
    """Cells of the body covered by a merge → the merge's top-left cell; and those top-left cells.

    Calamine gives a merged range's value in its top-left cell only; a merged 责任单位 belongs to
    every row it spans, so the value is carried to them (amounts are not: a merged amount is a subtotal).
    """
    covered: dict[tuple[int, int], tuple[int, int]] = {}
    for (top, left), (bottom, right) in sheet.merged_cell_ranges or ():
        if bottom < first_body_row:
            continue
        for row in range(max(top, first_body_row), bottom + 1):
            for col in range(left, right + 1):
                column = columns.get(col)
                if (row, col) != (top, left) and column is not None and column.carries_down:
                    covered[(row, col)] = (top, left)
    return covered, set(covered.values())


def _read_body(
    sheet_name: str,
    sheet: Any,
    header: _Header,
    head: list[list[Any]],
    rest: Iterator[list[Any]],
    offset: int,
    scan: SheetScan,
    max_rows: int,
    year: int | None,
) -> ParsedSheet:
    table = header.table
    by_key = {column.key: col for col, column in header.columns.items()}
    missing = [table.column(key) for key in table.required if key not in by_key]
    if missing:
        names = "、".join(f"“{column.title(year or header.year or 0)}”" for column in missing if column)
        raise WorkbookError(f"缺少必需的列：{names}。请检查表头是否为{table.label}的格式")
    first_body = header.row + (2 if header.two_rows else 1)
    covered, tops = _merged_cells(sheet, first_body, header.columns)
    merge_values: dict[tuple[int, int], Any] = {}
    name_col = by_key["name"]
    seq_col = by_key.get("seq", -1)
    wanted = sorted(header.columns.items())
    positions = {column.key: index for index, (_col, column) in enumerate(wanted)}
    name_at, seq_at = positions["name"], positions.get("seq")
    rows: list[SheetRow] = []
    # Formula cells without a cached value read as blank: their rows are data rows all the same.
    uncalculated = {row for row, col in scan.formulas_without_value if col in header.columns}
    body = itertools.chain(enumerate(head[first_body:], start=first_body), enumerate(rest, start=len(head)))
    for row_index, cells in body:
        values = [cells[col - offset] if 0 <= col - offset < len(cells) else "" for col, _column in wanted]
        if covered or tops:
            for index, (col, _column) in enumerate(wanted):
                if (row_index, col) in covered:
                    values[index] = merge_values.get(covered[(row_index, col)], values[index])
                elif (row_index, col) in tops:
                    merge_values[(row_index, col)] = values[index]
        if _is_note(cells, offset, max(name_col, seq_col)):
            break
        filled = sum(1 for value in values if value != "" and value is not None)
        seq_value = values[seq_at] if seq_at is not None else ""
        only_seq = filled == 1 and seq_value != "" and seq_value is not None
        if (filled == 0 or only_seq) and row_index not in uncalculated:
            continue
        name = normalize_header(values[name_at])
        seq = normalize_header(seq_value)
        if TOTAL_RE.match(name) or TOTAL_RE.match(seq):
            continue
        # Headings ("一、产业项目", "（二）续建项目") keep their "、", which header normalising drops.
        raw_name, raw_seq = _plain(values[name_at]), _plain(seq_value)
        if not _is_number(seq) and (SECTION_RE.match(raw_name) or SECTION_RE.match(raw_seq)):
            continue
        rows.append(SheetRow(row_index + 1, positions, tuple(values)))
        if len(rows) > max_rows:
            raise WorkbookError(f"数据超过单次导入 {max_rows} 行的上限，请分批导入")
    read = {row.number - 1 for row in rows}
    issues = [
        Issue(
            row + 1, header.texts[col], FORMULA_WITHOUT_VALUE % {"row": row + 1, "column": header.texts[col]}
        )
        for row, col in scan.formulas_without_value
        if row in read and col in header.columns
    ]
    header_rows = (header.row + 1, header.row + 2) if header.two_rows else (header.row + 1,)
    return ParsedSheet(
        table=table,
        sheet_name=sheet_name,
        header_rows=header_rows,
        columns={column.key: column for column in header.columns.values()},
        headers={column.key: header.texts[col] for col, column in header.columns.items()},
        header_year=header.year,
        rows=rows,
        issues=issues,
        ignored_headers=header.ignored,
    )


def _plain(value: object) -> str:
    """A cell's text without whitespace, full-width brackets and dots made half-width."""
    return re.sub(r"\s+", "", str(value or "")).translate(SECTION_WIDTH)


def _is_number(text: str) -> bool:
    return bool(re.match(r"^\d+(\.0)?$", text))


def _is_note(cells: list[Any], offset: int, last_key_col: int) -> bool:
    """A notes line at the end: its first filled cell, at the left of the table, opens with 注/说明/填表人 …"""
    for position, cell in enumerate(cells):
        if cell == "" or cell is None:
            continue
        return (
            offset + position <= last_key_col and isinstance(cell, str) and bool(NOTE_RE.match(cell.strip()))
        )
    return False

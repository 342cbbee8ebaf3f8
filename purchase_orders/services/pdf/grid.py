"""A ruled table drawn straight on the canvas, for the thousands of lines an order may have.

ReportLab's ``Table`` wraps, styles and draws every cell as a flowable of
its own, then measures the table again each time it splits at a page: about
3 ms a line. ``Grid`` takes its columns' widths as given, wraps each cell's
text once (``wrap_text``), and draws a page of rows as one ruled grid and
one text object per font. It splits itself at a page boundary (``split``),
drawing its heading row again at the top of every part.
"""

from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib.rl_accel import escapePDF
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

LEFT, RIGHT = "left", "right"


@lru_cache(maxsize=65536)
def _width(text: str, font: str, size: float) -> float:
    return stringWidth(text, font, size)


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """Return ``text`` in lines no wider than ``width``: at spaces, else inside a word.

    Its own line breaks are kept; a word wider than the column is cut
    between letters rather than let run into the next column. Each word is
    measured once (words recur from line to line), then the lines filled.
    """
    text = "" if text is None else str(text)
    lines = []
    space = _width(" ", font, size)
    for paragraph in text.split("\n"):
        line, filled = [], 0.0
        for word in paragraph.split(" "):
            wide = _width(word, font, size)
            if line and filled + space + wide <= width:
                line.append(word)
                filled += space + wide
                continue
            if line:
                lines.append(" ".join(line))
            if wide > width and len(word) > 1:
                word, wide = _cut_word(word, font, size, width, lines)
            line, filled = [word], wide
        lines.append(" ".join(line))
    return lines


def _cut_word(word: str, font: str, size: float, width: float, lines: list) -> tuple[str, float]:
    """Append the pieces of ``word`` that fill the width to ``lines``; return the rest, its width.

    Each letter is measured once and the pieces cut where their running
    width would pass ``width`` (a piece holds one letter at least), so a
    word of any length costs its length, not its length squared.
    """
    widths = [_width(letter, font, size) for letter in word]
    start, used = 0, 0.0
    for index, letter_width in enumerate(widths):
        if used + letter_width > width and index > start:
            lines.append(word[start:index])
            start, used = index, 0.0
        used += letter_width
    return word[start:], used


@dataclass(frozen=True)
class Column:
    heading: str
    width: float
    align: str = LEFT


@dataclass(frozen=True)
class Look:
    """The grid's fonts, sizes, padding and colours, in points and RGB."""

    font: str
    bold: str
    size: float = 7
    leading: float = 8.5
    heading_size: float = 6.5
    heading_leading: float = 8
    padding_x: float = 2
    padding_top: float = 1.5
    padding_bottom: float = 2
    rule: float = 0.5
    rule_colour: tuple = (0.6, 0.6, 0.6)
    shade: tuple = (0.93, 0.93, 0.93)


class _Layout:
    """The wrapped cells of every row and where each row ends, shared by a grid's parts.

    A cell is kept as its lines, each with where it starts across the grid.
    """

    def __init__(self, columns, rows, look: Look, tallest: float):
        self.columns, self.look = columns, look
        self._placed = {}
        # How each text is split into the font's subsets, in the document drawn last.
        self.document, self.encoded = None, {}
        self.heading = [
            self._cell([column.heading], index, look.bold, look.heading_size)
            for index, column in enumerate(columns)
        ]
        self.heading_height = self._height(self.heading, look.heading_leading)
        # A row taller than a page is carried on in the next row of the grid.
        most = max(1, int((tallest - self.heading_height - self._height([[]], 0)) / look.leading))
        self.rows = []
        # A body cell of one text (most are) is its column's wrapped text as
        # is: the same text in the same column is wrapped once per grid.
        known = [{} for _ in columns]
        font, size = look.font, look.size
        for row in rows:
            cells = []
            depth = 0
            for index, texts in enumerate(row):
                if len(texts) == 1:
                    text = texts[0]
                    cell = known[index].get(text)
                    if cell is None:
                        cell = known[index][text] = self._place(text, index, font, size)
                else:
                    cell = self._cell(texts, index, font, size)
                cells.append(cell)
                depth = max(depth, len(cell))
            if depth <= most:
                self.rows.append(cells)
                continue
            for start in range(0, depth, most):
                self.rows.append([cell[start : start + most] for cell in cells])
        self.ends = []
        total = 0.0
        for cells in self.rows:
            total += self._height(cells, look.leading)
            self.ends.append(total)

    def _cell(self, texts, index: int, font: str, size: float) -> list[tuple[float, str]]:
        lines = []
        for text in texts:
            key = (text, index, font)
            placed = self._placed.get(key)
            if placed is None:
                placed = self._placed[key] = self._place(text, index, font, size)
            lines += placed
        return lines

    def _place(self, text, index: int, font: str, size: float) -> list[tuple[float, str]]:
        """Wrap one text to its column and say where each of its lines starts."""
        padding = self.look.padding_x
        left = sum(column.width for column in self.columns[:index])
        column = self.columns[index]
        inner = column.width - 2 * padding
        lines = wrap_text(text, font, size, inner)
        if column.align != RIGHT:
            return [(left + padding, line) for line in lines]
        right = left + column.width - padding
        return [(right - stringWidth(line, font, size), line) for line in lines]

    def _height(self, cells, leading: float) -> float:
        depth = max((len(cell) for cell in cells), default=0)
        return self.look.padding_top + depth * leading + self.look.padding_bottom

    def top(self, start: int) -> float:
        return self.ends[start - 1] if start else 0.0


class Grid(Flowable):
    """Rows of text under a heading row, ruled, splitting at page boundaries.

    ``rows`` are lists of cells, a cell a list of texts each starting a new
    line (plain text: nothing in it is read as markup). ``tallest`` is the
    height of the page's frame: a row taller than that goes on over rows.
    """

    def __init__(self, columns, rows, look: Look, *, tallest: float, _part=None):
        super().__init__()
        if _part is None:
            self._layout = _Layout(columns, rows, look, tallest)
            self._start, self._end = 0, len(self._layout.rows)
        else:
            self._layout, self._start, self._end = _part
        self.hAlign = "LEFT"

    def _part(self, start: int, end: int) -> "Grid":
        return Grid(None, None, None, tallest=0, _part=(self._layout, start, end))

    def _rows_height(self, end: int) -> float:
        return self._layout.top(end) - self._layout.top(self._start)

    def wrap(self, available_width, available_height):
        self.width = sum(column.width for column in self._layout.columns)
        self.height = self._layout.heading_height + self._rows_height(self._end)
        return self.width, self.height

    def split(self, available_width, available_height):
        layout = self._layout
        room = available_height - layout.heading_height + layout.top(self._start)
        end = min(bisect_right(layout.ends, room + 1e-6), self._end)
        if end <= self._start:
            return []
        if end == self._end:
            return [self]
        return [self._part(self._start, end), self._part(end, self._end)]

    def draw(self):
        layout, look, canvas = self._layout, self._layout.look, self.canv
        columns = layout.columns
        xs = [0.0]
        for column in columns:
            xs.append(xs[-1] + column.width)
        height = layout.heading_height + self._rows_height(self._end)
        ys = [height, height - layout.heading_height]
        base = layout.top(self._start)
        ys += [ys[1] - (layout.ends[index] - base) for index in range(self._start, self._end)]

        canvas.saveState()
        canvas.setFillColorRGB(*look.shade)
        canvas.rect(0, ys[1], xs[-1], layout.heading_height, stroke=0, fill=1)
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setStrokeColorRGB(*look.rule_colour)
        canvas.setLineWidth(look.rule)
        # The rules as one path (``canvas.grid`` measures out each end of each rule).
        left, right, top, bottom = (f"{v:.2f}" for v in (xs[0], xs[-1], ys[0], ys[-1]))
        rules = [f"{x:.2f} {top} m {x:.2f} {bottom} l" for x in xs]
        rules += [f"{left} {y:.2f} m {right} {y:.2f} l" for y in ys]
        canvas.addLiteral("n " + " ".join(rules) + " S")
        self._write(look.bold, look.heading_size, look.heading_leading, [layout.heading], ys[:1])
        self._write(
            look.font, look.size, look.leading, layout.rows[self._start : self._end], ys[1:-1]
        )
        canvas.restoreState()

    def _write(self, font_name: str, size: float, leading: float, rows, tops) -> None:
        """Write the rows' text, each row's cells left to right, as one text object.

        The operators are written as ReportLab's dynamic (TrueType) fonts
        document it (``pdfbase/ttfonts.py``): each text split into the font's
        subsets, each subset named by the font. The split of a text is
        remembered, so that a text met again (a unit, a rate, "—") costs a
        look-up; a text object of ReportLab's would also measure every text
        to move a cursor the grid does not use.
        """
        canvas, layout = self.canv, self._layout
        document = canvas._doc
        if layout.document is not document:
            layout.document, layout.encoded = document, {}
        encoded = layout.encoded
        font = pdfmetrics.getFont(font_name)
        padding = layout.look.padding_top
        subset_names = {}
        current = None
        code = ["BT"]
        add = code.append
        # Where lines start, written once each: a few columns, a few lines a row.
        lefts = {}
        for cells, top in zip(rows, tops, strict=True):
            downs, y = [], top - padding - size
            for _ in range(max((len(cell) for cell in cells), default=0)):
                downs.append(f"{y:.2f} Tm")
                y -= leading
            for cell in cells:
                # A cell may have fewer lines than its row.
                for (x, line), down in zip(cell, downs, strict=False):
                    if line:
                        key = (font_name, line)
                        chunks = encoded.get(key)
                        if chunks is None:
                            chunks = encoded[key] = [
                                (subset, escapePDF(chunk))
                                for subset, chunk in font.splitString(line, document)
                            ]
                        left = lefts.get(x)
                        if left is None:
                            left = lefts[x] = f"1 0 0 1 {x:.2f}"
                        add(f"{left} {down}")
                        for subset, chunk in chunks:
                            if subset != current:
                                name = subset_names.get(subset)
                                if name is None:
                                    name = subset_names[subset] = font.getSubsetInternalName(
                                        subset, document
                                    )
                                add(f"{name} {size} Tf")
                                current = subset
                            add(f"({chunk}) Tj")
        add("ET")
        canvas.addLiteral("\n".join(code))

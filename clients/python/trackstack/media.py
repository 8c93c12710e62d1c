"""Rich media logged per step beside metrics: `run.log({"samples": Image(...), "weights": Histogram(...)}, step=s)`.

Each kind turns what the caller gives into the server's MediaItemInput when it is made, so the caller may change
its array or file afterwards. numpy arrays and PIL images are recognised only when the caller has imported those
packages (such an object cannot exist otherwise): this module imports neither.
"""
from __future__ import annotations

import base64
import io
import json
import math
import numbers
import struct
import sys
import zlib
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from .api import encode_value


class Media:
    """A media value of `Run.log()`: one item of a series, at the step it is logged at."""

    kind = ""

    def __init__(self, caption: Optional[str] = None) -> None:
        self.caption = caption
        self.error: Optional[str] = None  # why the item cannot be logged (then log() skips it with a warning)

    def _input(self) -> Dict[str, Any]:
        """The item's field of MediaItemInput (`image`, `histogram`, `table` or `text`)."""
        raise NotImplementedError

    def item(self, name: str, step: int) -> Dict[str, Any]:
        """The MediaItemInput that logs this at (name, step)."""
        item = {"name": name, "step": step, self.kind: self._input()}
        if self.caption is not None:
            item["caption"] = self.caption
        return item


class Image(Media):
    """An image: PNG, JPEG or WebP.

    data: a path of such a file, its bytes, a numpy array (H×W grey, H×W×3 RGB or H×W×4 RGBA; uint8 or other
    integers in 0..255, bools as black and white, floats in 0..1, clipped to it, scaled to 0..255), encoded as
    PNG here, a PyTorch tensor (C×H×W, as torchvision makes images, or H×W; the same values), or a PIL image
    (saved as PNG by PIL). caption: shown under it. boxes: drawn over it, each
    {"x", "y", "width", "height"} as fractions of the image's size (from its top left corner), with an optional
    "label" and "score". masks: class masks drawn over it, each {"data": an H×W array (or image) of class ids,
    "classes": {id: label}}.
    """

    kind = "image"

    def __init__(self, data: Any, caption: Optional[str] = None,
                 boxes: Optional[Sequence[Mapping[str, Any]]] = None,
                 masks: Optional[Sequence[Mapping[str, Any]]] = None) -> None:
        super().__init__(caption)
        self.data = image_bytes(data)
        self.format = image_format(self.data)
        if self.format is None:
            raise ValueError("not a PNG, JPEG or WebP image")
        self.overlays: Dict[str, Any] = {}
        if boxes:
            self.overlays["boxes"] = [_box(box) for box in boxes]
        if masks:
            self.overlays["masks"] = [_mask(mask) for mask in masks]

    def _input(self) -> Dict[str, Any]:
        image = {"data": base64.b64encode(self.data).decode("ascii")}
        if self.overlays:
            image["overlays"] = self.overlays
        return image


def image_bytes(data: Any) -> bytes:
    """The file bytes of what Image() takes (a path, bytes, a numpy array, a PyTorch tensor or a PIL image)."""
    if isinstance(data, (str, Path)):
        return Path(data).expanduser().read_bytes()
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(data, numpy.ndarray):
        return png_of_array(data)
    if hasattr(data, "detach"):  # a PyTorch tensor: C×H×W as torchvision makes them (or H×W), as W&B takes it
        array = data.detach().cpu().numpy()
        return png_of_array(array.transpose(1, 2, 0) if array.ndim == 3 else array)
    pil = sys.modules.get("PIL.Image")
    if pil is not None and isinstance(data, pil.Image):
        if data.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):  # e.g. CMYK, F: not in a PNG
            data = data.convert("RGBA" if "A" in data.mode else "RGB")
        buffer = io.BytesIO()
        data.save(buffer, format="PNG")
        return buffer.getvalue()
    raise TypeError(f"an image must be a path, bytes, a numpy array, a PyTorch tensor or a PIL image, not {type(data).__name__}")


def image_format(data: bytes) -> Optional[str]:
    """PNG, JPEG or WEBP by the file's first bytes, as the server recognises it; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


# PNG colour types by the channels of a pixel: grey, grey and alpha, RGB, RGBA.
PNG_COLOUR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}


def png_of_array(array: Any) -> bytes:
    """A numpy array of pixels as an 8-bit PNG file (see Image for the shapes and value ranges it takes)."""
    numpy = sys.modules["numpy"]
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim != 3 or array.shape[2] not in PNG_COLOUR_TYPES or 0 in array.shape:
        raise ValueError(f"an image array must be H×W, H×W×3 or H×W×4, not {'×'.join(map(str, array.shape))}")
    if array.dtype.kind == "b":
        array = array.astype(numpy.uint8) * 255
    elif array.dtype.kind == "f":
        if not numpy.isfinite(array).all():
            raise ValueError("an image array holds NaN or ±Infinity")
        array = numpy.rint(numpy.clip(array, 0.0, 1.0) * 255)
    elif array.dtype.kind not in "iu":
        raise ValueError(f"an image array must hold numbers, not {array.dtype}")
    elif array.dtype != numpy.uint8 and (array.min() < 0 or array.max() > 255):
        raise ValueError("an image array of integers must hold 0 to 255")
    height, width, channels = array.shape
    # Each row starts with its filter type, 0 (none): the pixels as they are, left to zlib.
    rows = numpy.zeros((height, 1 + width * channels), numpy.uint8)
    rows[:, 1:] = array.reshape(height, width * channels)
    return png(width, height, PNG_COLOUR_TYPES[channels], rows.tobytes())


def png(width: int, height: int, colour_type: int, rows: bytes) -> bytes:
    """A PNG file of 8-bit samples: `rows` are the image's rows, each its filter byte and then its pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 6))
            + chunk(b"IEND", b""))


def _box(box: Mapping[str, Any]) -> Dict[str, Any]:
    missing = [key for key in ("x", "y", "width", "height") if key not in box]
    if missing:
        raise ValueError(f"a box needs x, y, width and height (fractions of the image's size); {box!r} lacks "
                         + ", ".join(missing))
    return {key: (str(value) if key == "label" else float(value)) for key, value in box.items()}


def _mask(mask: Mapping[str, Any]) -> Dict[str, Any]:
    if "data" not in mask:
        raise ValueError("a mask needs its data: an array (or image) of class ids, one per pixel")
    classes = {str(int(key)): str(label) for key, label in (mask.get("classes") or {}).items()}
    return {"data": base64.b64encode(image_bytes(mask["data"])).decode("ascii"), "classes": classes}


class Histogram(Media):
    """A histogram: `values` (a list, a numpy array or a PyTorch tensor of numbers) binned here into `bins` (1 to
    1,024) equal bins from their minimum to their maximum, as numpy.histogram bins them (numpy.histogram itself for
    an array or a tensor), or bins given as `edges` (one more than `counts`, increasing) and `counts`.

    Values that hold NaN or ±Infinity are not binned: log() skips the histogram with a warning that names it and
    logs the rest of its call (a diverging model's weights are worth seeing as such, not as the finite rest).
    """

    kind = "histogram"

    def __init__(self, values: Any = None, bins: int = 64, edges: Optional[Sequence[float]] = None,
                 counts: Optional[Sequence[float]] = None) -> None:
        super().__init__()
        if (values is None) == (edges is None or counts is None):
            raise ValueError("a histogram needs either values or both edges and counts")
        if values is not None:
            if not 1 <= int(bins) <= 1024:
                raise ValueError("a histogram has 1 to 1,024 bins")
            if hasattr(values, "detach"):  # a PyTorch tensor, e.g. a layer's weights
                values = values.detach().cpu().numpy()
            bad = non_finite(values)
            if bad:
                self.error = f"{bad} of its values are NaN or ±Infinity"
                edges, counts = [], []
            else:
                edges, counts = binned(values, int(bins))
        self.edges = [float(edge) for edge in edges or []]
        self.counts = [float(count) for count in counts or []]

    def _input(self) -> Dict[str, Any]:
        return {"edges": self.edges, "counts": self.counts}


def non_finite(values: Any) -> int:
    """How many of the values are NaN or ±Infinity."""
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(values, numpy.ndarray):
        return int(values.size - numpy.count_nonzero(numpy.isfinite(values)))
    return sum(not math.isfinite(value) for value in values)


def binned(values: Any, bins: int) -> Tuple[List[float], List[float]]:
    """(edges, counts) of `bins` equal bins from the (finite) values' minimum to their maximum, the last bin
    holding the maximum; a range of one value is widened by 0.5 each way. As numpy.histogram bins them, which
    does it for a numpy array."""
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(values, numpy.ndarray):
        counts, edges = numpy.histogram(values, bins)
        return edges.tolist(), counts.tolist()
    values = [float(value) for value in values]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if low == high:
        low, high = low - 0.5, high + 0.5
    step = (high - low) / bins
    edges = [low + index * step for index in range(bins)] + [high]
    counts = [0.0] * bins
    scale = bins / (high - low)
    for value in values:
        # The bin by arithmetic, then corrected against the edges themselves, as numpy does for equal bins.
        index = min(int((value - low) * scale), bins - 1)
        if value < edges[index]:
            index -= 1
        elif index < bins - 1 and value >= edges[index + 1]:
            index += 1
        counts[index] += 1
    return edges, counts


COLUMN_TYPES = ("NUMBER", "TEXT", "IMAGE")


class Table(Media):
    """A table: `columns` and `rows` (a sequence of rows, each a sequence of one cell per column), or a pandas
    DataFrame as `data`.

    A column is a name, its type inferred from its cells (IMAGE when they are Images, NUMBER when they are numbers,
    else TEXT), or a (name, type) pair, the type "NUMBER", "TEXT" or "IMAGE". A cell may be None anywhere; in a TEXT
    column anything else becomes its str(). Raises ValueError when a row's length differs from the columns'.
    """

    kind = "table"

    def __init__(self, columns: Optional[Sequence[Union[str, Tuple[str, str]]]] = None,
                 rows: Optional[Sequence[Sequence[Any]]] = None, data: Any = None) -> None:
        super().__init__()
        if data is not None:
            columns = [str(name) for name in data.columns] if columns is None else columns
            rows = data.itertuples(index=False, name=None)
        if columns is None:
            raise ValueError("a table needs its columns (or a pandas DataFrame as data)")
        rows = [list(row) for row in rows or []]
        for number, row in enumerate(rows):
            if len(row) != len(columns):
                raise ValueError(f"row {number} has {len(row)} cells for {len(columns)} columns")
        self.columns = [_column(column, [row[index] for row in rows]) for index, column in enumerate(columns)]
        types = [column["type"] for column in self.columns]
        self.rows = [[_cell(cell, kind) for cell, kind in zip(row, types)] for row in rows]

    def _input(self) -> Dict[str, Any]:
        return {"columns": self.columns, "rows": self.rows}


def _column(column: Union[str, Tuple[str, str]], cells: List[Any]) -> Dict[str, str]:
    if isinstance(column, str):
        return {"name": column, "type": column_type(cells)}
    name, kind = column
    if str(kind).upper() not in COLUMN_TYPES:
        raise ValueError(f"column {name!r}: the type must be NUMBER, TEXT or IMAGE, not {kind!r}")
    return {"name": str(name), "type": str(kind).upper()}


def column_type(cells: List[Any]) -> str:
    """IMAGE when the non-null cells are all Images, NUMBER when they are all numbers (bools not), else TEXT."""
    present = [cell for cell in cells if cell is not None]
    if present and all(isinstance(cell, Image) for cell in present):
        return "IMAGE"
    if present and all(_is_number(cell) for cell in present):
        return "NUMBER"
    if any(isinstance(cell, Image) for cell in present):
        raise ValueError("a column holds Images and other values: an IMAGE column holds only Images (or None)")
    return "TEXT"


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _cell(value: Any, kind: str) -> Any:
    if kind == "NUMBER":
        if value is None:
            return None
        if not _is_number(value):
            raise ValueError(f"a NUMBER column holds numbers (or None), not {value!r}")
        return encode_value(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):  # pandas' missing text is NaN
        return None
    if kind == "IMAGE":
        if not isinstance(value, Image):
            raise ValueError(f"an IMAGE column holds Images (or None), not {type(value).__name__}")
        return base64.b64encode(value.data).decode("ascii")
    return value if isinstance(value, str) else str(value)


class Text(Media):
    """Text: `content`, shown as Markdown (format="markdown") or as written (format="plain", the default)."""

    kind = "text"

    def __init__(self, content: str, format: str = "plain") -> None:
        super().__init__()
        if format.lower() not in ("markdown", "plain"):
            raise ValueError(f"a text's format is markdown or plain, not {format!r}")
        self.content = str(content)
        self.format = format.upper()

    def _input(self) -> Dict[str, Any]:
        return {"content": self.content, "format": self.format}


def media_items(value: Any) -> Optional[List[Media]]:
    """The media of a value of log(): a Media, or a list or tuple of them (several items at one step); None when
    `value` is not media."""
    if isinstance(value, Media):
        return [value]
    if isinstance(value, (list, tuple)) and value and all(isinstance(item, Media) for item in value):
        return list(value)
    return None


def json_size(item: Dict[str, Any]) -> int:
    """The bytes the item takes in a request body, written as Api writes it."""
    return len(json.dumps(item))

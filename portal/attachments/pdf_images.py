"""How many bytes an image of a PDF takes once decoded, found with bounded decoders: the upload
check refuses an image beyond the limit, and the reading copy never carries one.

Uses only the standard library and pypdf: the sandboxed checker imports it."""

# The size of an image is the largest of: what its general filters (Flate, LZW, ...) inflate to,
# counted while inflating and given up past the limit, never held in memory whole; the size its
# codec says it decodes to (a JPEG's frame header, a JPEG 2000 SIZ marker, a JBIG2 page, a CCITT
# fax's columns and rows); and the samples its width, height, colour space and bits declare.
# The declared size alone would let an image of 100 x 100 pixels carry 2 GB of zeros.

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Callable, Iterator
from typing import Any

from pypdf import apply_configuration
from pypdf.errors import LimitReachedError
from pypdf.filters import (
    ASCII85Decode,
    ASCIIHexDecode,
    FlateDecode,
    LZWDecode,
    RunLengthDecode,
)
from pypdf.generic import (
    ArrayObject,
    ContentStream,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

#: Filters whose output is an image codec's input, not samples.
CODECS = frozenset({"/DCTDecode", "/DCT", "/JPXDecode", "/CCITTFaxDecode", "/CCF",
                    "/JBIG2Decode"})
_FLATE = frozenset({"/FlateDecode", "/Fl"})
_DECODERS: dict[str, Callable[[bytes, Any], bytes]] = {
    "/FlateDecode": FlateDecode.decode, "/Fl": FlateDecode.decode,
    "/LZWDecode": LZWDecode.decode, "/LZW": LZWDecode.decode,
    "/RunLengthDecode": lambda data, _parms: RunLengthDecode.decode(data),
    "/RL": lambda data, _parms: RunLengthDecode.decode(data),
    "/ASCIIHexDecode": lambda data, _parms: ASCIIHexDecode.decode(data),
    "/AHx": lambda data, _parms: ASCIIHexDecode.decode(data),
    "/ASCII85Decode": lambda data, _parms: ASCII85Decode.decode(data),
    "/A85": lambda data, _parms: ASCII85Decode.decode(data),
}
_COMPONENTS = {"/DeviceGray": 1, "/G": 1, "/CalGray": 1, "/Indexed": 1, "/I": 1,
               "/Separation": 1, "/DeviceRGB": 3, "/RGB": 3, "/CalRGB": 3, "/Lab": 3,
               "/DeviceCMYK": 4, "/CMYK": 4}
#: How much of a codec's input is kept to read its header (JPEG markers come first).
HEADER_BYTES = 1 << 20
_INPUT_CHUNK = 1 << 16
_OUTPUT_CHUNK = 1 << 20
#: The abbreviated keys of an inline image (``BI /W 100 /H 100 /F /Fl ID ... EI``).
_INLINE_KEYS = {"/W": "/Width", "/H": "/Height", "/BPC": "/BitsPerComponent",
                "/CS": "/ColorSpace", "/F": "/Filter", "/DP": "/DecodeParms",
                "/IM": "/ImageMask"}
_INLINE_IMAGE = re.compile(rb"(?:^|[\s\]>)])BI[\s/]")


def _get(dictionary: Any, key: str, default: Any = None) -> Any:
    value = dict.get(dictionary, key, default) if isinstance(dictionary, dict) else default
    return value.get_object() if isinstance(value, IndirectObject) else value


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    items = list(list.__iter__(value)) if isinstance(value, ArrayObject) else [value]
    return [item.get_object() if isinstance(item, IndirectObject) else item for item in items]


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and value > 0 else default


def inflate_count(data: bytes, limit: int, keep: int = 0) -> tuple[int, bytes]:
    """The length of the zlib data's output, counted in chunks and given up once past
    ``limit``; and its first ``keep`` bytes. Invalid data ends the count where it fails."""
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)
    total = 0
    head = bytearray()
    try:
        for start in range(0, len(data), _INPUT_CHUNK):
            pending = data[start:start + _INPUT_CHUNK]
            while pending:
                out = inflater.decompress(pending, _OUTPUT_CHUNK)
                pending = inflater.unconsumed_tail
                total += len(out)
                if len(head) < keep:
                    head += out[:keep - len(head)]
                if total > limit:
                    return total, bytes(head)
                if inflater.eof:
                    return total, bytes(head)
    except zlib.error:
        pass
    return total, bytes(head)


def _decode(name: str, data: bytes, parms: Any, limit: int) -> bytes | None:
    """One general filter in memory, its output bounded by ``limit`` (None past it)."""
    decoder = _DECODERS.get(name)
    if decoder is None:
        return b""  # a filter no reader can decode shows nothing
    bound = limit + 1
    try:
        with apply_configuration(zlib_maximum_output_length=bound,
                                 lzw_maximum_output_length=bound,
                                 run_length_maximum_output_length=bound):
            out = decoder(data, parms if isinstance(parms, DictionaryObject) else None)
    except LimitReachedError:
        return None
    except (MemoryError, RecursionError):
        raise
    except Exception:
        return b""
    return out if len(out) <= limit else None


def jpeg_size(data: bytes) -> int | None:
    """Bytes of a JPEG's decoded samples, from its frame header (SOFn)."""
    if not data.startswith(b"\xff\xd8"):
        return None
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:
            at += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            at += 2
            continue
        length = int.from_bytes(data[at + 2:at + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            frame = data[at + 4:at + 10]
            if len(frame) < 6:
                return None
            height = int.from_bytes(frame[1:3], "big")
            width = int.from_bytes(frame[3:5], "big")
            return width * height * frame[5] * (2 if frame[0] > 8 else 1)
        at += 2 + length
    return None


def jpx_size(data: bytes) -> int | None:
    """Bytes of a JPEG 2000 image's decoded samples, from its SIZ marker."""
    at = data.find(b"\xff\x4f\xff\x51")
    if at < 0 or len(data) < at + 42:
        return None

    def u32(offset: int) -> int:
        return int.from_bytes(data[at + offset:at + offset + 4], "big")

    width, height = u32(8) - u32(16), u32(12) - u32(20)
    count = int.from_bytes(data[at + 40:at + 42], "big")
    depths = data[at + 42:at + 42 + 3 * count:3]  # Ssiz, XRsiz, YRsiz per component
    per_pixel = sum(math.ceil(((depth & 0x7F) + 1) / 8) for depth in depths)
    return max(width, 0) * max(height, 0) * max(per_pixel, count)


def jbig2_size(data: bytes) -> int | None:
    """Bytes of a JBIG2 page (one bit per pixel), from its page information segment."""
    at = 0
    while at + 11 <= len(data):
        number = int.from_bytes(data[at:at + 4], "big")
        flags = data[at + 4]
        at += 5
        count = data[at] >> 5
        if count == 7:
            count = int.from_bytes(data[at:at + 4], "big") & 0x1FFFFFFF
            at += 4 + (count + 8) // 8
        else:
            at += 1
        at += count * (1 if number <= 256 else 2 if number <= 65536 else 4)
        at += 4 if flags & 0x40 else 1
        length = int.from_bytes(data[at:at + 4], "big")
        at += 4
        if flags & 0x3F == 48 and at + 8 <= len(data):  # page information
            width = int.from_bytes(data[at:at + 4], "big")
            height = int.from_bytes(data[at + 4:at + 8], "big")
            return None if height == 0xFFFFFFFF else math.ceil(width / 8) * height
        if length == 0xFFFFFFFF:
            return None
        at += length
    return None


def declared_size(image: StreamObject) -> int:
    """Bytes of the samples the image's dictionary declares."""
    width, height = _int(_get(image, "/Width")), _int(_get(image, "/Height"))
    if _get(image, "/ImageMask") is True:
        return math.ceil(width / 8) * height
    space = _get(image, "/ColorSpace")
    if isinstance(space, ArrayObject) and len(space):
        family = _as_list(space)[0]
        if family == "/ICCBased" and len(space) > 1:
            components = _int(_get(_as_list(space)[1], "/N"), 3)
        elif family == "/DeviceN" and len(space) > 1:
            components = max(len(_as_list(_as_list(space)[1])), 1)
        else:
            components = _COMPONENTS.get(str(family), 3)
    else:
        components = _COMPONENTS.get(str(space), 3)
    bits = _int(_get(image, "/BitsPerComponent"), 8)
    return math.ceil(width * components * bits / 8) * height


def _codec_size(codec: str, data: bytes, image: StreamObject, parms: Any) -> int:
    if codec in ("/DCTDecode", "/DCT"):
        found = jpeg_size(data)
    elif codec == "/JPXDecode":
        found = jpx_size(data)
    elif codec == "/JBIG2Decode":
        found = jbig2_size(data)
    else:  # CCITT fax: the decoder makes what its columns and rows say
        columns = _int(_get(parms, "/Columns"), 1728)
        rows = _int(_get(parms, "/Rows"), _int(_get(image, "/Height")))
        found = math.ceil(columns / 8) * rows
    return found or 0


def image_size(image: StreamObject, limit: int) -> int:
    """Bytes the image takes once decoded (see the note above); any value over ``limit`` means
    "more than the limit" (counting stops there)."""
    data: bytes = image._data or b""
    filters = [str(name) for name in _as_list(_get(image, "/Filter"))]
    parms = _as_list(_get(image, "/DecodeParms"))
    parms += [None] * (len(filters) - len(parms))
    codec_at = next((i for i, name in enumerate(filters) if name in CODECS), len(filters))
    general = filters[:codec_at]
    size = len(data) if not general else 0
    for index, name in enumerate(general):
        last = index == len(general) - 1
        if last and name in _FLATE:
            size, data = inflate_count(data, limit,
                                       HEADER_BYTES if codec_at < len(filters) else 0)
        else:
            decoded = _decode(name, data, parms[index], limit)
            if decoded is None:
                return limit + 1
            size, data = len(decoded), decoded
        if size > limit:
            return size
    if codec_at < len(filters):
        size = max(size, _codec_size(filters[codec_at], data, image, parms[codec_at]))
    return max(size, declared_size(image))


def may_hold_inline_images(stream: StreamObject, data: bytes) -> bool:
    """Whether decoded ``data`` of ``stream`` is a content stream (a page's or a form's, not a
    font, a colour profile or metadata) with the ``BI`` operator in it."""
    if dict.get(stream, "/Subtype") not in (None, "/Form") or \
            dict.get(stream, "/Type") not in (None, "/XObject"):
        return False
    if any(key in stream for key in ("/Length1", "/Length2", "/Length3", "/N")):
        return False
    return _INLINE_IMAGE.search(data) is not None


def inline_images(data: bytes) -> Iterator[StreamObject]:
    """The inline images of a decoded content stream, each as an image stream with the full
    key names (pypdf parses the content; data it cannot parse yields nothing)."""
    content = DecodedStreamObject()
    content.set_data(data)
    try:
        operations = ContentStream(content, None).operations
    except (MemoryError, RecursionError, LimitReachedError):
        raise
    except Exception:
        return
    for operands, operator in operations:
        if operator != b"INLINE IMAGE" or not isinstance(operands, dict):
            continue
        image = DecodedStreamObject()
        settings = operands.get("settings")
        if isinstance(settings, dict):
            for key, value in settings.items():
                image[NameObject(_INLINE_KEYS.get(key, key))] = value
        image[NameObject("/Subtype")] = NameObject("/Image")
        image.set_data(bytes(operands.get("data") or b""))
        yield image

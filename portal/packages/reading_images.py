"""The reading copy never carries an image that decodes beyond the limit (PORTAL_MAX_IMAGE_MB):
such an image, in an attachment accepted before the limit was lowered or before images were
judged by what they decode to, is replaced by one grey pixel. The attachment itself stays in
the package byte for byte (its SHA-256 is the one recorded at upload)."""

from __future__ import annotations

from typing import Any

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    EncodedStreamObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
)

from portal.attachments.pdf_images import image_size

#: The sample of the replacement: one light grey pixel.
PLACEHOLDER_SAMPLE = b"\xcc"


def _blank(image: StreamObject) -> None:
    """Make ``image`` (in place: every reference to it follows) a 1 x 1 grey image."""
    dict.clear(image)
    image.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Image"),
        NameObject("/Width"): NumberObject(1),
        NameObject("/Height"): NumberObject(1),
        NameObject("/ColorSpace"): NameObject("/DeviceGray"),
        NameObject("/BitsPerComponent"): NumberObject(8),
    })
    image._data = PLACEHOLDER_SAMPLE
    if isinstance(image, EncodedStreamObject):
        image.decoded_self = None


def replace_large_images(writer: PdfWriter, limit: int) -> int:
    """Replace every image reachable from the document's catalog that decodes to more than
    ``limit`` bytes; the number replaced."""
    replaced = 0
    seen: set[int] = set()
    stack: list[Any] = [writer.root_object]
    while stack:
        value = stack.pop()
        if isinstance(value, IndirectObject):
            if value.idnum in seen:
                continue
            seen.add(value.idnum)
            value = value.get_object()
        if isinstance(value, StreamObject) and dict.get(value, "/Subtype") == "/Image" \
                and image_size(value, limit) > limit:
            _blank(value)
            replaced += 1
            continue
        if isinstance(value, DictionaryObject):
            stack.extend(dict.values(value))
        elif isinstance(value, ArrayObject):
            stack.extend(list.__iter__(value))
    return replaced

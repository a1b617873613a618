"""PDFs for the rules of the PDF policy (portal/attachments/pdf_policy.py), written byte for byte
with the corpus writer of ``tests/attachments/pdfs.py``: links, actions, forms and images."""

from __future__ import annotations

import io
import struct
import zlib

from tests.attachments.pdfs import bomb_stream_data, build, page_objects, stream


def two_pages(annotation: bytes, *, catalog_extra: bytes = b"",
              extra: list[bytes] | None = None) -> bytes:
    """Two pages of text; ``annotation`` (object 8) is on page 2; ``extra`` objects from 9."""
    content = b"BT /F1 24 Tf 72 720 Td (Letter of request) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R "
        b"/Resources << /Font << /F1 6 0 R >> >> >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 7 0 R "
        b"/Resources << /Font << /F1 6 0 R >> >> /Annots [8 0 R] >>",
        stream(b"", content, flate=True),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        stream(b"", content, flate=True),
        annotation,
        *(extra or []),
    ]
    return build(objects)


def link_pdf(uri: bytes) -> bytes:
    """A link annotation on page 2 whose action opens ``uri`` (a PDF string, with its
    delimiters: ``(https://...)`` or ``<hex>``)."""
    return two_pages(b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 720] /Border [0 0 0] "
                     b"/A << /Type /Action /S /URI /URI " + uri + b" >> >>")


def link_action_pdf(action: bytes) -> bytes:
    """A link annotation on page 2 that runs ``action`` (a dictionary)."""
    return two_pages(b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 720] /A "
                     + action + b" >>")


def open_action_pdf(action: bytes) -> bytes:
    """``action`` run when the document opens (not on any page)."""
    return build(page_objects(catalog_extra=b"/OpenAction " + action + b" "))


def catalog_pdf(extra: bytes, objects: list[bytes] | None = None) -> bytes:
    """One page; ``extra`` in the catalog; ``objects`` numbered from 6."""
    return build(page_objects(catalog_extra=extra) + (objects or []))


def annotation_pdf(annotation: bytes, objects: list[bytes] | None = None) -> bytes:
    """One page whose only annotation is ``annotation`` (object 6); ``objects`` from 7."""
    return build([*page_objects(page_extra=b"/Annots [6 0 R] "), annotation, *(objects or [])])


def latex_form_pdf(submit_to: bytes = b"(https://forms.example.org/mla/submit)",
                   file_spec: bool = True) -> bytes:
    """A form as LaTeX's hyperref writes it (``\\begin{Form}[action=...]``, ``\\TextField``,
    ``\\Submit``, ``\\Reset``): an AcroForm with a text field, a submit button whose action is
    ``<< /S /SubmitForm /F << /FS /URL /F (address) >> /Flags 4 >>`` and a reset button."""
    target = b"<< /FS /URL /F " + submit_to + b" >>" if file_spec else submit_to
    appearance = stream(b"/Type /XObject /Subtype /Form /BBox [0 0 60 14] "
                        b"/Resources << /Font << /Helv 5 0 R >> >>",
                        b"0 0 1 rg BT /Helv 10 Tf 4 3 Td (Submit) Tj ET")
    objects = page_objects(
        catalog_extra=b"/AcroForm << /Fields [6 0 R 7 0 R 8 0 R] /DR << /Font << /Helv 5 0 R "
                      b">> >> /DA (/Helv 10 Tf 0 g) /NeedAppearances true >> ",
        page_extra=b"/Annots [6 0 R 7 0 R 8 0 R] ")
    objects += [
        b"<< /Type /Annot /Subtype /Widget /F 4 /P 3 0 R /Rect [72 600 300 620] /T (name) "
        b"/FT /Tx /Ff 0 /BS << /W 1 /S /S >> /MK << /BC [1 0 0] >> /DA (/Helv 10 Tf 0 g) "
        b"/DV () /V () >>",
        b"<< /Type /Annot /Subtype /Widget /F 4 /P 3 0 R /Rect [72 560 132 574] /T (Submit) "
        b"/FT /Btn /Ff 65540 /H /P /BS << /W 1 /S /S >> /MK << /BC [1 0 0] >> "
        b"/A << /S /SubmitForm /F " + target + b" /Flags 4 >> /AP << /N 9 0 R >> >>",
        b"<< /Type /Annot /Subtype /Widget /F 4 /P 3 0 R /Rect [140 560 200 574] /T (Reset) "
        b"/FT /Btn /Ff 65540 /H /P /DA (/Helv 10 Tf 0 0 1 rg) /MK << /BC [1 0 0] >> "
        b"/A << /S /ResetForm >> >>",
        appearance,
    ]
    return build(objects)


def image_pdf(dictionary: bytes, data: bytes) -> bytes:
    """One page that draws the image XObject ``dictionary`` with ``data`` (the stream's bytes,
    already encoded as its /Filter says)."""
    objects = page_objects()
    objects[2] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                  b"/Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>")
    objects[3] = stream(b"", b"q 200 0 0 200 72 400 cm /Im1 Do Q BT /F1 24 Tf 72 720 Td "
                        b"(Scan) Tj ET", flate=True)
    objects.append(b"<< /Type /XObject /Subtype /Image " + dictionary + b" /Length %d >>\n"
                   b"stream\n" % len(data) + data + b"\nendstream")
    return build(objects)


def inflating_image_pdf(megabytes: int, *, width: int = 100, height: int = 100,
                        hex_first: bool = False) -> bytes:
    """An RGB image that declares ``width`` x ``height`` pixels but whose Flate data inflates
    to ``megabytes`` MiB (of zeros)."""
    data = bomb_stream_data(megabytes)
    filters = b"/FlateDecode"
    if hex_first:
        data, filters = data.hex().encode() + b">", b"[/ASCIIHexDecode /FlateDecode]"
    return image_pdf(b"/Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 "
                     b"/Filter " % (width, height) + filters, data)


def flate_image_pdf(width: int = 100, height: int = 100) -> bytes:
    """An honest RGB image: its Flate data inflates to exactly its declared samples."""
    samples = bytes(range(256)) * (width * height * 3 // 256 + 1)
    return image_pdf(b"/Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 "
                     b"/Filter /FlateDecode" % (width, height),
                     zlib.compress(samples[:width * height * 3]))


def jpeg_pdf(frame_width: int, frame_height: int, *, width: int = 100,
             height: int = 100) -> bytes:
    """A DCT image whose JPEG frame header (SOF0) says ``frame_width`` x ``frame_height``
    pixels of 3 components while the PDF declares ``width`` x ``height``."""
    jfif = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, frame_height, frame_width, 3) + \
        b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    data = b"\xff\xd8" + jfif + sof + b"\xff\xda" + b"\x00" * 64 + b"\xff\xd9"
    return image_pdf(b"/Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 "
                     b"/Filter /DCTDecode" % (width, height), data)


def real_jpeg_pdf() -> bytes:
    """A real JPEG photo of 64 x 48 pixels (made by Pillow), drawn on the page."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 30, 200)).save(out, "JPEG", quality=80)
    return image_pdf(b"/Width 64 /Height 48 /ColorSpace /DeviceRGB /BitsPerComponent 8 "
                     b"/Filter /DCTDecode", out.getvalue())


def jpx_pdf(size_width: int, size_height: int) -> bytes:
    """A JPEG 2000 image (a bare codestream) whose SIZ marker says ``size_width`` x
    ``size_height`` pixels of 3 eight-bit components; the PDF declares 100 x 100."""
    siz = struct.pack(">HHIIIIIIIIH", 47, 0, size_width, size_height, 0, 0, size_width,
                      size_height, 0, 0, 3) + b"\x07\x01\x01" * 3
    data = b"\xff\x4f\xff\x51" + siz + b"\xff\x52" + b"\x00" * 32 + b"\xff\xd9"
    return image_pdf(b"/Width 100 /Height 100 /ColorSpace /DeviceRGB /BitsPerComponent 8 "
                     b"/Filter /JPXDecode", data)


def jbig2_pdf(page_width: int, page_height: int) -> bytes:
    """A JBIG2 image whose page information segment says ``page_width`` x ``page_height``
    pixels; the PDF declares 100 x 100."""
    page_info = struct.pack(">IIIIBH", page_width, page_height, 0, 0, 0, 0)
    segment = struct.pack(">IBBBI", 0, 48, 0, 1, len(page_info)) + page_info
    return image_pdf(b"/Width 100 /Height 100 /ColorSpace /DeviceGray /BitsPerComponent 1 "
                     b"/Filter /JBIG2Decode", segment + b"\x00" * 16)


def ccitt_pdf(rows: int) -> bytes:
    """A CCITT fax image whose decode parameters say 100 columns by ``rows`` rows."""
    return image_pdf(b"/Width 100 /Height 100 /ColorSpace /DeviceGray /BitsPerComponent 1 "
                     b"/Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns 100 "
                     b"/Rows %d >>" % rows, b"\x00" * 64)


def inline_image_pdf(data: bytes, *, flate_content: bool = True) -> bytes:
    """A page whose content stream draws an inline RGB image of 100 x 100 pixels with Flate
    ``data`` (``BI ... ID data EI``), in a Flate content stream or an unfiltered one."""
    content = (b"q 100 0 0 100 72 500 cm BI /W 100 /H 100 /BPC 8 /CS /RGB /F /Fl ID "
               + data + b" EI Q BT /F1 12 Tf 72 720 Td (BI ID EI) Tj ET")
    objects = page_objects()
    objects[3] = stream(b"", content, flate=flate_content)
    return build(objects)

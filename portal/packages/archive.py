"""The zip of a bag, reproducible: fixed order, times and permissions."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO


def bag_files(bag_dir: Path) -> Iterator[Path]:
    """Every file of the bag, in a fixed order (tag files first, then the payload)."""
    files = [p for p in bag_dir.rglob("*") if p.is_file()]
    yield from sorted(files, key=lambda p: (p.relative_to(bag_dir).parts[0] == "data",
                                            p.relative_to(bag_dir).as_posix()))


def write_zip(bag_dir: Path, out: IO[bytes], *, date_time: datetime | None = None) -> None:
    """A zip of the bag under a top directory named like it. PDFs are stored as they are
    (already compressed), text is deflated."""
    moment = (date_time or datetime(2000, 1, 1, tzinfo=UTC)).astimezone(UTC)
    stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute,
             moment.second - moment.second % 2)
    with zipfile.ZipFile(out, "w", allowZip64=True) as archive:
        for path in bag_files(bag_dir):
            relative = path.relative_to(bag_dir).as_posix()
            entry = zipfile.ZipInfo(f"{bag_dir.name}/{relative}", date_time=stamp)
            entry.external_attr = 0o600 << 16
            entry.compress_type = (zipfile.ZIP_STORED if relative.endswith(".pdf")
                                   else zipfile.ZIP_DEFLATED)
            with path.open("rb") as source, archive.open(entry, "w", force_zip64=True) as target:
                shutil.copyfileobj(source, target, 1024 * 1024)

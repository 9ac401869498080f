"""Attachment storage: files kept on disk under their SHA-256, so equal uploads share bytes."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from anyio import to_thread

from supportdesk.core.errors import PayloadTooLarge

CHUNK_SIZE = 256 * 1024

# The only types a browser is asked to show rather than download: images and PDF, which
# run no script in the page's origin. HTML, SVG, XML and the rest are always downloaded.
# The type is the uploader's claim; nosniff (api/headers.py) holds the browser to it, so
# a page uploaded as image/png is shown as a (broken) image, never run.
INLINE_CONTENT_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"}
)


def opens_inline(content_type: str) -> bool:
    """Whether a stored file of this type may be shown in the browser."""
    return content_type.partition(";")[0].strip().lower() in INLINE_CONTENT_TYPES


class Upload(Protocol):
    """What the services need of an uploaded file (Starlette's UploadFile is one)."""

    @property
    def filename(self) -> str | None: ...

    @property
    def content_type(self) -> str | None: ...

    async def read(self, size: int = -1) -> bytes: ...


@dataclass(frozen=True, slots=True)
class StoredFile:
    filename: str
    content_type: str
    size: int
    sha256: str
    storage_key: str


class AttachmentStorage:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def path(self, storage_key: str) -> Path:
        return self.root / storage_key

    @staticmethod
    def _move_into_place(tmp: Path, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.replace(target)

    async def save(self, upload: Upload) -> StoredFile:
        """Stream an upload to disk, refusing it once it passes the size limit."""
        await to_thread.run_sync(lambda: self.root.mkdir(parents=True, exist_ok=True))
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := await upload.read(CHUNK_SIZE):
                    size += len(chunk)
                    if size > self.max_bytes:
                        limit_mb = self.max_bytes // (1024 * 1024)
                        raise PayloadTooLarge(
                            f"The file {upload.filename!r} exceeds the {limit_mb} MB limit."
                        )
                    digest.update(chunk)
                    await to_thread.run_sync(out.write, chunk)
            sha256 = digest.hexdigest()
            key = f"{sha256[:2]}/{sha256[2:4]}/{sha256}"
            await to_thread.run_sync(self._move_into_place, tmp, self.path(key))
        finally:
            await to_thread.run_sync(lambda: tmp.unlink(missing_ok=True))
        return StoredFile(
            filename=Path(upload.filename or "attachment").name[:255] or "attachment",
            content_type=upload.content_type or "application/octet-stream",
            size=size,
            sha256=sha256,
            storage_key=key,
        )

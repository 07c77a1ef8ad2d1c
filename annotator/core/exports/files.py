"""Safe names for the extra files of multi-file formats.

Document ids come from users and imports: they may hold ``/``, ``..``, NUL,
upper and lower case that collide on case-insensitive disks, or be very long.
``safe_file_stem`` maps every id to a name that is one path component, portable
(``[a-z0-9_.-]``) and distinct for distinct ids:

- an id that is already 1-64 of ``[a-z0-9_-]`` is kept as it is;
- any other id becomes a readable slug plus ``.`` plus 16 hex digits of the
  SHA-256 of the id. Plain ids never contain ``.``, so the two kinds never
  collide, and two hashed names collide only if their hashes do.
"""

from __future__ import annotations

import hashlib
import re

_PLAIN_ID = re.compile(r"[a-z0-9_-]{1,64}")
_NOT_SLUG = re.compile(r"[^a-z0-9_-]+")
_SAFE_PART = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,199}")


def safe_file_stem(document_id: str) -> str:
    """A portable, collision-free file name stem for ``document_id``."""
    if _PLAIN_ID.fullmatch(document_id):
        return document_id
    slug = _NOT_SLUG.sub("_", document_id.lower()).strip("_")[:40] or "doc"
    digest = hashlib.sha256(document_id.encode("utf-8", "surrogatepass"))
    return f"{slug}.{digest.hexdigest()[:16]}"


def is_safe_relative_path(path: str) -> bool:
    """True for a relative POSIX path of portable components, none of them
    ``.`` or ``..`` or hidden; the service checks this before writing a file."""
    if not path or path.startswith("/") or "\\" in path:
        return False
    return all(_SAFE_PART.fullmatch(part) for part in path.split("/"))

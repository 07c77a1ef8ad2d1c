"""Static files under versioned URLs, cached by the browser for a year.

Every script, module and stylesheet a page names gets ``?v=<digest of its
content>``: a changed file gets a new URL, so the browser may keep the old
one forever (``Cache-Control: immutable``) and never asks again. Without
this, each page load revalidated every module (24 requests on the
annotation page) through the application server.

ES modules import each other by relative path (no build step), and those
imports cannot carry the version. An import map in every page maps each
module's plain URL to its versioned one, so relative imports fetch the same
versioned URLs as the page's ``modulepreload`` links. The map is inline, so
the page's Content-Security-Policy allows exactly its SHA-256 and nothing
else (a page without modules allows no inline script at all).

The preload links are the module graph of the page's entry, read from the
modules' own ``import … from "./x.js"`` lines: no hand-kept list to drift.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from flask import Flask, Response, current_app, has_request_context, request, url_for
from markupsafe import Markup, escape

#: How long a versioned file may be kept: a year, never revalidated.
IMMUTABLE = "public, max-age=31536000, immutable"
#: Where a request keeps the hashes of the import maps its page has.
HASHES = "annotator.import_map_hashes"
#: Where a request in debug mode keeps the scan it made.
SCAN = "annotator.static_scan"
#: ``import … from "…"``, ``export … from "…"`` and ``import "…"``.
IMPORT = re.compile(
    r"""(?:^|[;}\n])\s*(?:import|export)\b[^"';]*?\bfrom\s*"([^"]+)"|"""
    r"""(?:^|[;}\n])\s*import\s*"([^"]+)\"""",
)


@dataclass
class Assets:
    """Digests of the static folder's files and the modules' imports."""

    folder: Path
    digests: dict[str, str] = field(default_factory=dict)
    imports: dict[str, list[str]] = field(default_factory=dict)
    #: The import map's text by the static folder's URL (a mounted app's
    #: URLs start with its script root).
    maps: dict[str, str] = field(default_factory=dict)

    @classmethod
    def scan(cls, folder: Path) -> Assets:
        assets = cls(folder)
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.suffix not in {".js", ".css"}:
                continue
            name = path.relative_to(folder).as_posix()
            content = path.read_bytes()
            assets.digests[name] = hashlib.sha256(content).hexdigest()[:16]
            if path.suffix == ".js":
                # As a browser reads a module: UTF-8, bad bytes replaced.
                text = content.decode("utf-8", errors="replace")
                assets.imports[name] = module_imports(name, text)
        return assets

    def graph(self, entry: str) -> list[str]:
        """``entry`` and every module it imports, directly or not, in the
        order first met (static-folder names)."""
        seen: dict[str, None] = {}
        waiting = [entry]
        while waiting:
            name = waiting.pop(0)
            if name in seen or name not in self.digests:
                continue
            seen[name] = None
            waiting.extend(self.imports.get(name, []))
        return list(seen)


def module_imports(name: str, source: str) -> list[str]:
    """The static-folder names a module imports by relative path."""
    found = []
    base = PurePosixPath(name).parent
    for match in IMPORT.finditer(source):
        specifier = match.group(1) or match.group(2)
        if specifier.startswith(("./", "../")):
            found.append(_normal(base / specifier))
    return found


def _normal(path: PurePosixPath) -> str:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def assets() -> Assets:
    """This app's scan, done once (again for each request in debug mode, so
    an edited file is seen at once: once per request, not once per URL of
    the page, which read and hashed the static folder ~50 times a page)."""
    app = current_app
    found: Assets | None = app.extensions.get("annotator_assets")
    if app.debug and has_request_context():
        found = request.environ.get(SCAN)
    if found is None:
        found = Assets.scan(Path(app.static_folder or "static"))
        app.extensions["annotator_assets"] = found
        if app.debug and has_request_context():
            request.environ[SCAN] = found
    return found


def static_url(filename: str) -> str:
    """The versioned URL of a file in the static folder."""
    digest = assets().digests.get(filename)
    if digest is None:
        return url_for("static", filename=filename)
    return url_for("static", filename=filename, v=digest)


def import_map_text(entry: str) -> str:
    """The import map of ``entry``'s page: each module of its graph, plain
    URL to versioned URL. ``<``, ``>`` and ``&`` are escaped so it cannot end
    its script element."""
    found = assets()
    key = f"{url_for('static', filename='')}|{entry}"
    text = found.maps.get(key)
    if text is None:
        imports = {
            url_for("static", filename=name): static_url(name)
            for name in found.graph(entry)
        }
        text = json.dumps({"imports": imports}, sort_keys=True, separators=(",", ":"))
        for character, escaped in (
            ("<", "\\u003c"),
            (">", "\\u003e"),
            ("&", "\\u0026"),
        ):
            text = text.replace(character, escaped)
        found.maps[key] = text
    return text


def inline_script_hashes() -> list[str]:
    """CSP sources allowing exactly the import maps this answer's page has."""
    # On the request, not on g: a test's app context outlives its requests.
    hashes: list[str] = request.environ.get(HASHES, [])
    return hashes


def module_script(entry: str) -> Markup:
    """The page's entry module (a page has one), with its import map before
    it and ``modulepreload`` links for every module it imports, so they are
    fetched at once, not one import level at a time."""
    text = import_map_text(entry)
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    request.environ[HASHES] = [*inline_script_hashes(), f"'sha256-{digest}'"]
    # Script content is not entity-decoded, so the JSON goes in as it is:
    # it holds only our static file names and URLs, with < > & escaped.
    import_map = Markup(text)  # noqa: S704 -- no user text, see above
    tags = [
        Markup('<script type="importmap">{}</script>').format(import_map),
        Markup('<script type="module" src="{}"></script>').format(static_url(entry)),
    ]
    for name in assets().graph(entry)[1:]:
        tags.append(
            Markup('<link rel="modulepreload" href="{}">').format(static_url(name))
        )
    return Markup("\n  ").join(tags)


def stylesheet(filename: str) -> Markup:
    return Markup('<link rel="stylesheet" href="{}">').format(
        escape(static_url(filename))
    )


def cache_versioned(response: Response) -> Response:
    """A static file asked for by its current version may be kept a year."""
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", "")
    version = request.args.get("v")
    if version is not None and version == assets().digests.get(filename):
        response.headers["Cache-Control"] = IMMUTABLE
    return response


def configure_assets(app: Flask) -> None:
    app.jinja_env.globals.update(
        static_url=static_url,
        module_script=module_script,
        stylesheet=stylesheet,
    )
    app.after_request(cache_versioned)

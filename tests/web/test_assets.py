"""Static files under versioned URLs (annotator/web/assets.py): the browser
keeps a file as long as its content is the same, the import map is the one
inline script the policy allows, and each page preloads its module graph."""

import base64
import hashlib
import json
import re
from pathlib import Path

from annotator.web.assets import Assets, module_imports
from tests.conftest import login

IMPORT_MAP = re.compile(r'<script type="importmap">(.*?)</script>', re.S)


def test_a_versioned_file_is_kept_a_year_and_any_other_is_asked_again(client):
    page = client.get("/login").get_data(as_text=True)
    url = re.search(r'href="(/static/css/app\.css\?v=\w+)"', page).group(1)
    with client.get(url) as current:
        assert current.status_code == 200
        assert current.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # An old version's URL or a plain one: the file as it is now, revalidated.
    for other in ("/static/css/app.css?v=0123456789abcdef", "/static/css/app.css"):
        with client.get(other) as answer:
            assert answer.status_code == 200
            assert "immutable" not in answer.headers.get("Cache-Control", ""), other


def script_src(answer):
    policy = answer.headers["Content-Security-Policy"]
    return next(p for p in policy.split("; ") if p.startswith("script-src"))


def test_a_page_with_modules_allows_its_import_map_and_no_other_inline_script(
    client, users, project
):
    login(client, "annotator")
    answer = client.get(f"/projects/{project.id}/queue")
    page = answer.get_data(as_text=True)
    (text,) = IMPORT_MAP.findall(page)
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    assert script_src(answer) == f"script-src 'self' 'sha256-{digest}'"
    imports = json.loads(text)["imports"]
    plain = "/static/js/queue/main.js"
    assert re.fullmatch(re.escape(plain) + r"\?v=[0-9a-f]{16}", imports[plain])
    assert f'<script type="module" src="{imports[plain]}">' in page
    # Only the page's own modules: none of the review page's.
    assert not [url for url in imports if "/review/" in url]


def test_a_page_without_modules_allows_no_inline_script(client):
    answer = client.get("/login")
    assert "importmap" not in answer.get_data(as_text=True)
    assert script_src(answer) == "script-src 'self'"


def test_the_annotation_page_preloads_every_module_it_imports(app):
    graph = Assets.scan(Path(app.static_folder)).graph("js/annotate/main.js")
    # Imported by an import of main.js, not by main.js itself.
    assert "js/lib/suggestionlist.js" in graph
    assert "js/lib/http.js" in graph
    assert "js/review/lanes.js" not in graph


def test_a_changed_file_gets_a_new_url(tmp_path):
    (tmp_path / "js").mkdir()
    module = tmp_path / "js" / "a.js"
    module.write_text('import { b } from "./b.js";\n')
    (tmp_path / "js" / "b.js").write_text("export const b = 1;\n")
    before = Assets.scan(tmp_path).digests["js/a.js"]
    module.write_text('import { b } from "./b.js";\nconsole.log(b);\n')
    assert Assets.scan(tmp_path).digests["js/a.js"] != before
    assert Assets.scan(tmp_path).graph("js/a.js") == ["js/a.js", "js/b.js"]


def test_imports_are_read_in_every_form_our_modules_use():
    source = """import { a } from "./a.js";
import {
  b,
  c,
} from "../lib/b.js";
import * as d from "./d/d.js";
import "./side.js";
export { e } from "./e.js";
const x = "not from here"; // import nothing from "./comment.js"? no: a comment
import { f } from "bare-package";
"""
    assert module_imports("js/annotate/main.js", source) == [
        "js/annotate/a.js",
        "js/lib/b.js",
        "js/annotate/d/d.js",
        "js/annotate/side.js",
        "js/annotate/e.js",
    ]


def test_in_debug_mode_a_page_reads_the_static_folder_once(
    app, client, users, project, monkeypatch
):
    """Debug mode sees an edited file at the next request, but reading and
    hashing every static file for each URL of a page (48 times for the
    annotation page's modules, ~0.9 s) made every page slow to load."""
    scans = []
    scan = Assets.scan.__func__

    def counted(cls, folder):
        scans.append(folder)
        return scan(cls, folder)

    login(client, "annotator")
    monkeypatch.setattr(Assets, "scan", classmethod(counted))
    app.debug = True
    for _ in range(2):
        page = client.get(f"/projects/{project.id}/queue")
        assert page.status_code == 200
        assert "modulepreload" in page.get_data(as_text=True)
    # Once per page: the second request reads the folder again.
    assert len(scans) == 2


def test_a_module_that_is_not_utf8_does_not_break_every_page(tmp_path):
    """Browsers decode a module as UTF-8, replacing bad bytes; the scan
    does the same instead of raising (every page names a static URL, so a
    stray Latin-1 file made every page a 500)."""
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_bytes(b'// caf\xe9\nimport { b } from "./b.js";\n')
    (tmp_path / "js" / "b.js").write_text("export const b = 1;\n")
    assert Assets.scan(tmp_path).graph("js/a.js") == ["js/a.js", "js/b.js"]

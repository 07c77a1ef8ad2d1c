import subprocess
import sys


def test_core_imports_neither_flask_nor_sqlalchemy():
    code = (
        "import sys, annotator.core.labels, annotator.core.spans, "
        "annotator.core.tokens, annotator.core.offsets, annotator.core.importing, "
        "annotator.core.agreement, annotator.core.exports, annotator.core.progress, "
        "annotator.core.marks, annotator.core.changes, annotator.core.decisions, "
        "annotator.core.adjudication, annotator.core.suggestions.effect, "
        "annotator.core.agreement.trust, annotator.core.agreement.weeks\n"
        "loaded = sorted(m for m in ('flask', 'sqlalchemy', 'wtforms', 'jinja2') "
        "if m in sys.modules)\n"
        "print(','.join(loaded))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""

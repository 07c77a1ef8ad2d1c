from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    FloatField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)
from wtforms.widgets import CheckboxInput, ColorInput, ListWidget

from annotator.core.exports import format_names
from annotator.core.labels import (
    MAX_DEFINITION_LENGTH,
    MAX_EXAMPLES_LENGTH,
    UNDERLINE_STYLES,
)
from annotator.core.queue import MAX_SEED
from annotator.models import Role
from annotator.services.guideline import MAX_GUIDELINE_CHARS
from annotator.services.suggesters.training import DEFAULT_EPOCHS
from annotator.services.training_jobs import MAX_EPOCHS


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


class ProjectForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField("Description", validators=[Length(max=5000)])
    guideline = TextAreaField("Annotation guideline", validators=[Length(max=200_000)])
    annotators_per_document = IntegerField(
        "Annotators per document", default=2, validators=[NumberRange(1, 20)]
    )


class LabelRowForm(Form):
    """One label; a row whose name is left empty adds nothing."""

    name = StringField("Name", validators=[Length(max=40)])
    display_name = StringField("Display name", validators=[Length(max=60)])
    color = StringField("Colour", widget=ColorInput(), default="#777777")
    hotkey = StringField(
        "Hotkey", validators=[Length(max=1)], render_kw={"size": 2, "maxlength": 1}
    )
    underline = SelectField("Underline", choices=list(UNDERLINE_STYLES))
    definition = TextAreaField(
        "Definition",
        validators=[Length(max=MAX_DEFINITION_LENGTH)],
        render_kw={"rows": 3, "maxlength": MAX_DEFINITION_LENGTH},
    )
    examples = TextAreaField(
        "Examples (one a line)",
        validators=[Length(max=MAX_EXAMPLES_LENGTH)],
        render_kw={"rows": 3, "maxlength": MAX_EXAMPLES_LENGTH},
    )
    remove = BooleanField("Remove")


#: Empty rows offered for new labels under the existing ones.
NEW_LABEL_ROWS = 2


class LabelsForm(FlaskForm):
    rows = FieldList(FormField(LabelRowForm), max_entries=40)


class MemberForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    role = SelectField("Role", choices=[role.value for role in Role])


class GuidelineForm(FlaskForm):
    guideline = TextAreaField(
        "Guideline (Markdown)",
        validators=[Length(max=MAX_GUIDELINE_CHARS)],
        render_kw={"rows": 24},
    )


#: The import page's format choices: detection first, then each --from value.
IMPORT_FORMATS = [
    ("detect", "Detect from the files (shown before anything is stored)"),
    ("native", "This project's own (.txt, .jsonl, .csv)"),
    ("doccano", "doccano (.jsonl, .json, export .zip)"),
    ("labelstudio", "Label Studio (JSON, JSON_MIN, CSV)"),
    ("prodigy", "Prodigy spans (.jsonl)"),
    ("brat", "brat standoff (.ann with its .txt)"),
    ("conll", "CoNLL / BIO (.conll, .txt, .tsv)"),
]
IMPORT_OFFSETS = [
    ("", "The format's usual (auto for doccano and Label Studio)"),
    ("codepoints", "Code points (Python tools, this project)"),
    ("utf16", "UTF-16 code units (browser tools): convert"),
    ("auto", "Decide per document, with the evidence shown"),
]


class UploadForm(FlaskForm):
    files = FileField(
        "Files",
        description="You can choose several files, or a doccano export zip. You "
        "see what they hold before anything is stored.",
        validators=[FileRequired()],
    )
    source_format = SelectField(
        "Format",
        choices=[SelectChoice(value, label) for value, label in IMPORT_FORMATS],
        default="detect",
    )
    offsets = SelectField(
        "Offsets counted in",
        choices=[SelectChoice(value, label) for value, label in IMPORT_OFFSETS],
        default="",
    )
    annotator_map = StringField(
        "Annotator map",
        description="SOURCE=USER pairs, comma-separated (--annotator-map on the "
        "command line): store SOURCE's annotations under USER, a project "
        "member's username or a new import identity.",
        validators=[Optional(), Length(max=4000)],
    )
    label_map = StringField(
        "Label map",
        description="SOURCE=LABEL pairs, comma-separated (--label-map on the "
        "command line): read the tool's label (or relation type) as this "
        "project's label (or link kind).",
        validators=[Optional(), Length(max=4000)],
    )
    split_paragraphs = BooleanField("One document per non-empty line (.txt)")


class ConfirmImportForm(FlaskForm):
    """Store (or cancel) the upload staged under ``token``."""

    token = HiddenField(validators=[DataRequired(), Length(max=64)])
    cancel = SubmitField("Cancel")


class UserForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(8, 200)])
    is_admin = BooleanField("Site admin")


class UserEditForm(FlaskForm):
    is_admin = BooleanField(
        "Site admin",
        description="A site admin creates projects, manages every account and "
        "can open every project.",
    )


class PasswordResetForm(FlaskForm):
    password = PasswordField(
        "New password",
        description="At least 8 characters. Tell the person in person or by a "
        "channel only they read.",
        validators=[DataRequired(), Length(8, 200)],
    )


class TokenForm(FlaskForm):
    name = StringField(
        "Token name",
        # Empty names are refused by the service, with its message.
        validators=[Length(max=100)],
        description="What the token is for, e.g. “nightly export script”.",
        render_kw={"maxlength": 100},
    )


class ConfirmForm(FlaskForm):
    """A confirmation step: only the CSRF token."""


class ExportForm(FlaskForm):
    """The choices of ``annotator export``; label choices are the project's.
    Each label and description says in plain words what the choice does."""

    format = SelectField(
        "File format",
        choices=format_names(),
        default="jsonl",
        description="How the files are laid out, for the tool that will read "
        "them; each format is described below the form.",
    )
    layer = SelectField(
        "Whose spans",
        choices=[
            SelectChoice("annotators", "Every annotator separately"),
            SelectChoice("majority", "Majority vote"),
            SelectChoice("gold", "Gold (adjudicated)"),
        ],
        default="annotators",
        description="Every annotator separately: one record per document and "
        "annotator. Majority vote: one record per document with the spans "
        "enough annotators drew identically. Gold: the spans reviewers "
        "settled on.",
    )
    min_annotators = IntegerField(
        "Annotators who must agree on a span (majority vote only)",
        description="A span is kept when at least this many annotators marked "
        "exactly the same text with the same label. Empty: more than half of "
        "the annotators of a document (2 of 3, 3 of 4).",
        validators=[Optional(), NumberRange(min=1)],
    )
    min_agreement = FloatField(
        "Leave out documents the annotators disagree on",
        description="Keep only documents whose annotators agree at least this "
        "much, measured by Krippendorff's unitizing alpha (alpha-u), which "
        "compares where spans start and end and their labels: 1 means "
        "identical spans, 0 means no better than chance, below 0 worse than "
        "chance; 0.8 is a common bar. Empty: keep every document.",
        validators=[Optional(), NumberRange(max=1.0)],
    )
    labels = SelectMultipleField(
        "Labels",
        description="Only spans with a ticked label are written. None ticked: "
        "every label.",
        choices=[],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
    status = SelectField(
        "Which documents",
        choices=[
            SelectChoice("submitted", "Submitted by annotators"),
            SelectChoice("adjudicated", "Adjudicated by a reviewer only"),
        ],
        default="submitted",
        description="Submitted: every document with submitted work. "
        "Adjudicated: only documents a reviewer has finished deciding.",
    )
    split = StringField(
        "Train/dev/test split",
        description="Divide the documents into training, development and test "
        "sets in these proportions, e.g. 0.8,0.1,0.1 (they must add up to 1). "
        "Empty: one set with every document.",
        validators=[Optional(), Length(max=100)],
    )
    seed = IntegerField(
        "Split seed",
        default=0,
        description="Any whole number. The same number gives the same "
        "division of documents every time; another number shuffles "
        "differently.",
        validators=[Optional()],
    )
    real_names = BooleanField(
        "Write usernames",
        description="Off: annotators are written as annotator-1, "
        "annotator-2… (the same person keeps the same number in every export "
        "of this project). On: their usernames are written instead.",
    )
    offsets = SelectField(
        "doccano offsets",
        choices=[
            SelectChoice("utf16", "UTF-16 code units, as doccano's page counts"),
            SelectChoice("codepoints", "Code points, as this project counts"),
        ],
        default="utf16",
        description="doccano reads offsets as JavaScript "
        "string positions: after an emoji they differ from code points.",
    )
    doccano_shape = SelectField(
        "doccano project type",
        choices=[
            SelectChoice("auto", "Relation extraction if the project has links"),
            SelectChoice("label", "Sequence labelling (links left out)"),
            SelectChoice("relations", "Relation extraction (entities and relations)"),
        ],
        default="auto",
        description="A doccano project reads one shape; "
        "every line of the export has the same one.",
    )


class SuggestionSettingsForm(FlaskForm):
    mode = SelectField(
        "Suggestions",
        choices=[
            SelectChoice("off", "Off"),
            SelectChoice("on", "On for every document"),
            SelectChoice("calibrate", "On, except a calibration share of documents"),
        ],
    )
    share = FloatField(
        "Calibration share (0 to 1)",
        # InputRequired: 0 (no calibration documents) is a share, not a gap.
        validators=[InputRequired(), NumberRange(min=0.0, max=1.0)],
        description="Documents annotated without suggestions, chosen by a "
        "seeded draw, the same for everyone: 0.1 is 10 %.",
    )


class QueueOrderForm(FlaskForm):
    order = SelectField(
        "Hand out documents",
        choices=[
            SelectChoice("in-order", "In order (as imported)"),
            SelectChoice("random", "In a random order (seeded)"),
            SelectChoice("uncertainty", "By model uncertainty (least sure first)"),
        ],
    )
    seed = IntegerField(
        f"Seed of the random order (0 to {MAX_SEED})",
        validators=[Optional(), NumberRange(min=0, max=MAX_SEED)],
        description="The same seed gives the same order. Empty: keep the "
        "stored seed, or draw one.",
    )


class LexiconForm(FlaskForm):
    """The cue lexicon's save: one textarea per label is read from the
    request as ``label-NAME``; the context groups are one textarea."""

    contexts = TextAreaField("Context groups", render_kw={"rows": 16})


class TrainingForm(FlaskForm):
    """Start a training of the project's spancat suggester (a job)."""

    layer = SelectField(
        "Learn from",
        choices=[
            SelectChoice("gold", "Gold layer (adjudicated documents)"),
            SelectChoice("majority", "Majority layer (submitted work)"),
        ],
    )
    epochs = IntegerField(
        "Epochs",
        default=DEFAULT_EPOCHS,
        validators=[InputRequired(), NumberRange(min=1, max=MAX_EPOCHS)],
        description="Passes over the training documents: more take longer.",
    )

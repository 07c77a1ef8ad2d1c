from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    FloatField,
    Form,
    FormField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ColorInput, ListWidget

from annotator.core.exports import format_names
from annotator.core.labels import (
    MAX_DEFINITION_LENGTH,
    MAX_EXAMPLES_LENGTH,
    UNDERLINE_STYLES,
)
from annotator.models import Role
from annotator.services.guideline import MAX_GUIDELINE_CHARS


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


class RemoveMemberForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])


class UploadForm(FlaskForm):
    files = FileField("Files (.txt, .jsonl, .csv)", validators=[FileRequired()])
    split_paragraphs = BooleanField("One document per non-empty line (.txt)")


class UserForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(8, 200)])
    is_admin = BooleanField("Site admin")


class ExportForm(FlaskForm):
    """The choices of ``annotator export``; label choices are the project's."""

    format = SelectField("Format", choices=format_names(), default="jsonl")
    layer = SelectField(
        "Layer",
        choices=[
            SelectChoice("annotators", "Every annotator separately"),
            SelectChoice("majority", "Majority vote"),
            SelectChoice("gold", "Gold (adjudicated)"),
        ],
        default="annotators",
    )
    min_annotators = IntegerField(
        "Majority threshold (annotators)",
        description="Majority layer only; empty: more than half of the "
        "annotators per document.",
        validators=[Optional(), NumberRange(min=1)],
    )
    min_agreement = FloatField(
        "Minimum agreement per document (alpha-u)",
        description="Empty: keep every document.",
        validators=[Optional(), NumberRange(max=1.0)],
    )
    labels = SelectMultipleField(
        "Labels",
        description="None ticked: every label.",
        choices=[],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
    status = SelectField(
        "Annotations",
        choices=[
            SelectChoice("submitted", "Submitted"),
            SelectChoice("adjudicated", "Adjudicated"),
        ],
        default="submitted",
    )
    split = StringField(
        "Train/dev/test split",
        description="Three ratios, e.g. 0.8,0.1,0.1; empty: no split.",
        validators=[Optional(), Length(max=100)],
    )
    seed = IntegerField("Split seed", default=0, validators=[Optional()])
    real_names = BooleanField("Write usernames instead of annotator-1, annotator-2…")

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange

from annotator.models import Role


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


class LabelsForm(FlaskForm):
    labels = TextAreaField(
        "Labels",
        description="One per line: name, display name, colour (#rrggbb), hotkey",
        validators=[DataRequired(), Length(max=5000)],
    )


class MemberForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    role = SelectField("Role", choices=[role.value for role in Role])


class RemoveMemberForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])


class UploadForm(FlaskForm):
    files = FileField("Files (.txt, .jsonl, .csv)", validators=[FileRequired()])
    split_paragraphs = BooleanField("One document per non-empty line (.txt)")


class UserForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(8, 200)])
    is_admin = BooleanField("Site admin")

"""One step of a form (sign in, create account, …) with inline, per-field errors."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.core.errors import ApiError
from desktop.ui.texts import explain
from desktop.ui.widgets import Field
from desktop.ui.plain import plain


class FormPage(QWidget):
    """One step of the form: a title, fields, a general error line, a main button."""

    def __init__(self, title: str, subtitle: str, button: str) -> None:
        super().__init__()
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(10)
        self.title = QLabel(title)
        self.title.setObjectName("title")
        self.subtitle = plain(QLabel(subtitle))
        self.subtitle.setObjectName("subtitle")
        self.subtitle.setWordWrap(True)
        self.note = QLabel()
        self.note.setObjectName("formNote")
        self.note.setWordWrap(True)
        self.note.hide()
        self.error = plain(QLabel())
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Error")
        self.error.hide()
        self.button = QPushButton(button)
        self.button.setObjectName("primary")
        self.button.setDefault(True)
        self.button.setAccessibleName(button)
        self.fields: dict[str, Field] = {}
        self._idle_label = ""
        for w in (self.title, self.subtitle, self.note, self.error):
            self.layout_.addWidget(w)

    def add_field(self, name: str, field: Field) -> Field:
        self.fields[name] = field
        self.layout_.addWidget(field)
        field.edit.returnPressed.connect(self.button.click)
        return field

    def finish(self) -> None:
        self.layout_.addSpacing(4)
        self.layout_.addWidget(self.button)

    def clear_errors(self) -> None:
        self.error.hide()
        for f in self.fields.values():
            f.set_error("")

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def show_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def set_busy(self, busy: bool, label: str = "") -> None:
        """While a request runs: the button says what happens and the fields are read-only."""
        if busy:
            self._idle_label = self.button.text()
            self.button.setText(label)
        elif self._idle_label:
            self.button.setText(self._idle_label)
        self.button.setEnabled(not busy)
        for f in self.fields.values():
            f.edit.setReadOnly(busy)

    def show_failure(self, exc: Exception, fields: dict[str, Field], code_errors: set[str]) -> None:
        """Each server message next to the field it concerns (``errors`` of problem+json);
        code errors (``code_errors``) at the code field; anything else above the form."""
        shown = False
        if isinstance(exc, ApiError):
            for name, msgs in exc.field_errors.items():
                field = fields.get(name)
                if field is not None and msgs:
                    field.set_error(" ".join(msgs))
                    if not shown:
                        field.edit.setFocus()
                    shown = True
            if exc.code in code_errors and "code" in fields:
                fields["code"].set_error(explain(exc))
                fields["code"].edit.setFocus()
                fields["code"].edit.selectAll()
                return
            if not shown and exc.code == "weak_password":
                target = fields.get("new_password") or fields.get("password")
                if target is not None:
                    target.set_error(explain(exc))
                    return
            if shown and exc.code in ("validation_failed", "weak_password"):
                return
        self.show_error(explain(exc))

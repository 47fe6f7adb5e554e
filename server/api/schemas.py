"""Request and response schemas of the account endpoints (also the OpenAPI document)."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Literal

import jsonschema_rs
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from server.models import User, iso
from server.services import passwords

#: What the server accepts as an email address, stated in the OpenAPI document too (with
#: ``format: email`` and the lengths), so a client sees the rule instead of learning it from a 422:
#: a dot-atom local part, then a domain of letter/digit/hyphen labels ending in a label that starts
#: with a letter. The server checks each such field against its own JSON Schema fragment with a
#: JSON Schema validator (:func:`conforms`), so the document and the server cannot disagree.
EMAIL_PATTERN = (r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                 r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
EMAIL_MAX = 254  # RFC 5321's limit on a forward path
CODE_PATTERN = r"^[0-9]{6}$"
#: A name needs one character that is not ASCII white space; runs of ASCII white space become one space.
#: (ASCII only: regex engines disagree on what else is white space.)
NAME_PATTERN = r"[^ \t\n\r\f\v]"
_SPACES = re.compile(r"[ \t\n\r\f\v]+")

_EMAIL_SCHEMA = {"format": "email", "pattern": EMAIL_PATTERN}
_NEW_PASSWORD_SCHEMA = {"not": {"pattern": passwords.FEW_DISTINCT_PATTERN}}


@lru_cache(maxsize=16)
def _validator(fragment: str) -> Any:
    import json
    return jsonschema_rs.validator_for(json.loads(fragment), validate_formats=True)


def conforms(fragment: dict[str, object], value: object) -> bool:
    """Whether ``value`` is valid under a JSON Schema ``fragment``, formats included."""
    import json
    return bool(_validator(json.dumps(fragment, sort_keys=True)).is_valid(value))


def _email(value: str) -> str:
    if not conforms({"type": "string", **_EMAIL_SCHEMA}, value):
        raise ValueError("Enter a valid email address, like name@example.com.")
    return value.lower()


def _display_name(value: str) -> str:
    if not conforms({"pattern": NAME_PATTERN}, value):
        raise ValueError("Enter a name (1 to 64 characters).")
    return _SPACES.sub(" ", value).strip(" ").replace("\x00", "\ufffd")  # as the database would (server.db)


def _new_password(value: str) -> str:
    bad = passwords.problems(value)
    if bad:
        raise ValueError(" ".join(bad))
    return value


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore", str_max_length=4096)


class EmailBody(Body):
    email: str = Field(min_length=3, max_length=EMAIL_MAX, examples=["binh@example.com"],
                       json_schema_extra=_EMAIL_SCHEMA)

    _v_email = field_validator("email")(_email)


def _new_password_field(description: str) -> object:
    return Field(min_length=passwords.MIN_LENGTH, max_length=passwords.MAX_LENGTH, description=description,
                 json_schema_extra=_NEW_PASSWORD_SCHEMA)


class RegisterBody(EmailBody):
    display_name: str = Field(min_length=1, max_length=64, examples=["Binh"],
                              json_schema_extra={"pattern": NAME_PATTERN})
    password: str = _new_password_field(  # type: ignore[assignment]
        "10 to 128 characters, at least 4 different ones; not a common password, not your name or email")
    locale: str | None = Field(default=None, max_length=16, examples=["en", "vi"])

    _v_name = field_validator("display_name")(_display_name)

    @field_validator("password")
    @classmethod
    def _strong(cls, v: str, info: ValidationInfo) -> str:
        bad = passwords.problems(v, email=info.data.get("email", ""), display_name=info.data.get("display_name", ""))
        if bad:
            raise ValueError(" ".join(bad))
        return v


class CodeBody(EmailBody):
    code: str = Field(min_length=6, max_length=6, examples=["123456"], description="The 6 digits from the email",
                      json_schema_extra={"pattern": CODE_PATTERN})

    @field_validator("code")
    @classmethod
    def _six_digits(cls, v: str) -> str:
        if not conforms({"pattern": CODE_PATTERN}, v):
            raise ValueError("The code is the 6 digits from the email.")
        return v


class VerifyBody(CodeBody):
    password: str = Field(min_length=1, max_length=1024, description="The password this registration was made with")


class VerifyLinkForm(BaseModel):
    """The form on the page the emailed link opens."""

    model_config = ConfigDict(coerce_numbers_to_str=True)  # form fields are text, even "0"

    token: str = Field(min_length=1, max_length=256)
    password: str = Field(min_length=1, max_length=1024)


class LoginBody(EmailBody):
    password: str = Field(min_length=1, max_length=1024)


class RefreshBody(Body):
    refresh_token: str = Field(min_length=1, max_length=512)


class ResetBody(CodeBody):
    new_password: str = _new_password_field("10 to 128 characters, at least 4 different ones; not a common "  # type: ignore[assignment]
                                            "password, not your name or email")

    _v_new = field_validator("new_password")(_new_password)


class PatchMeBody(Body):
    display_name: str | None = Field(default=None, min_length=1, max_length=64,
                                     json_schema_extra={"pattern": NAME_PATTERN})
    locale: str | None = Field(default=None, max_length=16)
    presence_visibility: Literal["everybody", "written_to", "nobody"] | None = Field(
        default=None, description="Who sees when you are online")

    @field_validator("display_name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        return None if v is None else _display_name(v)


class ChangePasswordBody(Body):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = _new_password_field("10 to 128 characters, at least 4 different ones; not a common "  # type: ignore[assignment]
                                            "password, not your name or email")

    _v_new = field_validator("new_password")(_new_password)


class UserSearchQuery(BaseModel):
    q: str = Field(min_length=1, max_length=320, description="Display name prefix or an exact email")


class VerifyLinkQuery(BaseModel):
    token: str = Field(min_length=1, max_length=256)


# responses -----------------------------------------------------------------
class UserOut(BaseModel):
    id: str
    email: str
    display_name: str
    locale: str
    created_at: str
    presence_visibility: Literal["everybody", "written_to", "nobody"] = Field(
        description="Who sees when you are online: everybody, people you have written to, or nobody")
    is_admin: bool = Field(default=False, description="May use /api/admin (granted by the server's operator)")

    @classmethod
    def of(cls, u: User) -> dict[str, object]:
        return {"id": u.id, "email": u.email, "display_name": u.display_name, "locale": u.locale,
                "created_at": iso(u.created_at), "presence_visibility": u.presence_visibility or "written_to",
                "is_admin": bool(u.is_admin)}


class UserSummary(BaseModel):
    id: str
    display_name: str
    online: bool
    last_seen: str | None


class UserList(BaseModel):
    users: list[UserSummary]


class TokenPairOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"
    expires_in: int = Field(description="Seconds until the access token expires")


class TokensWithUser(TokenPairOut):
    user: UserOut


class StatusOut(BaseModel):
    status: str


def summary(u: User, online: bool, visible: bool = True) -> dict[str, object]:
    """A person as others see them; ``visible=False`` hides presence (their privacy setting, a block)."""
    return {"id": u.id, "display_name": u.display_name, "online": online and visible,
            "last_seen": iso(u.last_seen_at) if visible else None}

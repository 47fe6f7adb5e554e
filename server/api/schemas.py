"""Request and response schemas of the account endpoints (also the OpenAPI document)."""
from __future__ import annotations

from typing import Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from server.models import User, iso
from server.services import passwords


def _email(value: str) -> str:
    value = value.strip()
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValueError("Enter a valid email address, like name@example.com.") from None


def _display_name(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise ValueError("Enter a name (1 to 64 characters).")
    if len(value) > 64:
        raise ValueError("Use at most 64 characters.")
    return value


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore", str_max_length=4096)


class EmailBody(Body):
    email: str = Field(max_length=320, examples=["binh@example.com"])

    _v_email = field_validator("email")(_email)


class RegisterBody(EmailBody):
    display_name: str = Field(max_length=256, examples=["Binh"])
    password: str = Field(max_length=1024, description="10 to 128 characters; not a common password")
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
    code: str = Field(max_length=32, examples=["123456"])

    @field_validator("code")
    @classmethod
    def _six_digits(cls, v: str) -> str:
        v = v.strip().replace(" ", "")
        if len(v) != 6 or not v.isdigit():
            raise ValueError("The code is the 6 digits from the email.")
        return v


class VerifyBody(CodeBody):
    password: str = Field(max_length=1024, description="The password this registration was made with")


class VerifyLinkForm(BaseModel):
    """The form on the page the emailed link opens."""

    token: str = Field(min_length=1, max_length=256)
    password: str = Field(min_length=1, max_length=1024)


class LoginBody(EmailBody):
    password: str = Field(max_length=1024)


class RefreshBody(Body):
    refresh_token: str = Field(min_length=1, max_length=512)


class ResetBody(CodeBody):
    new_password: str = Field(max_length=1024)

    @field_validator("new_password")
    @classmethod
    def _length(cls, v: str) -> str:
        if not passwords.MIN_LENGTH <= len(v) <= passwords.MAX_LENGTH:
            raise ValueError(f"Use {passwords.MIN_LENGTH} to {passwords.MAX_LENGTH} characters.")
        return v


class PatchMeBody(Body):
    display_name: str | None = Field(default=None, max_length=256)
    locale: str | None = Field(default=None, max_length=16)
    presence_visibility: Literal["everybody", "written_to", "nobody"] | None = Field(
        default=None, description="Who sees when you are online")

    @field_validator("display_name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        return None if v is None else _display_name(v)


class ChangePasswordBody(Body):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)

    @field_validator("new_password")
    @classmethod
    def _length(cls, v: str) -> str:
        if not passwords.MIN_LENGTH <= len(v) <= passwords.MAX_LENGTH:
            raise ValueError(f"Use {passwords.MIN_LENGTH} to {passwords.MAX_LENGTH} characters.")
        return v


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

    @classmethod
    def of(cls, u: User) -> dict[str, object]:
        return {"id": u.id, "email": u.email, "display_name": u.display_name, "locale": u.locale,
                "created_at": iso(u.created_at), "presence_visibility": u.presence_visibility or "written_to"}


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

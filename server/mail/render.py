"""Renders account emails from Jinja2 templates in the user's language."""
from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

from server.mail.base import Email

LOCALES = ("en", "vi")
SUBJECTS = {
    "en": {"verify": "Your Parley verification code: {code}",
           "reset": "Reset your Parley password: code {code}",
           "account_exists": "Someone tried to register with your email on Parley"},
    "vi": {"verify": "Mã xác minh Parley của bạn: {code}",
           "reset": "Đặt lại mật khẩu Parley: mã {code}",
           "account_exists": "Có người đã thử đăng ký Parley bằng email của bạn"},
}

_env = Environment(loader=PackageLoader("server.mail", "templates"),
                   autoescape=select_autoescape(["html"]), keep_trailing_newline=True)


def pick_locale(locale: str | None) -> str:
    base = (locale or "en").replace("_", "-").split("-")[0].lower()
    return base if base in LOCALES else "en"


def render(kind: str, to: str, locale: str | None, **context: object) -> Email:
    """``kind``: verify | reset | account_exists. Context: name, code, link, minutes, login_url."""
    lang = pick_locale(locale)
    subject = SUBJECTS[lang][kind].format(code=context.get("code", ""))
    text = _env.get_template(f"{lang}/{kind}.txt").render(**context)
    html = _env.get_template(f"{lang}/{kind}.html").render(subject=subject, **context)
    return Email(to=to, subject=subject, text=text, html=html)

"""``/api/auth/*`` and the emailed verification link."""
from __future__ import annotations

from flask import Response, render_template_string
from flask_openapi3 import APIBlueprint, Tag

from server.api.schemas import (EmailBody, LoginBody, RefreshBody, RegisterBody, ResetBody, StatusOut,
                                TokenPairOut, TokensWithUser, UserOut, VerifyBody, VerifyLinkForm, VerifyLinkQuery)
from server.errors import ApiError, Problem
from server.extensions import db_session, limiter, services

tag = Tag(name="Accounts", description="Registration, verification, sign-in and passwords")
bp = APIBlueprint("auth", __name__, url_prefix="/api/auth", abp_tags=[tag],
                  abp_responses={422: Problem, 429: Problem})
links = APIBlueprint("links", __name__, abp_tags=[tag])


def _limit(name: str):  # noqa: ANN202 - decorator factory
    return limiter.limit(lambda: services().config.rate_limits[name])


def accounts():  # noqa: ANN201
    return services().accounts


def _with_user(user, pair) -> dict:  # noqa: ANN001
    return {**pair.to_dict(), "user": UserOut.of(user)}


@bp.post("/register", responses={202: StatusOut},
         summary="Create an account; a 6-digit code is emailed",
         description="Answers 202 whether or not the email is taken (the owner of an existing account "
                     "gets an 'account exists' email instead), so it reveals nothing.")
@_limit("register")
def register(body: RegisterBody):  # noqa: ANN201
    accounts().register(body.email, body.password, body.display_name, body.locale)
    return {"status": "verification_sent"}, 202


@bp.post("/verify", responses={200: TokensWithUser, 400: Problem, 401: Problem},
         summary="Verify the email with the emailed code and the registration's password; signs in",
         description="The code verifies only the registration it was mailed for, and only together with the "
                     "password that registration was made with. A wrong code, an unknown address and a wrong "
                     "password all answer the same 401 `invalid_code`; 400 `code_expired` only for the right code "
                     "after 15 minutes. 5 tries per code, then 429 `too_many_attempts` (ask for a new code); per "
                     "address at most a few tries an hour and a day, whoever asks (429 `too_many_attempts` with "
                     "`Retry-After`).")
@_limit("verify")
def verify(body: VerifyBody):  # noqa: ANN201
    user, pair = accounts().verify(db_session(), body.email, body.code, body.password)
    return _with_user(user, pair)


@bp.post("/resend-verification", responses={202: StatusOut}, summary="Email a new verification code")
@_limit("resend")
def resend(body: EmailBody):  # noqa: ANN201
    accounts().resend_verification(body.email)
    return {"status": "verification_sent"}, 202


@bp.post("/login", responses={200: TokensWithUser, 401: Problem, 403: Problem}, summary="Sign in")
@_limit("login")
def login(body: LoginBody):  # noqa: ANN201
    user, pair = accounts().login(db_session(), body.email, body.password)
    return _with_user(user, pair)


@bp.post("/refresh", responses={200: TokenPairOut, 401: Problem},
         summary="Exchange a refresh token for a new pair (the old one is spent)")
def refresh(body: RefreshBody):  # noqa: ANN201
    return services().tokens.rotate(db_session(), body.refresh_token).to_dict()


@bp.post("/logout", responses={204: None}, summary="End this session")
def logout(body: RefreshBody):  # noqa: ANN201
    accounts().logout(db_session(), body.refresh_token)
    return Response(status=204)


@bp.post("/forgot-password", responses={202: StatusOut}, summary="Email a password reset code")
@_limit("forgot")
def forgot(body: EmailBody):  # noqa: ANN201
    accounts().forgot_password(body.email)
    return {"status": "reset_code_sent"}, 202


@bp.post("/reset-password", responses={204: None, 400: Problem, 401: Problem},
         summary="Set a new password with the emailed code; ends every session",
         description="A wrong code and an unknown address answer the same 401 `invalid_code` (with the tries "
                     "left); 5 tries per code, then 429 `too_many_attempts`; per address at most a few tries an "
                     "hour and a day, whoever asks (429 with `Retry-After`).")
@_limit("reset")
def reset(body: ResetBody):  # noqa: ANN201
    accounts().reset_password(db_session(), body.email, body.code, body.new_password)
    return Response(status=204)


_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ title }} — Parley</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer">
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.5rem}label,input,button{display:block;font:inherit;margin:.5rem 0}input{width:100%;padding:.4rem}
button{padding:.5rem 1.2rem}</style></head><body><h1>{{ title }}</h1><p>{{ text }}</p>
{% if token %}<form method="post" action="/verify"><input type="hidden" name="token" value="{{ token }}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Verify my email</button></form>
<p>Or type the 6-digit code from the email in the Parley app.</p>{% endif %}</body></html>"""

_HTML = {"description": "An HTML page for a person", "content": {"text/html": {"schema": {"type": "string"}}}}
#: The link carries a secret: never sent on as a referrer, never cached, never framed.
_PAGE_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "X-Frame-Options": "DENY",
                 "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                                            "frame-ancestors 'none'"}


def _page(title: str, text: str, status: int = 200, token: str | None = None) -> Response:
    return Response(render_template_string(_PAGE, title=title, text=text, token=token), status=status,
                    mimetype="text/html", headers=_PAGE_HEADERS)


@links.get("/verify", responses={200: _HTML, 404: _HTML, 422: Problem},
           summary="The verification link from the email: a page asking for the password",
           description="Opening the link verifies nothing (mail scanners open links): the page asks for the "
                       "password the account was registered with and posts it to `POST /verify`.")
def verify_link_page(query: VerifyLinkQuery):  # noqa: ANN201
    reg = accounts().verify_link_target(db_session(), query.token)
    if reg is None:
        return _page("This link did not work",
                     "This link is not valid any more. Ask the app for a new code.", status=404)
    return _page("Verify your email", f"Type the password you chose when you registered {reg.email} "
                                      "with Parley.", token=query.token)


@links.post("/verify", responses={200: _HTML, 403: _HTML, 404: _HTML, 422: Problem, 429: Problem},
            summary="Verify the email from the link's page, with the registration's password",
            description="Form fields `token` (from the link) and `password`, as a browser posts them. Answers an "
                        "HTML page: 200 verified, 403 not this registration's password (the form again), 404 the "
                        "link is unknown, used or expired.",
            openapi_extensions={"requestBody": {"required": True, "content": {
                media: {"schema": {"$ref": "#/components/schemas/VerifyLinkForm"}}
                for media in ("application/x-www-form-urlencoded", "multipart/form-data")}}})
@_limit("verify")
def verify_link(form: VerifyLinkForm):  # noqa: ANN201
    try:
        user = accounts().verify_link(db_session(), form.token, form.password)
    except ApiError as err:
        if err.status not in (403, 404):
            raise  # 429: the problem+json every limit answers
        return _page("This did not work", err.message, status=err.status,
                     token=form.token if err.status == 403 else None)
    return _page("Your email is verified",
                 f"Thank you, {user.display_name}. You can now sign in to Parley with {user.email}.")

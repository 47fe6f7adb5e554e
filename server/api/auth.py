"""``/api/auth/*`` and the emailed verification link."""
from __future__ import annotations

from flask import Response, render_template_string
from flask_openapi3 import APIBlueprint, Tag

from server.api.schemas import (EmailBody, LoginBody, RefreshBody, RegisterBody, ResetBody, StatusOut,
                                TokenPairOut, TokensWithUser, UserOut, VerifyBody, VerifyLinkQuery)
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


@bp.post("/verify", responses={200: TokensWithUser, 400: Problem},
         summary="Verify the email with the emailed code; signs in")
@_limit("verify")
def verify(body: VerifyBody):  # noqa: ANN201
    user, pair = accounts().verify(db_session(), body.email, body.code)
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


@bp.post("/reset-password", responses={204: None, 400: Problem},
         summary="Set a new password with the emailed code; ends every session")
@_limit("reset")
def reset(body: ResetBody):  # noqa: ANN201
    accounts().reset_password(db_session(), body.email, body.code, body.new_password)
    return Response(status=204)


_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ title }} — Parley</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.5rem}</style></head><body><h1>{{ title }}</h1><p>{{ text }}</p></body></html>"""


@links.get("/verify", responses={200: None, 400: None}, summary="The verification link from the email")
def verify_link(query: VerifyLinkQuery):  # noqa: ANN201
    try:
        user = accounts().verify_link(db_session(), query.token)
    except ApiError as err:
        return Response(render_template_string(_PAGE, title="This link did not work", text=err.message),
                        status=400, mimetype="text/html")
    return Response(render_template_string(
        _PAGE, title="Your email is verified",
        text=f"Thank you, {user.display_name}. You can now sign in to Parley with {user.email}."),
        mimetype="text/html")

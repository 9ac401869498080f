from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from supportdesk.api.deps import AccountServiceDep, AuthServiceDep
from supportdesk.api.portal.deps import BearerDep, PrincipalDep
from supportdesk.api.portal.errors import PortalRoute
from supportdesk.api.portal.schemas import (
    LoginIn,
    MeEnvelope,
    MembershipOut,
    MeOut,
    MessageText,
    ProfileIn,
    RegisterIn,
    SessionOut,
    TokenOut,
    UserEnvelope,
    UserOut,
)
from supportdesk.auth.tokens import IssuedToken
from supportdesk.services.accounts import AccountChanges, NewAccount
from supportdesk.services.auth import Session

router = APIRouter(prefix="/auth", tags=["portal: auth"], route_class=PortalRoute)


def _session_out(session: Session) -> SessionOut:
    return SessionOut(
        access_token=session.token.token,
        expires_in=session.token.expires_in,
        user=UserOut.model_validate(session.user),
    )


def _token_out(token: IssuedToken) -> TokenOut:
    return TokenOut(access_token=token.token, expires_in=token.expires_in)


@router.post(
    "/login",
    response_model=SessionOut,
    responses={401: {"description": "The e-mail or the password is wrong."}},
)
async def login(body: LoginIn, auth: AuthServiceDep) -> SessionOut:
    """Log in with e-mail and password.

    Answers with an access token and the user; a disabled account is refused.
    """
    return _session_out(await auth.login(body.email, body.password))


@router.post("/register", response_model=SessionOut, status_code=status.HTTP_201_CREATED)
async def register(body: RegisterIn, auth: AuthServiceDep) -> SessionOut:
    """Open a customer account and log in.

    Refused (403) while customer registration is disabled.
    """
    new = NewAccount(
        name=body.name, email=str(body.email), password=body.password, phone=body.phone
    )
    return _session_out(await auth.register(new))


@router.post("/refresh", response_model=TokenOut)
async def refresh(credentials: BearerDep, auth: AuthServiceDep) -> TokenOut:
    """Exchange a token for a new one: send the (possibly expired) token as Bearer; no body."""
    if credentials is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Unauthenticated.")
    return _token_out(await auth.refresh(credentials.credentials))


@router.post("/logout", response_model=MessageText)
async def logout(credentials: BearerDep, auth: AuthServiceDep) -> MessageText:
    """End the session of the token sent as Bearer.

    An expired token within the refresh window is accepted.
    """
    if credentials is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Unauthenticated.")
    await auth.logout(credentials.credentials)
    return MessageText(message="Logged out successfully")


@router.get("/me", response_model=MeEnvelope)
async def me(principal: PrincipalDep, accounts: AccountServiceDep) -> MeEnvelope:
    """The signed-in user, with the projects they belong to."""
    assert principal.user is not None
    memberships = await accounts.projects_of(principal.user)
    projects = [
        MembershipOut(id=p.id, name=p.name, slug=p.slug, is_lead=is_lead)
        for p, is_lead in memberships
    ]
    user = UserOut.model_validate(principal.user)
    return MeEnvelope(user=MeOut(**user.model_dump(), projects=projects))


_PROFILE_INVALID = {
    "description": (
        "Validation failed. A new password needs `current_password`: missing or wrong,"
        " it is reported under `current_password` and nothing changes."
    ),
    "content": {
        "application/json": {
            "example": {
                "error": "Validation failed.",
                "details": {"current_password": ["The current password is incorrect."]},
            }
        }
    },
}


@router.put("/profile", response_model=UserEnvelope, responses={422: _PROFILE_INVALID})
async def update_profile(
    body: ProfileIn, principal: PrincipalDep, accounts: AccountServiceDep
) -> UserEnvelope:
    """Change the user's own profile.

    A password change needs `current_password` and ends every session of the account,
    the one that made it included: log in again with the new password.
    """
    changes = AccountChanges(
        fields_set=frozenset(body.model_fields_set),
        name=body.name,
        phone=body.phone,
        password=body.password,
        current_password=body.current_password,
    )
    user = await accounts.update_own_profile(principal, changes)
    return UserEnvelope(user=UserOut.model_validate(user))

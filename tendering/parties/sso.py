"""Single sign-on for officials and council members with OpenID Connect (Authlib's Flask client).

Configured by the environment: OIDC_ISSUER (its /.well-known/openid-configuration is read), OIDC_CLIENT_ID,
OIDC_CLIENT_SECRET, OIDC_ROLE_CLAIM (the claim with the person's groups, e.g. "roles" or "groups"),
OIDC_ROLE_MAP ("tendering-officials=official,raad=council_member"), OIDC_LABEL (the button's name for the
provider) and OIDC_MFA_ACR (acr values that mean the provider used more than a password). Without OIDC_ISSUER
nothing changes: local passwords remain, as they always do for coalitions.

The login is the authorization code flow with PKCE (S256), a state and a nonce, which Authlib keeps in the
signed session cookie and checks; the id_token is validated on signature (the provider's JWKS), issuer (the
configured one), audience (our client id), expiry and nonce. The rules for who gets in (`sign_in`):

- A person is known by (issuer, subject), stored on the user. The role comes from the role claim at every
  login, through OIDC_ROLE_MAP, which may map only to official and council_member: coalition roles and the
  admin role never come from single sign-on (start-up refuses such a map). A claim that maps to no role, or
  to both (an official cannot be a council member of the same municipality), is refused.
- A known person whose claim no longer maps to a role (the group was removed) is refused, their account
  blocked and their open sessions ended; an administrator unblocks it. A changed role is taken over.
- The first login creates the account with the mapped role, or links an existing official or council member
  with the same e-mail address, but only when the provider says the address is verified (`email_verified`
  true): otherwise anyone who can name an address at the provider could take over a local account. An
  address of a coalition member or an administrator is never linked.
- Once linked, the account logs in only through the provider while single sign-on is configured
  (`password_login_refusal`), so the provider's groups cannot be bypassed with a local password.
- The login counts as having passed a second factor only when the id_token says so: `amr` holds "mfa" or
  "otp", or `acr` is one of OIDC_MFA_ACR. A user with an own authenticator whose provider did not say so is
  asked for its code before the session opens, as after a password.
"""

import secrets
from dataclasses import dataclass

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from flask_babel import gettext as _
from sqlmodel import Session, select

from ..core import audit
from ..models import Role, User
from . import addresses, users

CLIENT = "oidc"
EXTENSION = "tendering.sso"
SSO_ROLES = (Role.official, Role.council_member)
MFA_AMR = frozenset({"mfa", "otp"})


def parse_role_map(text: str) -> dict[str, Role]:
    """ "group=role,other=role" as a dict; a role other than official or council member stops the start."""
    mapping: dict[str, Role] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        value, sep, role = item.rpartition("=")
        if not sep or not value.strip():
            raise ValueError(f"OIDC_ROLE_MAP: {item.strip()!r} is not claim-value=role")
        if role.strip() not in {r.value for r in SSO_ROLES}:
            raise ValueError(
                f"OIDC_ROLE_MAP maps {value.strip()!r} to {role.strip()!r}: single sign-on gives only the roles "
                "official and council_member (coalition and admin roles never come from it)"
            )
        mapping[value.strip()] = Role(role.strip())
    return mapping


@dataclass(frozen=True)
class Settings:
    issuer: str
    role_claim: str
    role_map: dict[str, Role]
    label: str
    mfa_acr: frozenset[str]


def init_app(app: Flask) -> None:
    """Register the provider when OIDC_ISSUER is set; a deployment with an incomplete configuration does not start."""
    config = app.config
    issuer = (config.get("OIDC_ISSUER") or "").strip().rstrip("/")
    if not issuer:
        return
    if not config.get("OIDC_CLIENT_ID") or not config.get("OIDC_CLIENT_SECRET"):
        raise ValueError("OIDC_ISSUER is set, so OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are needed too")
    role_map = parse_role_map(config.get("OIDC_ROLE_MAP", ""))
    if not role_map:
        raise ValueError("OIDC_ISSUER is set, so OIDC_ROLE_MAP must map at least one claim value to a role")
    oauth = OAuth(app)
    oauth.register(
        CLIENT,
        client_id=config["OIDC_CLIENT_ID"],
        client_secret=config["OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256", "timeout": 10},
    )
    app.extensions[EXTENSION] = Settings(
        issuer=issuer,
        role_claim=config.get("OIDC_ROLE_CLAIM") or "roles",
        role_map=role_map,
        label=config.get("OIDC_LABEL") or "",
        mfa_acr=frozenset(v.strip() for v in (config.get("OIDC_MFA_ACR") or "").split(",") if v.strip()),
    )


def settings() -> Settings | None:
    return current_app.extensions.get(EXTENSION)


def enabled() -> bool:
    return settings() is not None


def label() -> str:
    """The provider's name on the login button."""
    configured = settings()
    if configured is None:
        return ""
    return configured.label or _("your organisation's account")


def client():
    return current_app.extensions["authlib.integrations.flask_client"].create_client(CLIENT)


def claims_options() -> dict:
    """What the id_token must carry besides a valid signature and nonce: our issuer, and an expiry."""
    return {"iss": {"essential": True, "values": [settings().issuer]}, "exp": {"essential": True}}


# Who gets in ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    """The outcome of a provider's login: the user to log in (with whether the provider did a second factor),
    or the reason it is refused."""

    user: User | None = None
    provider_mfa: bool = False
    refusal: str = ""


def _claim_values(claims: dict, name: str) -> list[str]:
    value = claims.get(name)
    if isinstance(value, str):
        return value.replace(",", " ").split()
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def mapped_role(claims: dict, configured: Settings) -> Role | None | bool:
    """The one role the claim maps to; None when it maps to none, False when to more than one."""
    roles = {configured.role_map[v] for v in _claim_values(claims, configured.role_claim) if v in configured.role_map}
    if len(roles) > 1:
        return False
    return roles.pop() if roles else None


def provider_did_mfa(claims: dict, configured: Settings) -> bool:
    amr = set(_claim_values(claims, "amr"))
    return bool(amr & MFA_AMR) or (bool(configured.mfa_acr) and claims.get("acr") in configured.mfa_acr)


def sign_in(session: Session, claims: dict) -> SignIn:
    """Find, link or create the user for validated id_token claims, by the rules above. A refusal is audited
    (and a removed group blocks the account) in the request's transaction: the caller answers with a redirect."""
    configured = settings()
    issuer, subject = configured.issuer, str(claims.get("sub") or "")
    email = addresses.normalised(str(claims.get("email") or "")) or ""
    details = {"issuer": issuer, "subject": subject}
    role = mapped_role(claims, configured)
    user = session.exec(select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject)).first()

    def refuse(reason: str, message: str, actor: User | None = None) -> SignIn:
        audit.record(session, action="sso_login_refused", actor=actor, details={**details, "reason": reason})
        return SignIn(refusal=message)

    if not subject:
        return refuse("no_subject", _("The identity provider sent no identity. Nothing was changed."))
    if role is False:
        return refuse(
            "ambiguous_role",
            _(
                "Your account at the identity provider is in groups for both officials and council members. "
                "Ask its administrator to keep only one."
            ),
            user,
        )
    if user is not None:
        if role is None:
            if user.active:
                user.active = False
                session.add(user)
                users.end_sessions(session, user, reason="sso_access_removed", actor=None)
                audit.record(session, action="sso_access_removed", actor=None, details={**details, "user_id": user.id})
            return refuse("no_role", _no_role_message(configured), user)
        if not user.active:
            return refuse("blocked", _("Your account is blocked. Ask the administrator of this platform."), user)
        if user.role != role:
            audit.record(
                session,
                action="sso_role_changed",
                actor=None,
                details={**details, "user_id": user.id, "from": user.role.value, "to": role.value},
            )
            user.role = role
            session.add(user)
        return SignIn(user=user, provider_mfa=provider_did_mfa(claims, configured))
    if role is None:
        return refuse("no_role", _no_role_message(configured))
    if not email:
        return refuse("no_email", _("The identity provider sent no e-mail address, so no account can be made."))
    if claims.get("email_verified") is not True:
        # Neither linked nor made: mail would go to an address nobody proved, and it would be taken for its owner.
        return refuse(
            "email_not_verified",
            _(
                "The identity provider has not verified your e-mail address, so it is not used here. Ask the "
                "provider to verify it, or log in with your password if you have one."
            ),
        )
    existing = users.find_user_by_email(session, email)
    if existing is not None:
        if existing.role not in SSO_ROLES:
            return refuse(
                "not_an_sso_role",
                _(
                    "An account with this e-mail address exists for a coalition member or an administrator. Such "
                    "accounts never log in through the identity provider: log in with your password."
                ),
            )
        if existing.oidc_subject is not None:
            return refuse("linked_to_another", _("This account is already linked to another identity."))
        if not existing.active:
            return refuse("blocked", _("Your account is blocked. Ask the administrator of this platform."), existing)
        existing.oidc_issuer, existing.oidc_subject = issuer, subject
        if existing.role != role:
            details["role_from"] = existing.role.value
            existing.role = role
        session.add(existing)
        audit.record(session, action="sso_account_linked", actor=existing, details={**details, "role": role.value})
        return SignIn(user=existing, provider_mfa=provider_did_mfa(claims, configured))
    name = str(claims.get("name") or "").strip()[:200] or email
    user = users.create_user(
        session, email=email, name=name, role=role, password_hash=users.hash_password(_unguessable())
    )
    user.oidc_issuer, user.oidc_subject = issuer, subject
    session.add(user)
    session.flush()
    audit.record(session, action="sso_account_created", actor=user, details={**details, "role": role.value})
    return SignIn(user=user, provider_mfa=provider_did_mfa(claims, configured))


def _unguessable() -> str:
    """A password nobody knows, for an account made by single sign-on (which logs in only through it)."""
    return secrets.token_urlsafe(48)


def _no_role_message(configured: Settings) -> str:
    return _(
        "Your account at %(provider)s gives no access to this platform: none of your groups is one for officials or "
        "council members here. Ask your administrator if you should have access.",
        provider=configured.label or _("the identity provider"),
    )


def password_login_refusal(user: User) -> str | None:
    """Why a correct password does not log this user in: an account linked to the identity provider logs in
    through it while single sign-on is configured."""
    if enabled() and user.oidc_subject is not None:
        return _("This account logs in through single sign-on (%(provider)s).", provider=label())
    return None

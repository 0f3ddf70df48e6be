"""A real OpenID provider for the tests, on loopback: Authlib's own server components (the authorization code grant
with PKCE and OpenID Connect's `OpenIDCode`), an RSA signing key (joserfc), a discovery document, JWKS,
authorize, token and userinfo endpoints, served by werkzeug in a thread on a free port of 127.0.0.1.

It logs in whoever `provider.user` says (claims sub, email, email_verified, name, roles, and optionally amr/acr)
without a login form: a GET of /authorize answers at once with the redirect back to the client. The app under
test reaches the discovery document, the JWKS and the token endpoint over real HTTP.

`provider.tamper` makes the next id_tokens wrong on purpose ("foreign_key": signed with a key not in the JWKS,
"audience": for another client, "expired": expired an hour ago) to prove that the app checks them.
"""

import secrets
import threading
import time
from dataclasses import dataclass, field

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

CLIENT_ID = "tendering-test"
CLIENT_SECRET = "provider-test-secret"


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_prefix: str = "http://localhost/"

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        allowed = {"openid", "email", "profile"}
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri.startswith(self.redirect_prefix)

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: dict
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return self.user.get("acr")

    def get_amr(self):
        return self.user.get("amr")

    def get_code_challenge(self):
        return self.code_challenge

    def get_code_challenge_method(self):
        return self.code_challenge_method


class Provider:
    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "provider-key", "use": "sig", "alg": "RS256"})
        self.foreign_key = RSAKey.generate_key(2048, parameters={"kid": "provider-key", "alg": "RS256"})
        self.user: dict = {}
        self.tamper = ""
        self.codes: dict[str, Code] = {}
        self.tokens: dict[str, dict] = {}
        self.authorize_requests: list[dict] = []
        self.token_requests = 0
        self.client = Client(CLIENT_ID, CLIENT_SECRET)
        self.app = self._build()
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> "Provider":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def log_in_as(self, **claims) -> None:
        """Who the provider says logs in next: sub, email, email_verified, name, roles, amr, acr."""
        self.user = claims

    # The provider's Flask app ----------------------------------------------------------------------------------------

    def _build(self) -> Flask:
        provider = self
        app = Flask("oidc_provider")
        app.config["SECRET_KEY"] = secrets.token_hex(16)

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, request):
                data = request.payload.data
                provider.codes[code] = Code(
                    code=code,
                    client_id=request.client.get_client_id(),
                    redirect_uri=request.payload.redirect_uri,
                    scope=request.payload.scope,
                    user=request.user,
                    nonce=data.get("nonce"),
                    code_challenge=data.get("code_challenge"),
                    code_challenge_method=data.get("code_challenge_method"),
                )

            def query_authorization_code(self, code, client):
                found = provider.codes.get(code)
                if found and found.client_id == client.get_client_id():
                    return found
                return None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.user

        class OpenIDCodeExtension(OpenIDCode):
            def exists_nonce(self, nonce, request):
                return any(c.nonce == nonce for c in provider.codes.values())

            def resolve_client_private_key(self, client):
                return provider.foreign_key if provider.tamper == "foreign_key" else provider.key

            def get_client_algorithm(self, client):
                return "RS256"

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": "provider-key"}

            def get_client_claims(self, client):
                now = int(time.time())
                audience = "another-client" if provider.tamper == "audience" else client.get_client_id()
                claims = {"iss": provider.issuer, "aud": [audience], "iat": now, "exp": now + 300}
                if provider.tamper == "expired":
                    claims.update(iat=now - 7200, exp=now - 3600)
                return claims

            def generate_user_info(self, user, scope):
                claims = {k: v for k, v in user.items() if k not in ("amr", "acr")}
                return UserInfo(claims)

        def query_client(client_id):
            return provider.client if client_id == provider.client.client_id else None

        def save_token(token, request):
            provider.tokens[token["access_token"]] = request.user

        server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
        server.register_grant(CodeGrant, [CodeChallenge(required=True), OpenIDCodeExtension(require_nonce=True)])

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify(
                issuer=provider.issuer,
                authorization_endpoint=f"{provider.issuer}/authorize",
                token_endpoint=f"{provider.issuer}/token",
                userinfo_endpoint=f"{provider.issuer}/userinfo",
                jwks_uri=f"{provider.issuer}/jwks",
                response_types_supported=["code"],
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
                scopes_supported=["openid", "email", "profile"],
                token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
                code_challenge_methods_supported=["S256"],
                claims_supported=["sub", "email", "email_verified", "name", "roles", "amr", "acr"],
            )

        @app.get("/jwks")
        def jwks():
            return jsonify(keys=[provider.key.as_dict(private=False)])

        @app.get("/authorize")
        def authorize():
            provider.authorize_requests.append(request.args.to_dict())
            user = dict(provider.user)  # logged in without a form: the provider's user is whoever the test says
            try:
                grant = server.get_consent_grant(end_user=user)
            except OAuth2Error as error:
                return server.handle_error_response(None, error)
            return server.create_authorization_response(grant=grant, grant_user=user)

        @app.post("/token")
        def token():
            provider.token_requests += 1
            return server.create_token_response()

        @app.get("/userinfo")
        def userinfo():
            bearer = request.headers.get("Authorization", "")
            user = provider.tokens.get(bearer.removeprefix("Bearer "))
            if user is None:
                return jsonify(error="invalid_token"), 401
            return jsonify({k: v for k, v in user.items() if k not in ("amr", "acr")})

        return app

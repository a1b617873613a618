"""The rate limits of form posts and the account-wide limit of failed sign-ins
(``PORTAL_RATE_LIMIT_*``, ``PORTAL_LOGIN_ACCOUNT_RATE_LIMIT``); portal.limits keeps the counts.

The defaults are far above what a person does (a form every half second, all day), so that
only scripts meet them."""

from __future__ import annotations

from dataclasses import dataclass

from portal.env_values import whole_number as _positive


@dataclass(frozen=True)
class RateLimitSettings:
    #: Form posts (any POST) of one signed-in account per window, whatever its addresses.
    account_posts: int = 120
    #: Form posts of one address (an IPv6 address's /64) per window, signed in or not.
    address_posts: int = 600
    #: The window of both, in seconds.
    window_seconds: int = 60
    #: Failed sign-ins on one account per ``PORTAL_LOGIN_RATE_WINDOW_SECONDS`` from browsers
    #: where that account never signed in: more wait for the window's end (429). A browser
    #: where it did (its device cookie) is never held up by them.
    login_account_failures: int = 10
    #: Calls of one API token per window (any method); more are refused with 429.
    api_token_calls: int = 120
    #: Uploads of one API token received at the same time; one more is refused with 429.
    api_token_uploads: int = 2
    #: Hours an API ``Idempotency-Key`` is remembered (portal.accounts.idempotency).
    api_idempotency_hours: int = 24

    @classmethod
    def from_env(cls, env: dict[str, str]) -> RateLimitSettings:
        """Raises ValueError naming a variable that is not a number."""
        return cls(
            account_posts=_positive(env, "PORTAL_RATE_LIMIT_ACCOUNT_POSTS", cls.account_posts),
            address_posts=_positive(env, "PORTAL_RATE_LIMIT_ADDRESS_POSTS", cls.address_posts),
            window_seconds=_positive(env, "PORTAL_RATE_LIMIT_WINDOW_SECONDS",
                                     cls.window_seconds),
            login_account_failures=_positive(env, "PORTAL_LOGIN_ACCOUNT_RATE_LIMIT",
                                             cls.login_account_failures),
            api_token_calls=_positive(env, "PORTAL_API_TOKEN_RATE_LIMIT", cls.api_token_calls),
            api_token_uploads=_positive(env, "PORTAL_API_TOKEN_CONCURRENT_UPLOADS",
                                        cls.api_token_uploads),
            api_idempotency_hours=_positive(env, "PORTAL_API_IDEMPOTENCY_HOURS",
                                            cls.api_idempotency_hours),
        )

    def problems(self) -> list[str]:
        if min(self.account_posts, self.address_posts, self.window_seconds,
               self.login_account_failures, self.api_token_calls, self.api_token_uploads,
               self.api_idempotency_hours) <= 0:
            return ["PORTAL_RATE_LIMIT_ACCOUNT_POSTS, PORTAL_RATE_LIMIT_ADDRESS_POSTS, "
                    "PORTAL_RATE_LIMIT_WINDOW_SECONDS, PORTAL_LOGIN_ACCOUNT_RATE_LIMIT, "
                    "PORTAL_API_TOKEN_RATE_LIMIT, PORTAL_API_TOKEN_CONCURRENT_UPLOADS and "
                    "PORTAL_API_IDEMPOTENCY_HOURS must be positive"]
        return []

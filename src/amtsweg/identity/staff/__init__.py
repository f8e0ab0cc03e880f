"""Staff sign-in: password, a TOTP second factor, lock-out, session expiry, password reset and
optional OIDC single sign-on. Citizens sign in elsewhere (``amtsweg.identity.bundid``)."""

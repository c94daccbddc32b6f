package com.example.archetypes.runtime.auth;

import io.micronaut.http.HttpRequest;

import java.util.Optional;

/**
 * Why a request's bearer token was not accepted, kept on the request by {@link BearerTokenVerifier}
 * for {@link AuthRejectionHandler}, which answers it.
 *
 * @param reason           what was wrong, in plain words for the caller (never the token itself)
 * @param keysUnavailable  true when the token could not be checked because the issuer's keys could
 *                         not be fetched: the caller is not at fault and may try again
 */
record AuthFailure(String reason, boolean keysUnavailable) {

    private static final String ATTRIBUTE = AuthFailure.class.getName();

    static AuthFailure invalid(String reason) {
        return new AuthFailure(reason, false);
    }

    static AuthFailure unavailableKeys() {
        return new AuthFailure("The issuer's signing keys cannot be fetched right now, so the bearer token"
                + " cannot be checked", true);
    }

    void attachTo(HttpRequest<?> request) {
        request.setAttribute(ATTRIBUTE, this);
    }

    static Optional<AuthFailure> of(HttpRequest<?> request) {
        return request.getAttribute(ATTRIBUTE, AuthFailure.class);
    }
}

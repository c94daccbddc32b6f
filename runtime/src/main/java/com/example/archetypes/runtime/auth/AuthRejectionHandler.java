package com.example.archetypes.runtime.auth;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import io.micronaut.security.authentication.AuthorizationException;
import io.micronaut.security.authentication.DefaultAuthorizationExceptionHandler;
import jakarta.inject.Singleton;

/**
 * Answers a request the security rules refused, with a problem+json body in plain words:
 * <ul>
 *   <li>no bearer token, or a header that is not {@code Bearer <token>}: 401 with
 *       {@code WWW-Authenticate: Bearer} (RFC 6750 section 3: no error code when no token was sent);</li>
 *   <li>a token that was refused: 401 with {@code WWW-Authenticate: Bearer error="invalid_token"}
 *       and the reason ({@link AuthFailure});</li>
 *   <li>the issuer's keys cannot be fetched: 503 with Retry-After; the request is not let through;</li>
 *   <li>a valid token without the scope the route needs: 403, naming the scope.</li>
 * </ul>
 */
@Produces
@Singleton
@Replaces(DefaultAuthorizationExceptionHandler.class)
final class AuthRejectionHandler implements ExceptionHandler<AuthorizationException, MutableHttpResponse<?>> {

    private static final String RETRY_AFTER_SECONDS = "5";
    private static final String REALM = "Bearer";

    private final ErrorResponseProcessor<?> problems;

    AuthRejectionHandler(ErrorResponseProcessor<?> problems) {
        this.problems = problems;
    }

    @Override
    public MutableHttpResponse<?> handle(HttpRequest request, AuthorizationException exception) {
        if (exception.isForbidden()) {
            return answer(request, HttpResponse.status(HttpStatus.FORBIDDEN),
                    "The bearer token does not grant the scope this request needs (" + AuthSettings.WRITE_SCOPE
                            + " to queue jobs, " + AuthSettings.READ_SCOPE + " to read them)");
        }
        var failure = AuthFailure.of(request);
        if (failure.isPresent() && failure.get().keysUnavailable()) {
            return answer(request, HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE)
                    .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS),
                    failure.get().reason() + "; try again in " + RETRY_AFTER_SECONDS + " seconds");
        }
        if (failure.isPresent()) {
            return answer(request, HttpResponse.status(HttpStatus.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, REALM + " error=\"invalid_token\""), failure.get().reason());
        }
        boolean headerSent = request.getHeaders().contains(HttpHeaders.AUTHORIZATION);
        return answer(request, HttpResponse.status(HttpStatus.UNAUTHORIZED).header(HttpHeaders.WWW_AUTHENTICATE, REALM),
                headerSent ? "The Authorization header must be 'Bearer ' followed by an access token"
                        : "This request needs an access token: send it as 'Authorization: Bearer <token>'");
    }

    private MutableHttpResponse<?> answer(HttpRequest<?> request, MutableHttpResponse<?> response, String detail) {
        return problems.processResponse(ErrorContext.builder(request).errorMessage(detail).build(), response);
    }
}

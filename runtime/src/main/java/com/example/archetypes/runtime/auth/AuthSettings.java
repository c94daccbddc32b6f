package com.example.archetypes.runtime.auth;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;
import java.util.List;

/**
 * Whom the service trusts to say who a caller is, {@code app.auth.*}. A generated service maps them
 * to AUTH_ISSUER, AUTH_JWKS_URL and AUTH_AUDIENCES; there is no setting that turns authentication
 * off, so a service cannot be shipped open by mistake: without the first three it does not start.
 *
 * @param issuer         the {@code iss} every token must carry, exactly
 *                       ({@code https://cognito-idp.<region>.amazonaws.com/<poolId>} when deployed)
 * @param jwksUrl        where the issuer publishes its public keys (its {@code /.well-known/jwks.json})
 * @param audiences      the audiences or client ids accepted: a token must carry one of them in
 *                       {@code aud} or in {@code client_id} (Cognito's client-credentials access
 *                       tokens have no {@code aud})
 * @param clockSkew      how far the clocks of the issuer and this service may disagree when checking
 *                       {@code exp} and {@code nbf}
 * @param jwksCacheTtl   how long the keys fetched are used before being fetched again; a token signed
 *                       with a key not in the cache makes the service fetch them at once
 * @param jwksTimeout    how long a fetch of the keys may take before the request answers 503
 * @param jwksMinRefreshInterval the least time between two fetches caused by unknown key ids
 * @param scopePrefix    what the issuer puts before each scope, or nothing: Cognito names a scope after
 *                       its resource server ({@code template-service/jobs:write}); with a prefix, only
 *                       the scopes that carry it count
 */
@ConfigurationProperties("app.auth")
public record AuthSettings(
        @Nullable String issuer,
        @Nullable String jwksUrl,
        @Nullable List<String> audiences,
        @Bindable(defaultValue = "60s") Duration clockSkew,
        @Bindable(defaultValue = "5m") Duration jwksCacheTtl,
        @Bindable(defaultValue = "2s") Duration jwksTimeout,
        @Bindable(defaultValue = "30s") Duration jwksMinRefreshInterval,
        @Nullable String scopePrefix) {

    /** The scope that lets a caller queue jobs. */
    public static final String WRITE_SCOPE = "jobs:write";
    /** The scope that lets a caller read the jobs it queued. */
    public static final String READ_SCOPE = "jobs:read";
    /** The scope that lets a caller read every job, whoever queued it (an operator's tool, say). */
    public static final String READ_ALL_SCOPE = "jobs:read-all";

    List<String> acceptedAudiences() {
        return audiences == null ? List.of()
                : audiences.stream().map(String::trim).filter(audience -> !audience.isEmpty()).toList();
    }
}

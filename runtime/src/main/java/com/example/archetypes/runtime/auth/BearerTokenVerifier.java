package com.example.archetypes.runtime.auth;

import com.example.archetypes.runtime.WebRole;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpRequest;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.token.validator.TokenValidator;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import java.text.ParseException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * Checks a bearer token against the trusted issuer, in place of micronaut-security-jwt's own
 * validator, so that each refusal can say what was wrong and a token that cannot be checked (the
 * keys cannot be fetched) is told apart from a bad one:
 * <ul>
 *   <li>signed with one of the issuer's published keys, by an asymmetric algorithm (RS*, ES*, PS*),
 *       whatever the header claims: unsigned ({@code alg: none}) and HMAC tokens are refused before any
 *       key is looked at, so a public key can never serve as an HMAC secret;</li>
 *   <li>the keys come from the issuer's JWKS, cached for {@code app.auth.jwks-cache-ttl} and fetched
 *       again at once for a key id not in the cache (at most once per
 *       {@code app.auth.jwks-min-refresh-interval}, so made-up key ids cannot make the service hammer
 *       the issuer);</li>
 *   <li>{@code iss} equal to the issuer; {@code exp} present and not past, {@code nbf} not ahead,
 *       within {@code app.auth.clock-skew};</li>
 *   <li>{@code aud} or {@code client_id} one of the accepted audiences.</li>
 * </ul>
 * The caller is named by {@code sub} (or {@code client_id} without one); its roles are the token's
 * scopes. Fetching keys blocks, so checks run on the blocking executor, never on an event loop.
 */
@WebRole
@Singleton
@Replaces(TokenValidator.class) // micronaut-security-jwt's own, which cannot say why it refused a token
final class BearerTokenVerifier implements TokenValidator<HttpRequest<?>> {

    private static final Logger LOG = LoggerFactory.getLogger(BearerTokenVerifier.class);
    private static final Set<JWSAlgorithm> ASYMMETRIC = Set.of(
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512);
    private static final int JWKS_SIZE_LIMIT_BYTES = 256 * 1024;

    private final TrustedIssuer issuer;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final ExecutorService blocking;
    private final String scopePrefix;

    BearerTokenVerifier(TrustedIssuer issuer, AuthSettings settings, @Named(TaskExecutors.BLOCKING) ExecutorService blocking) {
        this.issuer = issuer;
        this.blocking = blocking;
        this.scopePrefix = settings.scopePrefix() == null ? "" : settings.scopePrefix().trim();
        int timeoutMillis = (int) settings.jwksTimeout().toMillis();
        JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(issuer.jwksUrl(),
                        new DefaultResourceRetriever(timeoutMillis, timeoutMillis, JWKS_SIZE_LIMIT_BYTES))
                .cache(settings.jwksCacheTtl().toMillis(), timeoutMillis)
                .rateLimited(settings.jwksMinRefreshInterval().toMillis())
                .retrying(false)
                .build();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ASYMMETRIC, keys));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                new JWTClaimsSet.Builder().issuer(issuer.issuer()).build(), Set.of("exp"));
        claims.setMaxClockSkew((int) settings.clockSkew().toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    @Override
    public Publisher<Authentication> validateToken(String token, HttpRequest<?> request) {
        return Mono.fromFuture(() -> CompletableFuture.supplyAsync(() -> verify(token), blocking))
                .flatMap(outcome -> {
                    if (outcome.failure() != null) {
                        outcome.failure().attachTo(request);
                        return Mono.empty();
                    }
                    return Mono.just(outcome.caller());
                });
    }

    /** The caller the token names, or why it is refused. */
    record Outcome(Authentication caller, AuthFailure failure) {
    }

    Outcome verify(String token) {
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            return refused("The bearer token is not a well-formed JWT");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            return refused("The bearer token is not signed (or is encrypted); only tokens signed by the issuer"
                    + " with RS*, ES* or PS* are accepted");
        }
        JWSAlgorithm algorithm = signed.getHeader().getAlgorithm();
        if (!ASYMMETRIC.contains(algorithm)) {
            return refused("The bearer token is signed with " + algorithm.getName() + "; only RS*, ES* and PS*"
                    + " signatures by the issuer's keys are accepted");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(signed, null);
        } catch (RateLimitReachedException e) {
            return refused("The bearer token is signed with a key the issuer does not publish");
        } catch (KeySourceException e) {
            LOG.warn("Cannot fetch the issuer's keys from {}: {}", issuer.jwksUrl(), e.getMessage());
            return new Outcome(null, AuthFailure.unavailableKeys());
        } catch (BadJWSException e) {
            return refused("The bearer token's signature is not valid");
        } catch (BadJWTException e) {
            return refused(claimsProblem(e));
        } catch (BadJOSEException e) {
            return refused("The bearer token is signed with a key the issuer does not publish");
        } catch (JOSEException e) {
            return refused("The bearer token's signature cannot be checked");
        }
        return audienceProblem(claims).map(BearerTokenVerifier::refused).orElseGet(() -> accepted(claims));
    }

    private Optional<String> audienceProblem(JWTClaimsSet claims) {
        List<String> audiences = issuer.audiences();
        boolean forUs = claims.getAudience().stream().anyMatch(audiences::contains)
                || audiences.contains(stringClaim(claims, "client_id"));
        return forUs ? Optional.empty()
                : Optional.of("The bearer token is not meant for this service: neither its audience (aud) nor its"
                        + " client (client_id) is one this service accepts");
    }

    private Outcome accepted(JWTClaimsSet claims) {
        String caller = claims.getSubject() != null ? claims.getSubject() : stringClaim(claims, "client_id");
        if (caller == null || caller.isBlank()) {
            return refused("The bearer token names no caller: it has neither sub nor client_id");
        }
        String scope = stringClaim(claims, "scope");
        // With a prefix (Cognito names a scope after its resource server: template-service/jobs:write),
        // only the scopes that carry it count, without it; another resource server's scopes are not ours.
        List<String> scopes = scope == null ? List.of() : Arrays.stream(scope.trim().split("\\s+"))
                .filter(s -> !s.isEmpty() && s.startsWith(scopePrefix))
                .map(s -> s.substring(scopePrefix.length()))
                .toList();
        Map<String, Object> attributes = new HashMap<>();
        attributes.put("scope", String.join(" ", scopes));
        return new Outcome(Authentication.build(caller, scopes, attributes), null);
    }

    private static String claimsProblem(BadJWTException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("Expired")) {
            return "The bearer token has expired";
        }
        if (message.contains("before use time")) {
            return "The bearer token is not valid yet (its nbf is in the future)";
        }
        if (message.contains("missing required claims")) {
            return "The bearer token has no expiry (exp)";
        }
        if (message.contains("iss claim")) {
            return "The bearer token was not issued by the issuer this service trusts";
        }
        return "The bearer token's claims are not valid";
    }

    private static String stringClaim(JWTClaimsSet claims, String name) {
        Object value = claims.getClaim(name);
        return value instanceof String text ? text : null;
    }

    private static Outcome refused(String reason) {
        return new Outcome(null, AuthFailure.invalid(reason));
    }
}

package com.example.archetypes.runtime.auth;

import com.example.archetypes.runtime.WebRole;
import io.micronaut.context.annotation.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The issuer this web process trusts, from {@link AuthSettings}, checked once at start-up: without an
 * issuer, its keys' URL and at least one audience, the service refuses to start rather than run open
 * or refuse every caller. The keys must come over HTTPS; plain HTTP is accepted only from this
 * machine (127.0.0.1 or localhost, as the tests and a laptop's key server), and a file: URL only for
 * a laptop's keys made by dev-auth/make-dev-keys.sh.
 */
@WebRole
@Context // checked at start-up, not at the first request
final class TrustedIssuer {

    private static final Logger LOG = LoggerFactory.getLogger(TrustedIssuer.class);
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]");

    private final String issuer;
    private final URL jwksUrl;
    private final List<String> audiences;

    TrustedIssuer(AuthSettings settings) {
        List<String> missing = new ArrayList<>();
        if (settings.issuer() == null || settings.issuer().isBlank()) {
            missing.add("AUTH_ISSUER (app.auth.issuer)");
        }
        if (settings.jwksUrl() == null || settings.jwksUrl().isBlank()) {
            missing.add("AUTH_JWKS_URL (app.auth.jwks-url)");
        }
        if (settings.acceptedAudiences().isEmpty()) {
            missing.add("AUTH_AUDIENCES (app.auth.audiences)");
        }
        if (!missing.isEmpty()) {
            throw new AuthSettingsRejected("Authentication is not configured: set " + String.join(", ", missing)
                    + ". The job API accepts only bearer tokens from a trusted issuer and has no way to run open;"
                    + " on a laptop, run dev-auth/make-dev-keys.sh and see the README's Authentication section.");
        }
        this.issuer = settings.issuer().trim();
        this.jwksUrl = parseJwksUrl(settings.jwksUrl().trim());
        this.audiences = settings.acceptedAudiences();
        LOG.info("Job API: accepting bearer tokens from issuer {} (keys from {}) for audiences or clients {}",
                issuer, jwksUrl, audiences);
        if (!"https".equals(jwksUrl.getProtocol())) {
            LOG.warn("AUTH_JWKS_URL is {}: keys from this machine, as only a laptop or a test uses; a deployed"
                    + " service fetches its issuer's keys over https", jwksUrl);
        }
    }

    private static URL parseJwksUrl(String value) {
        try {
            URI uri = new URI(value);
            String scheme = String.valueOf(uri.getScheme()).toLowerCase();
            boolean allowed = switch (scheme) {
                case "https" -> uri.getHost() != null;
                case "http" -> uri.getHost() != null && LOOPBACK.contains(uri.getHost().toLowerCase());
                case "file" -> uri.getPath() != null;
                default -> false;
            };
            if (!allowed) {
                throw new AuthSettingsRejected("AUTH_JWKS_URL '" + value + "' is not accepted: the issuer's keys must"
                        + " come from an https:// URL (http:// only from 127.0.0.1 or localhost, file: only on a laptop)");
            }
            return uri.toURL();
        } catch (URISyntaxException | MalformedURLException | IllegalArgumentException e) {
            throw new AuthSettingsRejected("AUTH_JWKS_URL '" + value + "' is not a URL: " + e.getMessage());
        }
    }

    String issuer() {
        return issuer;
    }

    URL jwksUrl() {
        return jwksUrl;
    }

    List<String> audiences() {
        return audiences;
    }
}

package com.example.archetypes.runtime.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A token issuer for tests, as Cognito is for a deployed service: an RSA key pair made here, its
 * public half served as a JWKS on 127.0.0.1, and access tokens signed with it. {@link #settings()}
 * points a service at it; {@link #token} makes a token for a caller and its scopes.
 */
public final class TestIssuer implements AutoCloseable {

    public static final String AUDIENCE = "test-client";
    public static final String ISSUER_PREFIX = "https://issuer.test/";

    private final RSAKey key;
    private final String issuer = ISSUER_PREFIX + UUID.randomUUID();
    private final HttpServer server;
    private final AtomicInteger fetches = new AtomicInteger();

    public TestIssuer() {
        try {
            key = new RSAKeyGenerator(2048).keyID("test-key-" + UUID.randomUUID()).generate();
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] jwks = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        server.createContext("/.well-known/jwks.json", exchange -> {
            fetches.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, jwks.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(jwks);
            }
        });
        server.start();
    }

    /** The service settings that make it trust this issuer (and only it). */
    public Map<String, String> settings() {
        return Map.of("app.auth.issuer", issuer, "app.auth.jwks-url", jwksUrl(), "app.auth.audiences", AUDIENCE);
    }

    /** The same settings as the environment variables a generated service reads. */
    public Map<String, String> environment() {
        return Map.of("AUTH_ISSUER", issuer, "AUTH_JWKS_URL", jwksUrl(), "AUTH_AUDIENCES", AUDIENCE);
    }

    public String issuer() {
        return issuer;
    }

    public String jwksUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/.well-known/jwks.json";
    }

    /** The public key this issuer publishes, for tests that forge tokens with it. */
    public RSAKey publicKey() {
        return key.toPublicJWK();
    }

    /** How many times the JWKS was fetched. */
    public int fetches() {
        return fetches.get();
    }

    /** A valid access token, for an hour, shaped as Cognito's client-credentials tokens: client_id, no aud. */
    public String token(String caller, String scopes) {
        return sign(claims(caller, scopes).build());
    }

    /** Claims of a valid token, for a test to change one. */
    public JWTClaimsSet.Builder claims(String caller, String scopes) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(caller)
                .claim("client_id", AUDIENCE)
                .claim("scope", scopes)
                .claim("token_use", "access")
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofHours(1))));
    }

    /** {@code claims} signed RS256 with this issuer's key. */
    public String sign(JWTClaimsSet claims) {
        return sign(claims, key);
    }

    /** {@code claims} signed RS256 with {@code signingKey}, under that key's id. */
    public static String sign(JWTClaimsSet claims, RSAKey signingKey) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signingKey.getKeyID()).build(), claims);
            jwt.sign(new RSASSASigner(signingKey));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops serving the JWKS. */
    @Override
    public void close() {
        server.stop(0);
    }
}

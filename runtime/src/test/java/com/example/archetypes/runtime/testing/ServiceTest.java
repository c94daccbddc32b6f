package com.example.archetypes.runtime.testing;

import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

import java.util.HashMap;
import java.util.Map;

/**
 * The base of a test that runs the service: the class gets the service running in one process (role
 * {@code all}, unless {@link #properties()} says otherwise) against a database and a Redis key prefix
 * of its own (see {@link TestServices}), and {@link #http} to talk to it the way any client would,
 * with a bearer token from the test issuer granting jobs:write and jobs:read.
 * A test class extends this and writes only its tests.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ServiceTest implements TestPropertyProvider {

    protected final TestServices services = new TestServices();

    @Inject
    protected EmbeddedServer server;

    protected TestHttp http;

    /** Settings of this test class on top of the test database and key prefix: a role, a timeout... */
    protected Map<String, String> properties() {
        return Map.of();
    }

    @Override
    public final Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(services.properties());
        properties.putAll(properties());
        return properties;
    }

    @BeforeEach
    void connectHttp() {
        http = services.http(server.getURI());
    }

    @AfterAll
    void removeTestData() {
        services.close();
    }
}

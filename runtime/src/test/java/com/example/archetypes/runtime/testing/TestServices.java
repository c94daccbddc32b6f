package com.example.archetypes.runtime.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Gives one test class a Redis key prefix (and, for a service with a database, a database) of its own
 * on the real servers, so that
 * test classes and concurrent runs never see each other's data, and removes both afterwards.
 * It also starts more processes of the service against them, each in an application context of its
 * own, as separate processes would be.
 *
 * <p>The servers come from the same variables the service reads: {@code DB_HOST}, {@code DB_PORT},
 * {@code DB_USER}, {@code DB_PASSWORD} and {@code REDIS_URL}, defaulting to MySQL (or MariaDB) and
 * Redis on 127.0.0.1.
 *
 * <p>With the system property {@code test.redis-cluster=true} the Redis is instead a {@link RedisCluster}
 * of its own, started here and stopped by {@link #close()}, and the service uses its cluster client
 * ({@code app.redis-cluster}); {@link #redisUrl()} is then the master serving this prefix's hash slot,
 * so that a test's plain Redis client reads and writes the prefix's keys there as on one server.
 */
public final class TestServices implements AutoCloseable {

    private final String dbHost = env("DB_HOST", "127.0.0.1");
    private final String dbPort = env("DB_PORT", "3306");
    private final String dbUser = env("DB_USER", "root");
    private final String dbPassword = env("DB_PASSWORD", "");
    private final String redisUrl = env("REDIS_URL", "redis://127.0.0.1:6379");
    private final RedisCluster cluster = Boolean.getBoolean("test.redis-cluster") ? new RedisCluster() : null;
    private final String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private final String database = "service_test_" + suffix;
    private final String keyPrefix = "service-test-" + suffix;
    private final TestIssuer issuer = new TestIssuer();
    private boolean databaseCreated;

    /**
     * The properties that point the service at its key prefix and, for a service that has a database
     * (the MySQL driver is on its class path), at a database of its own, created on the first call;
     * and at the test issuer ({@link #issuer()}) for its callers' tokens; and a free metrics port.
     */
    public Map<String, String> properties() {
        Map<String, String> properties = new HashMap<>(issuer.settings());
        properties.put("redis.uri", redisUrl());
        if (cluster != null) {
            properties.put("app.redis-cluster", "true");
        }
        properties.put("app.jobs.key-prefix", keyPrefix);
        // Each context a free metrics port: several run in one JVM, and a laptop's service may hold 9464.
        properties.put("app.metrics.port", "0");
        if (!hasDatabase()) {
            return properties;
        }
        if (!databaseCreated) {
            execute("CREATE DATABASE `" + database + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
            databaseCreated = true;
        }
        properties.put("datasources.default.url", jdbcUrl(database));
        properties.put("datasources.default.username", dbUser);
        properties.put("datasources.default.password", dbPassword);
        return properties;
    }

    /** The issuer the services started here trust: it makes their callers' tokens. */
    public TestIssuer issuer() {
        return issuer;
    }

    /** A client of the service at {@code base} whose requests carry a token with every job scope. */
    public TestHttp http(java.net.URI base) {
        return new TestHttp(base, issuer.token("test-caller", "jobs:write jobs:read"));
    }

    private static boolean hasDatabase() {
        try {
            Class.forName("com.mysql.cj.jdbc.Driver", false, TestServices.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Another process of the service in {@code role}, without HTTP; close it to stop it. */
    public ApplicationContext start(String role, Map<String, String> overrides) {
        return ApplicationContext.builder().environments("test").properties(with(role, overrides)).start();
    }

    /** Another process of the service in {@code role}, serving HTTP on a free port; close it to stop it. */
    public EmbeddedServer startServer(String role, Map<String, String> overrides) {
        Map<String, Object> properties = with(role, overrides);
        properties.put("micronaut.server.port", -1);
        return ApplicationContext.run(EmbeddedServer.class, properties, "test");
    }

    /** The Redis of this prefix: with a cluster, the master that serves its hash slot now. */
    public String redisUrl() {
        return redisUrl(key(""));
    }

    /**
     * The Redis that holds {@code key}: the one server, or the master of a cluster that serves its hash
     * slot now (a key of another prefix may be on another master).
     */
    public String redisUrl(String key) {
        return cluster == null ? redisUrl : cluster.masterUrlOf(key);
    }

    /** The cluster of {@code test.redis-cluster=true}, for the tests that fail its nodes. */
    public java.util.Optional<RedisCluster> cluster() {
        return java.util.Optional.ofNullable(cluster);
    }

    public String keyPrefix() {
        return keyPrefix;
    }

    /** The Redis key {@code rest} of this prefix: the library puts the prefix in braces (a hash tag). */
    public String key(String rest) {
        return "{" + keyPrefix + "}:" + rest;
    }

    public String database() {
        return database;
    }

    /** Drops the database, deletes every Redis key under the prefix and stops the issuer. */
    @Override
    public void close() {
        issuer.close();
        if (databaseCreated) {
            execute("DROP DATABASE IF EXISTS `" + database + "`");
        }
        if (cluster != null) {
            cluster.close(); // the cluster and its data were this test's alone
            return;
        }
        RedisClient client = RedisClient.create(redisUrl);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            List<String> keys = ScanIterator.scan(connection.sync(), ScanArgs.Builder.matches(key("*"))).stream().toList();
            if (!keys.isEmpty()) {
                connection.sync().del(keys.toArray(String[]::new));
            }
        } finally {
            client.shutdown();
        }
    }

    private Map<String, Object> with(String role, Map<String, String> overrides) {
        Map<String, Object> properties = new HashMap<>(properties());
        properties.put("app.role", role);
        properties.putAll(overrides);
        return properties;
    }

    private void execute(String sql) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl(""), dbUser, dbPassword);
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot run '" + sql + "' on MySQL at " + dbHost + ":" + dbPort
                    + " (set DB_HOST, DB_PORT, DB_USER, DB_PASSWORD): " + e.getMessage(), e);
        }
    }

    private String jdbcUrl(String databaseName) {
        return "jdbc:mysql://" + dbHost + ":" + dbPort + "/" + databaseName + "?characterEncoding=UTF-8&connectionTimeZone=UTC";
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}

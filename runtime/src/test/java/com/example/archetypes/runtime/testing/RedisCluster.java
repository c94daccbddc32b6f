package com.example.archetypes.runtime.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Redis Cluster of the test's own on 127.0.0.1, as MemoryDB runs one: three masters, each with a
 * replica, every node with append-only persistence fsynced on every write. Six redis-server processes
 * on free ports (a client port and a cluster-bus port each), each in a directory of its own under one
 * temporary directory, joined by {@code redis-cli --cluster create}; a failed master is noticed after
 * a 2 s node timeout, so that its replica takes over within a few seconds. Every address announced is
 * 127.0.0.1, and every node binds it only. The binaries are REDIS_SERVER and REDIS_CLI, or
 * redis-server and redis-cli on the PATH. Closing it kills every node and removes the directory.
 */
public final class RedisCluster implements AutoCloseable {

    private static final Duration NODE_TIMEOUT = Duration.ofMillis(2000);

    private final Path dir;
    private final List<Node> nodes = new ArrayList<>();

    /** Starts the six nodes and creates the cluster; returns once every node says cluster_state:ok. */
    public RedisCluster() {
        try {
            dir = Files.createTempDirectory("redis-cluster-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            for (int i = 0; i < 6; i++) {
                Node node = new Node(freePort(), freePort());
                nodes.add(node);
                start(node);
            }
            List<String> create = new ArrayList<>(List.of(binary("REDIS_CLI", "redis-cli"), "--cluster", "create"));
            nodes.forEach(node -> create.add("127.0.0.1:" + node.port));
            create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            Process process = new ProcessBuilder(create).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("create.log").toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed: " + Files.readString(dir.resolve("create.log")));
            }
            Await.until("every node of the cluster in " + dir + " says cluster_state:ok, knows the six nodes, and each"
                    + " replica is in sync", Duration.ofSeconds(60), this::notReady, String::isEmpty);
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        } catch (InterruptedException | RuntimeException | Error e) {
            close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
        }
    }

    /** A node's address for a client: any node, from which a cluster client learns the others. */
    public String url() {
        return nodes.stream().filter(Node::alive).findFirst().map(node -> "redis://127.0.0.1:" + node.port)
                .orElseThrow(() -> new IllegalStateException("no node of the cluster is running"));
    }

    /**
     * The port of the master serving {@code key}'s hash slot now, as the running nodes see it: after a
     * failover, the promoted replica's. A plain (non-cluster) client of that node can read and write every
     * key of the same hash tag.
     */
    public int masterPortOf(String key) {
        return withNode(redis -> {
            long slot = redis.sync().clusterKeyslot(key);
            for (String line : redis.sync().clusterNodes().split("\n")) {
                String[] fields = line.trim().split(" ");
                if (fields.length < 9 || !fields[2].contains("master") || fields[2].contains("fail")) {
                    continue;
                }
                for (int i = 8; i < fields.length; i++) {
                    String[] range = fields[i].split("-");
                    if (range[0].startsWith("[")) {
                        continue; // a slot being migrated
                    }
                    long from = Long.parseLong(range[0]);
                    long to = range.length > 1 ? Long.parseLong(range[1]) : from;
                    if (slot >= from && slot <= to) {
                        return Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1, fields[1].indexOf('@')));
                    }
                }
            }
            throw new IllegalStateException("no running master serves slot " + slot + " (key " + key + ")");
        });
    }

    /** The URL of {@link #masterPortOf}. */
    public String masterUrlOf(String key) {
        return "redis://127.0.0.1:" + masterPortOf(key);
    }

    /** kill -9 of the node on {@code port}: it dies at once, holding whatever it held. */
    public void kill(int port) throws InterruptedException {
        node(port).process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** Starts the node on {@code port} again, from its data and its nodes.conf: it rejoins the cluster. */
    public void restart(int port) {
        start(node(port));
    }

    /** Waits until every running node says cluster_state:ok and agrees who serves {@code key}. */
    public void awaitOk(String key, Duration within) {
        Await.until("every running node says cluster_state:ok and agrees who serves " + key, within, () -> {
            try {
                int owner = masterPortOf(key);
                return nodes.stream().filter(Node::alive).allMatch(node -> {
                    String info = clusterInfo(node);
                    return info.contains("cluster_state:ok");
                }) && owner > 0;
            } catch (RuntimeException notYet) {
                return false;
            }
        });
    }

    /** What is not ready yet, node by node; empty when all is. */
    private String notReady() {
        StringBuilder waiting = new StringBuilder();
        for (Node node : nodes) {
            try {
                String cluster = clusterInfo(node);
                if (!cluster.contains("cluster_state:ok") || !cluster.contains("cluster_known_nodes:6")) {
                    waiting.append(node.port).append(": cluster not ok; ");
                }
                String replication = info(node, "replication");
                if (replication.contains("role:slave") && !replication.contains("master_link_status:up")) {
                    waiting.append(node.port).append(": replica not in sync; ");
                }
            } catch (RuntimeException e) {
                waiting.append(node.port).append(": ").append(e).append("; ");
            }
        }
        return waiting.toString();
    }

    private String info(Node node, String section) {
        return on(node, redis -> redis.sync().info(section));
    }

    /** CLUSTER INFO (INFO's cluster section says only whether cluster mode is on). */
    private String clusterInfo(Node node) {
        return on(node, redis -> redis.sync().clusterInfo());
    }

    private <T> T on(Node node, java.util.function.Function<StatefulRedisConnection<String, String>, T> work) {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", node.port));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return work.apply(connection);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private <T> T withNode(java.util.function.Function<StatefulRedisConnection<String, String>, T> work) {
        RuntimeException last = null;
        for (Node node : nodes) {
            if (!node.alive()) {
                continue;
            }
            RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", node.port));
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                return work.apply(connection);
            } catch (RuntimeException e) {
                last = e;
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
        throw last != null ? last : new IllegalStateException("no node of the cluster is running");
    }

    private Node node(int port) {
        return nodes.stream().filter(node -> node.port == port).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node of the cluster has port " + port));
    }

    private void start(Node node) {
        Path nodeDir = dir.resolve(String.valueOf(node.port));
        List<String> command = List.of(binary("REDIS_SERVER", "redis-server"),
                "--port", String.valueOf(node.port), "--bind", "127.0.0.1",
                "--cluster-enabled", "yes", "--cluster-port", String.valueOf(node.busPort),
                "--cluster-config-file", nodeDir.resolve("nodes.conf").toString(),
                "--cluster-node-timeout", String.valueOf(NODE_TIMEOUT.toMillis()),
                "--cluster-announce-ip", "127.0.0.1",
                // A replica syncs at once, not after the default 5 s wait for more replicas.
                "--repl-diskless-sync-delay", "0",
                "--dir", nodeDir.toString(), "--appendonly", "yes", "--appendfsync", "always", "--save", "");
        try {
            Files.createDirectories(nodeDir);
            node.process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(nodeDir.resolve("redis.log").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.get(0)
                    + " (install Redis, or set REDIS_SERVER to its redis-server)", e);
        }
        Await.until("cluster node on port " + node.port + " answers (log: " + nodeDir.resolve("redis.log") + ")",
                Duration.ofSeconds(20), () -> {
                    try {
                        return !info(node, "server").isEmpty();
                    } catch (RuntimeException notYet) {
                        return false;
                    }
                });
    }

    @Override
    public void close() {
        for (Node node : nodes) {
            if (node.process != null) {
                try {
                    node.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // Left in the temporary directory: nothing depends on it.
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String binary(String variable, String name) {
        String configured = System.getenv(variable);
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        return Optional.of(System.getenv().getOrDefault("PATH", "")).stream()
                .flatMap(path -> Stream.of(path.split(":")))
                .map(dir -> Path.of(dir, name)).filter(Files::isExecutable)
                .map(Path::toString).findFirst().orElse(name);
    }

    private static final class Node {
        final int port;
        final int busPort;
        Process process;

        Node(int port, int busPort) {
            this.port = port;
            this.busPort = busPort;
        }

        boolean alive() {
            return process != null && process.isAlive();
        }
    }
}

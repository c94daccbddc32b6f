package com.example.archetypes.runtime.faults;

import com.example.archetypes.runtime.testing.Await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of the test's own, on a free 127.0.0.1 port, with append-only persistence fsynced
 * on every write, so that it can be killed and started again from its data. The binary is
 * REDIS_SERVER, or redis-server (Debian, Ubuntu), or redis6-server (Amazon Linux) on the PATH.
 */
final class RedisProcess implements AutoCloseable {

    final int port = FreePort.find();
    private final Path dir;
    private final List<String> extraArguments;
    private Process process;

    RedisProcess(String... extraArguments) {
        this.extraArguments = List.of(extraArguments);
        try {
            dir = Files.createTempDirectory("fault-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        start();
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts the server again on the same port, from the data it left. */
    void start() {
        List<String> command = new ArrayList<>(List.of(binary(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--dir", dir.toString(), "--appendonly", "yes", "--appendfsync", "always", "--save", ""));
        command.addAll(extraArguments);
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.get(0)
                    + " (install Redis, or set REDIS_SERVER to its redis-server)", e);
        }
        Await.until("redis-server on port " + port + " answers", Duration.ofSeconds(20), this::answers);
    }

    /** kill -9: Redis dies at once. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    private boolean answers() {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.getOutputStream().write("PING\r\n".getBytes());
            byte[] reply = new byte[64];
            int read = socket.getInputStream().read(reply);
            String answer = new String(reply, 0, Math.max(0, read));
            return answer.startsWith("+PONG") || answer.startsWith("-NOAUTH");
        } catch (IOException e) {
            return false;
        }
    }

    private static String binary() {
        String configured = System.getenv("REDIS_SERVER");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        for (String name : List.of("redis-server", "redis6-server")) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
                if (Files.isExecutable(Path.of(dir, name))) {
                    return Path.of(dir, name).toString();
                }
            }
        }
        return "redis-server";
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}

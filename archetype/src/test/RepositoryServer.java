import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Maven repository in a directory, served on 127.0.0.1 for the publish proof: GET and HEAD read
 * files, PUT writes them (Maven's deploy and the catalog upload), and every request is logged.
 *
 * <pre>java RepositoryServer.java DIRECTORY PORT LOG</pre>
 */
public class RepositoryServer {

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]).toAbsolutePath().normalize();
        PrintStream log = new PrintStream(Files.newOutputStream(Path.of(args[2])), true);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[1])), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                Path file = root.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
                log.println(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
                if (!file.startsWith(root)) {
                    answer(exchange, 403, null);
                } else if (exchange.getRequestMethod().equals("PUT")) {
                    Files.createDirectories(file.getParent());
                    try (InputStream body = exchange.getRequestBody()) {
                        Files.copy(body, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                    answer(exchange, 201, null);
                } else if (Files.isRegularFile(file)) {
                    answer(exchange, 200, file);
                } else {
                    answer(exchange, 404, null);
                }
            }
        });
        server.start();
        System.out.println("serving " + root + " on 127.0.0.1:" + server.getAddress().getPort());
    }

    private static void answer(HttpExchange exchange, int status, Path file) throws IOException {
        boolean body = file != null && exchange.getRequestMethod().equals("GET");
        exchange.sendResponseHeaders(status, body ? Files.size(file) : -1);
        if (body) {
            try (OutputStream out = exchange.getResponseBody()) {
                Files.copy(file, out);
            }
        }
    }
}

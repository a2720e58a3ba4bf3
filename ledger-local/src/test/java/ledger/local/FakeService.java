package ledger.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Stands in for a service's -exec.jar in {@link LocalLedgerFakeServicesIT}: reports UP (or, if
 * named by FAKE_DOWN, DOWN), shows the environment it got at {@code /env}, command-service also
 * answers the admin API, {@code /v1/} authenticates API keys as the services do (the gateway
 * forwards it), and every process notes its start and stop in the file {@code FAKE_EVENTS}.
 */
public final class FakeService {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] args) throws IOException {
        // Started as java -jar <repo>/<module>/target/<module>-exec.jar
        String name = Path.of(System.getProperty("sun.java.command").split(" ")[0]).getParent().getParent().getFileName().toString();
        if (name.equals(System.getenv("FAKE_FAIL"))) {
            System.out.println("boom: " + name + " cannot start today");
            System.exit(3);
        }
        Path events = Path.of(System.getenv("FAKE_EVENTS"));
        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(System.getenv("SERVER_PORT"))), 0);
        boolean down = name.equals(System.getenv("FAKE_DOWN"));
        server.createContext("/actuator/health", exchange -> {
            try (exchange) {
                if (down) {
                    FakeAdminApi.respond(exchange, 503, "{\"status\":\"DOWN\"}");
                } else {
                    FakeAdminApi.respond(exchange, 200, "{\"status\":\"UP\"}");
                }
            }
        });
        server.createContext("/env", exchange -> {
            try (exchange) {
                Map<String, String> env = new TreeMap<>(System.getenv());
                env.keySet().removeIf(key -> !key.startsWith("LEDGER_") && !key.equals("SERVER_PORT"));
                FakeAdminApi.respond(exchange, 200, new ObjectMapper().writeValueAsString(env));
            }
        });
        FakeAdminApi admin = new FakeAdminApi(System.getenv("LEDGER_ADMIN_TOKEN"), events.resolveSibling("admin.properties"));
        if (name.equals("command-service")) {
            server.createContext("/admin/", admin);
        }
        if (name.equals("api-gateway")) {
            server.createContext("/v1/", FakeService::forward);
        } else {
            // command-service writes the keys; the others learn them from the access topic, later.
            Duration propagation = name.equals("command-service") ? Duration.ZERO
                    : Duration.ofMillis(Long.parseLong(System.getenv().getOrDefault("FAKE_ACCESS_DELAY_MS", "0")));
            server.createContext("/v1/", exchange -> {
                try (exchange) {
                    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
                    if (authorization == null || !admin.knows(authorization.substring("Bearer ".length()), propagation)) {
                        FakeAdminApi.respond(exchange, 401, "{\"code\":\"unauthenticated\"}");
                    } else if ("POST".equals(exchange.getRequestMethod())) {
                        FakeAdminApi.respond(exchange, 201, "{\"id\":\"inv_fake\"}");
                    } else {
                        FakeAdminApi.respond(exchange, 200, "{\"object\":\"list\",\"data\":[]}");
                    }
                }
            });
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            note(events, "stopped " + name);
            server.stop(0);
        }));
        server.start();
        note(events, "started " + name);
    }

    /** Writes to command-service, reads from query-service, as the real gateway's routes do. */
    private static void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            String backend = System.getenv("POST".equals(exchange.getRequestMethod()) ? "LEDGER_COMMAND_URL" : "LEDGER_QUERY_URL");
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(backend + exchange.getRequestURI()))
                    .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(exchange.getRequestBody().readAllBytes()));
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            FakeAdminApi.respond(exchange, response.statusCode(), response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static synchronized void note(Path events, String line) {
        try {
            Files.writeString(events, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

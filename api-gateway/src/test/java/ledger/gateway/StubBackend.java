package ledger.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

/**
 * A backend stand-in on an ephemeral loopback port. It records every proxied request and answers
 * with a JSON echo of it, plus the response headers the gateway must pass back. It can be
 * stopped and started again on the same port, and told to report DOWN on its health endpoint.
 */
final class StubBackend {

    record Received(String method, String rawPath, String rawQuery, Headers headers, String body) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;

    private final Map<String, HttpHandler> handlers = new LinkedHashMap<>();

    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    private final ExecutorService executor = Executors.newCachedThreadPool();

    private volatile String healthStatus = "UP";

    private volatile int healthHttpStatus = 200;

    private HttpServer server;

    private int port;

    private StubBackend(String name) {
        this.name = name;
        this.handlers.put("/", this::echo);
        this.handlers.put("/actuator/health", this::health);
    }

    static StubBackend start(String name) {
        StubBackend stub = new StubBackend(name);
        stub.start();
        return stub;
    }

    /**
     * Serves {@code path} (and everything under it) with {@code handler}; survives restarts. The
     * request is still recorded and the answer still names the backend in {@code X-Backend}.
     */
    synchronized StubBackend on(String path, HttpHandler handler) {
        HttpHandler recorded = exchange -> {
            record(exchange, new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.getResponseHeaders().set("X-Backend", this.name);
            handler.handle(exchange);
        };
        this.handlers.put(path, recorded);
        this.server.createContext(path, recorded);
        return this;
    }

    synchronized void start() {
        try {
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.port), 0);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        this.handlers.forEach(this.server::createContext);
        this.server.setExecutor(this.executor);
        this.server.start();
        this.port = this.server.getAddress().getPort();
    }

    synchronized void stop() {
        this.server.stop(0);
    }

    void shutdown() {
        stop();
        this.executor.shutdownNow();
    }

    String url() {
        return "http://127.0.0.1:" + this.port;
    }

    String name() {
        return this.name;
    }

    /** Answers health as Spring Boot does: 200 when UP, else 503. */
    void reportHealth(String status) {
        reportHealth(status, "UP".equals(status) ? 200 : 503);
    }

    synchronized void reportHealth(String status, int httpStatus) {
        this.healthStatus = status;
        this.healthHttpStatus = httpStatus;
    }

    BlockingQueue<Received> received() {
        return this.received;
    }

    private void echo(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        URI uri = exchange.getRequestURI();
        record(exchange, body);

        Headers request = exchange.getRequestHeaders();
        Headers response = exchange.getResponseHeaders();
        response.set("Content-Type", "application/json");
        response.set("X-Backend", this.name);
        response.set("Location", "/v1/things/thing_1");
        response.set("Idempotent-Replayed", "true");
        response.set("Retry-After", "7");
        echoHeader(request, response, "X-Request-Id");
        echoHeader(request, response, "Ledger-Version");
        int status = (request.getFirst("X-Stub-Status") != null) ? Integer.parseInt(request.getFirst("X-Stub-Status"))
                : 200;
        Map<String, Object> echo = new LinkedHashMap<>();
        echo.put("backend", this.name);
        echo.put("method", exchange.getRequestMethod());
        echo.put("path", uri.getRawPath());
        echo.put("query", uri.getRawQuery());
        echo.put("body", body);
        send(exchange, status, JSON.writeValueAsBytes(echo));
    }

    private void record(HttpExchange exchange, String body) {
        URI uri = exchange.getRequestURI();
        this.received.add(new Received(exchange.getRequestMethod(), uri.getRawPath(), uri.getRawQuery(),
                exchange.getRequestHeaders(), body));
    }

    private void health(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/vnd.spring-boot.actuator.v3+json");
        int httpStatus;
        String status;
        synchronized (this) {
            httpStatus = this.healthHttpStatus;
            status = this.healthStatus;
        }
        send(exchange, httpStatus, JSON.writeValueAsBytes(Map.of("status", status)));
    }

    /**
     * Every answer closes its connection, so that stopping and restarting a stub never leaves the
     * gateway holding pooled connections to the old server.
     */
    static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Connection", "close");
        exchange.sendResponseHeaders(status, (body.length == 0) ? -1 : body.length);
        try (var out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static void echoHeader(Headers from, Headers to, String name) {
        List<String> values = from.get(name);
        if (values != null) {
            to.put(name, values);
        }
    }

}

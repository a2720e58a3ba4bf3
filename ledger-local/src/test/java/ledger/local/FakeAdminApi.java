package ledger.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The admin API contract as the launcher relies on it, without the real command-service: stores
 * and keys kept in a properties file (so a restarted fake remembers them, like the real database).
 */
final class FakeAdminApi implements HttpHandler {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern API_KEYS = Pattern.compile("/admin/v1/stores/([^/]+)/api_keys");

    private final String adminToken;
    private final Path stateFile;
    final List<String> requests = new CopyOnWriteArrayList<>();

    FakeAdminApi(String adminToken, Path stateFile) {
        this.adminToken = adminToken;
        this.stateFile = stateFile;
    }

    @Override
    public synchronized void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(exchange.getRequestMethod() + " " + path + " " + body);
            if (!("Bearer " + adminToken).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                respond(exchange, 401, "{\"error\":\"bad admin token\",\"code\":\"unauthenticated\"}");
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod())) {
                respond(exchange, 405, "{}");
                return;
            }
            Properties state = load();
            JsonNode request = JSON.readTree(body);
            if (path.equals("/admin/v1/stores")) {
                String id = "st_" + UUID.randomUUID().toString().replace("-", "");
                state.setProperty("store." + id, request.path("name").asText());
                save(state);
                respond(exchange, 201, JSON.createObjectNode().put("id", id).put("object", "store")
                        .put("name", request.path("name").asText()).put("callback_secret", "whsec_fake").toString());
                return;
            }
            Matcher keys = API_KEYS.matcher(path);
            if (keys.matches()) {
                String storeId = keys.group(1);
                if (state.getProperty("store." + storeId) == null) {
                    respond(exchange, 404, "{\"error\":\"no such store\",\"code\":\"resource_missing\"}");
                    return;
                }
                String key = request.hasNonNull("key") ? request.get("key").asText()
                        : "sk_test_" + UUID.randomUUID().toString().replace("-", "");
                String owner = state.getProperty("key." + key);
                int status;
                if (owner == null) {
                    state.setProperty("key." + key, storeId);
                    state.setProperty("key-created." + key, Long.toString(System.currentTimeMillis()));
                    save(state);
                    status = 201;
                } else if (owner.equals(storeId)) {
                    status = 200;
                } else {
                    respond(exchange, 409, "{\"error\":\"key taken\",\"code\":\"api_key_exists\"}");
                    return;
                }
                ObjectNode answer = JSON.createObjectNode().put("id", "key_1").put("object", "api_key")
                        .put("store_id", storeId).put("key", key).put("mode", request.path("mode").asText());
                answer.set("scopes", request.path("scopes"));
                respond(exchange, status, answer.toString());
                return;
            }
            respond(exchange, 404, "{\"error\":\"no route\",\"code\":\"resource_missing\"}");
        }
    }

    /**
     * Whether a service authenticates {@code key}: one that learns keys from the access topic
     * ({@code propagation} > 0) knows a key only that long after it was created.
     */
    synchronized boolean knows(String key, Duration propagation) {
        String created = load().getProperty("key-created." + key);
        return created != null && Long.parseLong(created) + propagation.toMillis() <= System.currentTimeMillis();
    }

    /** Forgets every store and key, as a wiped database would. */
    synchronized void reset() throws IOException {
        Files.deleteIfExists(stateFile);
    }

    synchronized int storeCount() {
        return (int) load().stringPropertyNames().stream().filter(name -> name.startsWith("store.")).count();
    }

    private Properties load() {
        Properties state = new Properties();
        if (Files.exists(stateFile)) {
            try (Reader reader = Files.newBufferedReader(stateFile)) {
                state.load(reader);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return state;
    }

    private void save(Properties state) throws IOException {
        try (Writer writer = Files.newBufferedWriter(stateFile)) {
            state.store(writer, null);
        }
    }

    static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}

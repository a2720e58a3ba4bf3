package ledger.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The two admin calls the launcher needs, made straight to command-service: the gateway starts only
 * once the demo store they create works everywhere.
 */
final class AdminApi {

    static final class AdminApiException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        AdminApiException(int status, String message) {
            super(message);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    record ApiKey(String storeId, String key, boolean created) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    // command-service answers 503 while its database is briefly out (a crash test restarting PostgreSQL).
    private static final Duration RETRY_FOR = Duration.ofSeconds(15);

    private final HttpClient http;
    private final URI baseUrl;
    private final String adminToken;

    AdminApi(HttpClient http, URI baseUrl, String adminToken) {
        this.http = http;
        this.baseUrl = baseUrl;
        this.adminToken = adminToken;
    }

    String createStore(String name) {
        ObjectNode body = JSON.createObjectNode().put("name", name);
        JsonNode store = post("/admin/v1/stores", body).body;
        String id = store.path("id").asText("");
        if (id.isEmpty()) {
            throw new AdminApiException(0, "POST /admin/v1/stores answered without an id");
        }
        return id;
    }

    /** {@code key} may be null: the API then generates one. */
    ApiKey registerKey(String storeId, List<String> scopes, String mode, String key) {
        ObjectNode body = JSON.createObjectNode();
        scopes.forEach(body.putArray("scopes")::add);
        body.put("mode", mode);
        if (key != null) {
            body.put("key", key);
        }
        Answer answer = post("/admin/v1/stores/" + storeId + "/api_keys", body);
        String returned = answer.body.path("key").asText("");
        // The contract echoes the key; if it ever comes back masked, the one sent is the truth.
        String effective = key != null ? key : returned;
        if (effective.isEmpty()) {
            throw new AdminApiException(answer.status, "POST /admin/v1/stores/{id}/api_keys answered without a key");
        }
        return new ApiKey(storeId, effective, answer.status == 201);
    }

    private record Answer(int status, JsonNode body) {
    }

    private Answer post(String path, ObjectNode body) {
        HttpRequest request = HttpRequest.newBuilder(baseUrl.resolve(path))
                .timeout(Duration.ofSeconds(15))
                .header("Authorization", "Bearer " + adminToken)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        Instant giveUp = Instant.now().plus(RETRY_FOR);
        while (true) {
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                if (Instant.now().isAfter(giveUp)) {
                    throw new AdminApiException(0, "POST " + path + " failed: " + e.getMessage());
                }
                pause();
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AdminApiException(0, "interrupted during POST " + path);
            }
            int status = response.statusCode();
            if (status == 503 && Instant.now().isBefore(giveUp)) {
                pause();
                continue;
            }
            if (status != 200 && status != 201) {
                // The request body may hold an API key; only the answer goes into the message.
                throw new AdminApiException(status, "POST " + path + " answered " + status + ": " + abbreviate(response.body()));
            }
            try {
                return new Answer(status, JSON.readTree(response.body()));
            } catch (IOException e) {
                throw new AdminApiException(status, "POST " + path + " answered " + status + " with a body that is not JSON");
            }
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "…";
    }

    private static void pause() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminApiException(0, "interrupted");
        }
    }
}

package ledger.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Speaks to a ledger service the way a merchant's code does: raw JSON over HTTP with a bearer token,
 * so tests see exactly the wire format (status, headers, body) and nothing is hidden by a client library.
 */
public final class ApiClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;

    public ApiClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** A response: status, headers and the body parsed as JSON (a missing node when empty). */
    public record Response(int status, java.net.http.HttpHeaders headers, String raw) {
        public JsonNode json() {
            try {
                return raw.isEmpty() ? JSON.missingNode() : JSON.readTree(raw);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + raw, e);
            }
        }

        public Optional<String> header(String name) {
            return headers.firstValue(name);
        }
    }

    public Response get(String path, String token, String... headers) {
        return send("GET", path, token, null, headers);
    }

    public Response post(String path, String token, String jsonBody, String... headers) {
        return send("POST", path, token, jsonBody, headers);
    }

    /** {@code headers} are name/value pairs. */
    public Response send(String method, String path, String token, String jsonBody, String... headers) {
        var builder = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(jsonBody));
        if (jsonBody != null) {
            builder.header("Content-Type", "application/json");
        }
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        try {
            var response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Creates a store and a key with the given scopes through the admin API; returns {store id, key}. */
    public String[] storeWithKey(String adminToken, String... scopes) {
        var store = post("/admin/v1/stores", adminToken, "{\"name\":\"Test store\"}");
        if (store.status() != 201) {
            throw new IllegalStateException("store not created: " + store.status() + " " + store.raw());
        }
        String storeId = store.json().get("id").asText();
        var scopeList = new StringBuilder();
        for (String s : scopes) {
            scopeList.append(scopeList.length() == 0 ? "" : ",").append('"').append(s).append('"');
        }
        var key = post("/admin/v1/stores/" + storeId + "/api_keys", adminToken,
                "{\"mode\":\"test\",\"scopes\":[" + scopeList + "]}");
        if (key.status() != 201) {
            throw new IllegalStateException("key not issued: " + key.status() + " " + key.raw());
        }
        return new String[] {storeId, key.json().get("key").asText()};
    }
}

package ledger.local.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Consumer;

/** Starts an invoice-projection rebuild through the gateway's admin API and follows it to its end. */
public final class RebuildClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "/admin/v1/projections/invoices/rebuild";

    private final HttpClient http;
    private final URI gateway;
    private final String adminToken;

    public RebuildClient(HttpClient http, URI gateway, String adminToken) {
        this.http = http;
        this.gateway = gateway;
        this.adminToken = adminToken;
    }

    public RebuildProgress start() throws IOException, InterruptedException {
        HttpRequest request = request(PATH).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202 && response.statusCode() != 200) {
            throw new IOException("POST " + PATH + " answered " + response.statusCode() + ": " + response.body());
        }
        return RebuildProgress.parse(JSON.readTree(response.body()));
    }

    public RebuildProgress get(String id) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request(PATH + "/" + id).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + PATH + "/" + id + " answered " + response.statusCode() + ": " + response.body());
        }
        JsonNode body = JSON.readTree(response.body());
        return RebuildProgress.parse(body);
    }

    /** Polls every {@code interval} until the rebuild is no longer running; returns its last state. */
    public RebuildProgress follow(RebuildProgress started, Duration interval, Consumer<RebuildProgress> onProgress)
            throws IOException, InterruptedException {
        RebuildProgress progress = started;
        onProgress.accept(progress);
        while (!progress.finished()) {
            Thread.sleep(interval.toMillis());
            progress = get(started.id());
            onProgress.accept(progress);
        }
        return progress;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(gateway.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + adminToken).header("Accept", "application/json");
    }
}

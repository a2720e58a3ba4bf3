package ledger.local.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

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

    /** The API's 409 {@code rebuild_in_progress}: one rebuild at a time. */
    public static final class AlreadyRunning extends IOException {
        private static final long serialVersionUID = 1L;

        AlreadyRunning(String message) {
            super(message);
        }
    }

    /**
     * @param maxEventsPerSecond the pace, to spare a busy database; null for as fast as it goes
     * @throws AlreadyRunning if another rebuild is running ({@link #latest} shows it)
     */
    public RebuildProgress start(Integer maxEventsPerSecond) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        if (maxEventsPerSecond != null) {
            body.put("max_events_per_second", maxEventsPerSecond);
        }
        HttpRequest request = request(PATH).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 409 && "rebuild_in_progress".equals(code(response))) {
            throw new AlreadyRunning("another rebuild is running");
        }
        if (response.statusCode() != 202 && response.statusCode() != 200) {
            throw new IOException("POST " + PATH + " answered " + response.statusCode() + ": " + response.body());
        }
        return RebuildProgress.parse(JSON.readTree(response.body()));
    }

    /** The latest rebuild, running or finished. */
    public RebuildProgress latest() throws IOException, InterruptedException {
        return fetch(PATH);
    }

    public RebuildProgress get(String id) throws IOException, InterruptedException {
        return fetch(PATH + "/" + id);
    }

    private RebuildProgress fetch(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return RebuildProgress.parse(JSON.readTree(response.body()));
    }

    private static String code(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body()).path("code").asText("");
        } catch (IOException e) {
            return "";
        }
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

package ledger.local;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.awaitility.Awaitility.await;

/**
 * What a merchant's script does after {@code ./ledger up} (SPEC §7, ready means ready): poll the
 * gateway's health from before the start and, the moment it first says UP, create an invoice with
 * the demo key and list invoices (a read, served by query-service, which learns keys last).
 */
final class FirstUp {

    static final String INVOICE = "{\"amount\":\"10.00\",\"currency\":\"USD\"}";

    private FirstUp() {
    }

    /** Call before starting the stack; completes with the create's and the list's status codes. */
    static CompletableFuture<List<Integer>> createAndList(String gatewayUrl, String demoKey) {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest health = HttpRequest.newBuilder(URI.create(gatewayUrl + "/actuator/health")).build();
        HttpRequest create = HttpRequest.newBuilder(URI.create(gatewayUrl + "/v1/invoices"))
                .header("Authorization", "Bearer " + demoKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(INVOICE)).build();
        HttpRequest list = HttpRequest.newBuilder(URI.create(gatewayUrl + "/v1/invoices?limit=1"))
                .header("Authorization", "Bearer " + demoKey).build();
        return CompletableFuture.supplyAsync(() -> {
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(10)).ignoreExceptions()
                    .until(() -> http.send(health, HttpResponse.BodyHandlers.ofString()).body().contains("\"UP\""));
            try {
                return List.of(http.send(create, HttpResponse.BodyHandlers.discarding()).statusCode(),
                        http.send(list, HttpResponse.BodyHandlers.discarding()).statusCode());
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
    }
}

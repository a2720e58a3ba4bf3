package ledger.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The idle figures: one create a second on an otherwise quiet stack, each with an
 * {@code Idempotency-Key} as merchants send it. Per create, from just before the POST is sent: until
 * {@code GET /v1/invoices/{id}} without {@code Ledger-Version} answers 200 (asked again 2 ms after
 * each 404), and until its {@code invoice.created} webhook reaches the bench's receiver.
 */
final class IdleLatency {

    /** What one create took to become visible and to be delivered, in ms; what never happened counts as {@link #GIVE_UP_MS}. */
    record Result(List<Long> visibleMs, List<Long> webhookMs, int failedCreates, int neverVisible, int neverDelivered) {
        double visible(double percentile) {
            return Percentiles.of(visibleMs, percentile);
        }

        double webhook(double percentile) {
            return Percentiles.of(webhookMs, percentile);
        }

        /** p50 and p99 of both, the p99s with the targets. */
        void putInto(BenchResults results) {
            results.put("idle_creates", visibleMs.size())
                    .put("idle_visible_p50_ms", visible(50))
                    .put("idle_visible_p99_ms", visible(99), BenchResults.Target.below(50, "≤ 50 ms"))
                    .put("idle_webhook_p50_ms", webhook(50))
                    .put("idle_webhook_p99_ms", webhook(99), BenchResults.Target.below(100, "≤ 100 ms"));
        }
    }

    static final long GIVE_UP_MS = 10_000;
    private static final long POLL_GAP_MS = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final Function<String, HttpRequest.Builder> authorized;
    private final Supplier<String> createBody;
    /** Invoice id → when its {@code invoice.created} webhook arrived (nanoTime); fed by the receiver. */
    private final Map<String, Long> createdWebhookAt = new ConcurrentHashMap<>();

    /** {@code authorized}: a request builder for a gateway path with the merchant's key. */
    IdleLatency(HttpClient http, Function<String, HttpRequest.Builder> authorized, Supplier<String> createBody) {
        this.http = http;
        this.authorized = authorized;
        this.createBody = createBody;
    }

    /** Every webhook the receiver takes, as it arrives. */
    void onWebhook(JsonNode payload) {
        if ("invoice.created".equals(payload.path("type").asText())) {
            createdWebhookAt.putIfAbsent(payload.path("data").path("invoice").path("id").asText(), System.nanoTime());
        }
    }

    /** A create and its id, sent at {@code sentNanos}; a failed create has no id. */
    private record Sent(long sentNanos, String id, long visibleMs) {
    }

    /** {@code creates} creates one second apart; returns once each is visible and delivered, or given up. */
    Result measure(int creates) throws Exception {
        ScheduledExecutorService pacer = Executors.newScheduledThreadPool(4);
        List<Future<Sent>> sent = new ArrayList<>();
        try {
            for (int i = 0; i < creates; i++) {
                sent.add(pacer.schedule(this::createAndPoll, i, TimeUnit.SECONDS));
            }
            List<Sent> done = new ArrayList<>();
            for (Future<Sent> f : sent) {
                done.add(f.get());
            }
            return collect(done);
        } finally {
            pacer.shutdownNow();
        }
    }

    private Sent createAndPoll() throws InterruptedException {
        long sentNanos = System.nanoTime();
        HttpRequest create = authorized.apply("/v1/invoices").header("Content-Type", "application/json")
                .header("Idempotency-Key", "bench-idle-" + UUID.randomUUID())
                .POST(HttpRequest.BodyPublishers.ofString(createBody.get())).build();
        String id;
        try {
            HttpResponse<String> response = http.send(create, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 201) {
                return new Sent(sentNanos, null, GIVE_UP_MS);
            }
            id = JSON.readTree(response.body()).path("id").asText();
        } catch (IOException e) {
            return new Sent(sentNanos, null, GIVE_UP_MS);
        }
        HttpRequest read = authorized.apply("/v1/invoices/" + id).GET().build();
        while (elapsedMs(sentNanos, System.nanoTime()) < GIVE_UP_MS) {
            try {
                if (http.send(read, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return new Sent(sentNanos, id, elapsedMs(sentNanos, System.nanoTime()));
                }
            } catch (IOException e) {
                // asked again below, until given up
            }
            Thread.sleep(POLL_GAP_MS);
        }
        return new Sent(sentNanos, id, GIVE_UP_MS);
    }

    private Result collect(List<Sent> done) throws InterruptedException {
        long lastSent = done.stream().mapToLong(Sent::sentNanos).max().orElse(System.nanoTime());
        while (done.stream().anyMatch(s -> s.id() != null && !createdWebhookAt.containsKey(s.id()))
                && elapsedMs(lastSent, System.nanoTime()) < GIVE_UP_MS) {
            Thread.sleep(10);
        }
        List<Long> visible = new ArrayList<>();
        List<Long> webhook = new ArrayList<>();
        int failed = 0;
        int neverVisible = 0;
        int neverDelivered = 0;
        for (Sent s : done) {
            if (s.id() == null) {
                failed++;
                continue;
            }
            visible.add(s.visibleMs());
            if (s.visibleMs() >= GIVE_UP_MS) {
                neverVisible++;
            }
            Long arrived = createdWebhookAt.get(s.id());
            if (arrived == null) {
                neverDelivered++;
            }
            webhook.add(arrived == null ? GIVE_UP_MS : elapsedMs(s.sentNanos(), arrived));
        }
        return new Result(visible, webhook, failed, neverVisible, neverDelivered);
    }

    private static long elapsedMs(long fromNanos, long toNanos) {
        return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
    }
}

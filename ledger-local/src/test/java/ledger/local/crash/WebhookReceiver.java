package ledger.local.crash;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A merchant's webhook receiver on loopback, as a careful one is written: it verifies the Standard
 * Webhooks signature before it believes anything, dedupes by {@code webhook-id}, and answers 2xx once
 * it has recorded the event. To make the dispatcher's retries work, it also fails a share of the
 * deliveries on purpose with a 500 (recording nothing for them).
 */
public final class WebhookReceiver implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long after a kill the receiver may still be answering a request the dispatcher had sent. */
    private static final Duration REPEAT_GRACE = Duration.ofSeconds(2);

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final double failureRate;
    private final Random random;
    private volatile Webhook verifier;

    /** webhook-id → when ({@link System#nanoTime()}) each delivery of it was acknowledged with 2xx. */
    private final Map<String, Queue<Long>> acknowledged = new ConcurrentHashMap<>();
    /** invoice id → the types of the events acknowledged for it. */
    private final Map<String, Set<String>> invoices = new ConcurrentHashMap<>();
    public final AtomicInteger deliveries = new AtomicInteger();
    public final AtomicInteger failedOnPurpose = new AtomicInteger();
    public final AtomicInteger badSignatures = new AtomicInteger();
    public final AtomicInteger idMismatches = new AtomicInteger();
    /** Redeliveries whose payload differs from the first delivery's with the same webhook-id. */
    public final AtomicInteger payloadMismatches = new AtomicInteger();
    private final Map<String, JsonNode> payloads = new ConcurrentHashMap<>();

    public WebhookReceiver(double failureRate, long seed) throws IOException {
        this.failureRate = failureRate;
        this.random = new Random(seed);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/hooks", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks";
    }

    /** The endpoint's signing secret, {@code whsec_<base64>}, as its creation returned it. */
    public void secret(String secret) {
        verifier = new Webhook(secret);
    }

    public boolean received(String eventId) {
        return acknowledged.containsKey(eventId);
    }

    /** The webhook type the event was first acknowledged as, or null while it was not. */
    String typeOf(String eventId) {
        JsonNode payload = payloads.get(eventId);
        return payload == null ? null : payload.path("type").asText();
    }

    boolean receivedAnyEventOf(String invoiceId) {
        return invoices.containsKey(invoiceId);
    }

    public Set<String> eventTypesOf(String invoiceId) {
        return Set.copyOf(invoices.getOrDefault(invoiceId, Set.of()));
    }

    public int distinctEvents() {
        return acknowledged.size();
    }

    public int duplicates() {
        return acknowledged.values().stream().mapToInt(times -> times.size() - 1).sum();
    }

    /**
     * Repeated acknowledgements that nothing explains. At-least-once allows a repeat only when the dispatcher
     * that sent the earlier one never recorded its answer, so its lease ran out and the delivery went again: it
     * or its database was killed ({@code crashes}, {@link System#nanoTime()} instants; the earlier answer may
     * be recorded here up to {@link #REPEAT_GRACE} after the kill, the request being on its way), or it gave up
     * waiting for the answer ({@code unanswered}: events with an attempt recorded without a status). Two live
     * dispatchers sending one delivery show up here.
     */
    public List<String> unexplainedRepeats(List<Long> crashes, Set<String> unanswered) {
        List<String> problems = new ArrayList<>();
        acknowledged.forEach((id, queue) -> {
            List<Long> times = queue.stream().sorted().toList();
            for (int i = 1; i < times.size(); i++) {
                long earlier = times.get(i - 1);
                long later = times.get(i);
                boolean crashBetween = crashes.stream()
                        .anyMatch(k -> k >= earlier - REPEAT_GRACE.toNanos() && k <= later);
                if (!crashBetween && !unanswered.contains(id)) {
                    problems.add(String.format(Locale.ROOT, "%s acknowledged again %.3f s later with no crash or"
                            + " unanswered attempt between", id, (later - earlier) / 1e9));
                }
            }
        });
        return problems;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            deliveries.incrementAndGet();
            String id = exchange.getRequestHeaders().getFirst("webhook-id");
            if (id == null || !validSignature(body, exchange.getRequestHeaders())) {
                badSignatures.incrementAndGet();
                respond(exchange, 400);
                return;
            }
            boolean fail;
            synchronized (random) {
                fail = random.nextDouble() < failureRate;
            }
            if (fail) {
                failedOnPurpose.incrementAndGet();
                respond(exchange, 500);
                return;
            }
            JsonNode payload = JSON.readTree(body);
            if (!id.equals(payload.path("id").asText())) {
                idMismatches.incrementAndGet();
            }
            JsonNode first = payloads.putIfAbsent(id, payload);
            if (first != null && !first.equals(payload)) {
                payloadMismatches.incrementAndGet();
            }
            String invoice = payload.path("data").path("invoice").path("id").asText("");
            if (!invoice.isEmpty()) {
                invoices.computeIfAbsent(invoice, ignored -> ConcurrentHashMap.newKeySet())
                        .add(payload.path("type").asText());
            }
            acknowledged.computeIfAbsent(id, ignored -> new ConcurrentLinkedQueue<>()).add(System.nanoTime());
            respond(exchange, 204);
        }
    }

    /** The Standard Webhooks library's check: a {@code v1} HMAC of id, timestamp and body, the timestamp recent. */
    private boolean validSignature(byte[] body, Headers headers) {
        Webhook webhook = verifier;
        if (webhook == null) {
            return false;
        }
        try {
            webhook.verify(new String(body, StandardCharsets.UTF_8), headers);
            return true;
        } catch (WebhookVerificationException e) {
            return false;
        }
    }

    private static void respond(HttpExchange exchange, int status) throws IOException {
        exchange.sendResponseHeaders(status, -1);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

package ledger.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import ledger.testsupport.ApiClient;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Where an idle create's time goes, hop by hop, as the bench's idle phase sends it: through the gateway with an
 * {@code Idempotency-Key}, then {@code GET /v1/invoices/{id}} without {@code Ledger-Version} every 2 ms until it
 * answers 200, and its {@code invoice.created} webhook awaited on a loopback receiver. A consumer of the test's own
 * on the invoice-events topic (the services' consumer settings) sees each record with the relay's send time.
 * The table it prints splits the time at the event's {@code occurred_at}, the relay's send and that consumer's
 * receipt; one process clock, so the hops add up.
 *
 * <p>Timings on a shared CI machine say little, so what it asserts is the mechanism: the relay is woken by the
 * create's commit. Asleep instead, it would find the event at its next look, on the event store's 1 s fetch delay,
 * uniformly within that second.
 */
@ExtendWith(SharedLedger.class)
@Order(SharedLedger.LAST)
class IdlePipelineIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WARM_UP = 5;
    private static final int CREATES = 30;
    /** Between one create's webhook and the next create: they never overlap, and periodic work falls anywhere. */
    private static final Duration GAP = Duration.ofMillis(250);
    private static final Duration GIVE_UP = Duration.ofSeconds(10);

    private static final HttpClient http = HttpClient.newHttpClient();
    private static final Map<String, Instant> webhookAt = new ConcurrentHashMap<>();
    /** Invoice id → its first record: the relay's send time (record timestamp), occurred_at, and when it was seen. */
    private static final Map<String, Relayed> relayed = new ConcurrentHashMap<>();
    private static LocalLedger ledger;
    private static String key;
    private static ExecutorService receiverThreads;
    private static HttpServer receiver;
    private static Thread tap;
    private static volatile boolean tapping = true;

    record Relayed(Instant sent, Instant occurred, Instant seen) {
    }

    @BeforeAll
    static void storeEndpointAndTap(LocalLedger shared) throws IOException {
        ledger = shared;
        var api = new ApiClient(ledger.gatewayUrl());
        key = api.storeWithKey(ledger.adminToken(), "invoices:read", "invoices:write", "webhooks:write")[1];
        receiverThreads = Executors.newFixedThreadPool(4);
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        receiver.setExecutor(receiverThreads);
        receiver.createContext("/hooks", IdlePipelineIT::receive);
        receiver.start();
        var endpoint = api.post("/v1/webhook_endpoints", key, "{\"url\":\"http://127.0.0.1:"
                + receiver.getAddress().getPort() + "/hooks\",\"enabled_events\":[\"invoice.created\"]}");
        assertThat(endpoint.status()).as(endpoint.raw()).isEqualTo(201);
        startTap();
    }

    private static void startTap() {
        var consumer = new KafkaConsumer<String, String>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ledger.kafkaBootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()));
        String topic = "ledger.invoice-events";
        var partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        tap = new Thread(() -> {
            try (consumer) {
                while (tapping) {
                    for (var record : consumer.poll(Duration.ofMillis(100))) {
                        Instant seen = Instant.now();
                        try {
                            var event = JSON.readTree(record.value());
                            relayed.putIfAbsent(event.path("invoice_id").asText(), new Relayed(
                                    Instant.ofEpochMilli(record.timestamp()), Instant.parse(event.path("occurred_at").asText()), seen));
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }
            }
        }, "invoice-events-tap");
        tap.start();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        tapping = false;
        if (tap != null) {
            tap.join(5_000);
        }
        if (receiver != null) {
            receiver.stop(0);
            receiverThreads.shutdownNow();
        }
    }

    private static void receive(HttpExchange exchange) throws IOException {
        Instant arrived = Instant.now();
        try (InputStream body = exchange.getRequestBody()) {
            webhookAt.putIfAbsent(JSON.readTree(body).path("data").path("invoice").path("id").asText(), arrived);
        }
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
    }

    @Test
    void anIdleCreateTravelsPushedFromHopToHop() throws Exception {
        for (int i = 0; i < WARM_UP; i++) {
            createAndFollow();
        }
        List<Map<String, Double>> samples = new ArrayList<>();
        for (int i = 0; i < CREATES; i++) {
            samples.add(createAndFollow());
        }
        System.out.println(table(samples));

        assertThat(percentile(samples, "201 → relay's send", 50))
                .as("median ms from the create's answer to the relay's send: woken by the commit, not the next 1 s look")
                .isLessThan(500);
    }

    /** One create, followed until readable and delivered; its hops in ms. */
    private Map<String, Double> createAndFollow() throws Exception {
        Thread.sleep(GAP.toMillis());
        Instant sent = Instant.now();
        var response = http.send(authorized("/v1/invoices").header("Content-Type", "application/json")
                .header("Idempotency-Key", "idle-" + UUID.randomUUID())
                .POST(HttpRequest.BodyPublishers.ofString("{\"amount\":\"10.00\",\"currency\":\"USD\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        Instant answered = Instant.now();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        String id = JSON.readTree(response.body()).path("id").asText();
        var read = authorized("/v1/invoices/" + id).GET().build();
        Instant deadline = sent.plus(GIVE_UP);
        Instant visible = null;
        while (visible == null && Instant.now().isBefore(deadline)) {
            if (http.send(read, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                visible = Instant.now();
            } else {
                Thread.sleep(2);
            }
        }
        while (!(webhookAt.containsKey(id) && relayed.containsKey(id)) && Instant.now().isBefore(deadline)) {
            Thread.sleep(2);
        }
        assertThat(visible).as("%s readable within %s", id, GIVE_UP).isNotNull();
        assertThat(webhookAt).as("%s delivered within %s", id, GIVE_UP).containsKey(id);
        assertThat(relayed).as("%s on the topic within %s", id, GIVE_UP).containsKey(id);
        Relayed record = relayed.get(id);
        Instant delivered = webhookAt.get(id);
        var hops = new LinkedHashMap<String, Double>();
        hops.put("send → occurred_at", ms(sent, record.occurred()));
        hops.put("occurred_at → 201", ms(record.occurred(), answered));
        hops.put("201 → relay's send", ms(answered, record.sent()));
        hops.put("relay's send → consumer", ms(record.sent(), record.seen()));
        hops.put("consumer → readable", ms(record.seen(), visible));
        hops.put("consumer → webhook", ms(record.seen(), delivered));
        hops.put("send → readable", ms(sent, visible));
        hops.put("send → webhook", ms(sent, delivered));
        return hops;
    }

    private static HttpRequest.Builder authorized(String path) {
        return HttpRequest.newBuilder(URI.create(ledger.gatewayUrl() + path)).header("Authorization", "Bearer " + key);
    }

    private static String table(List<Map<String, Double>> samples) {
        var table = new StringBuilder(String.format("%n%d idle creates, ms     p50      p90      p99      max%n", samples.size()));
        for (String hop : samples.get(0).keySet()) {
            table.append(String.format("%-26s %8.1f %8.1f %8.1f %8.1f%n", hop, percentile(samples, hop, 50),
                    percentile(samples, hop, 90), percentile(samples, hop, 99), percentile(samples, hop, 100)));
        }
        return table.toString();
    }

    /** Nearest rank, as the bench's. */
    private static double percentile(List<Map<String, Double>> samples, String hop, double p) {
        List<Double> sorted = samples.stream().map(s -> s.get(hop)).sorted().toList();
        return sorted.get(Math.max(0, (int) Math.ceil(p / 100 * sorted.size()) - 1));
    }

    private static double ms(Instant from, Instant to) {
        return from.until(to, ChronoUnit.MICROS) / 1000.0;
    }
}

package ledger.local.crash;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ledger.events.CreditNoteReason;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Merchants under load, through the gateway: each client thread creates invoices (some expiring within
 * seconds), pays them in parts or in full (now and then too much), cancels some, lowers some with a credit
 * note, refunds part of what some received (now and then naming the payment) and reads them back.
 * Like a careful integration, every POST carries an {@code Idempotency-Key}, and a request that met a
 * connection error, a 5xx, a 429 or {@code idempotency_request_in_progress} is sent again, unchanged
 * and with the same key, with a bounded backoff. What the ledger acknowledged (2xx) is recorded, so
 * that the audit can check that each effect is in the event store exactly once.
 */
public final class MerchantLoad {

    static final String LOAD_KEY = "load_key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(40);
    /** After stop(), a request still being retried gets this much longer, then it is abandoned. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    public record Create(String key, String invoiceId, String amount, String currency) {
    }

    public record Payment(String key, String invoiceId, String paymentId, String reference, String amount, int status) {
    }

    public record Cancel(String key, String invoiceId) {
    }

    public record Refund(String key, String invoiceId, String refundId, String reference, String amount, int status) {
    }

    public record CreditNote(String key, String invoiceId, String creditNoteId, String amount) {
    }

    /** A request whose outcome the client never learned: it may or may not have taken effect. */
    public record Abandoned(String key, String method, String path, String lastAnswer) {
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final String baseUrl;
    private final String apiKey;
    private final int clients;
    private final Duration retryFor;
    private final long seed;
    private final int thinkMillis;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;
    private volatile long stopAt = Long.MAX_VALUE;

    public final Queue<Create> creates = new ConcurrentLinkedQueue<>();
    public final Queue<Payment> payments = new ConcurrentLinkedQueue<>();
    public final Queue<Cancel> cancels = new ConcurrentLinkedQueue<>();
    public final Queue<Refund> refunds = new ConcurrentLinkedQueue<>();
    public final Queue<CreditNote> creditNotes = new ConcurrentLinkedQueue<>();
    public final Queue<Abandoned> abandoned = new ConcurrentLinkedQueue<>();
    /** Answers outside what this load can legitimately get (say a 400 for a request it built itself). */
    public final Queue<String> unexpected = new ConcurrentLinkedQueue<>();
    public final LongAdder requests = new LongAdder();
    public final LongAdder attempts = new LongAdder();
    public final LongAdder retries = new LongAdder();
    public final LongAdder replays = new LongAdder();
    final LongAdder reads = new LongAdder();
    final LongAdder staleReads = new LongAdder();
    final LongAdder notYetVisible = new LongAdder();
    /** The first few 5xx bodies merchants saw (retried), to tell a crash's 503 from a service's 500. */
    public final Queue<String> serverErrors = new ConcurrentLinkedQueue<>();
    /** Final answers and retried ones, by "status code" (for instance "409 invoice_not_payable", "io"). */
    final Map<String, LongAdder> answers = new ConcurrentHashMap<>();
    final AtomicLong longestRetrySeries = new AtomicLong();

    public MerchantLoad(String baseUrl, String apiKey, int clients, Duration thinkTime, Duration retryFor, long seed) {
        this.thinkMillis = (int) thinkTime.toMillis();
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
        this.clients = clients;
        this.retryFor = retryFor;
        this.seed = seed;
    }

    public void start() {
        running = true;
        for (int i = 0; i < clients; i++) {
            Merchant merchant = new Merchant(new Random(seed * 31 + i));
            Thread thread = new Thread(merchant::run, "merchant-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    /** Stops issuing requests and waits for the ones in flight (retried at most a little longer). */
    public void stop() throws InterruptedException {
        stopAt = System.nanoTime();
        running = false;
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(REQUEST_TIMEOUT.toSeconds() + STOP_GRACE.toSeconds() + 5));
            if (thread.isAlive()) {
                throw new IllegalStateException(thread.getName() + " did not finish");
            }
        }
    }

    public Map<String, Long> answerCounts() {
        Map<String, Long> counts = new TreeMap<>();
        answers.forEach((k, v) -> counts.put(k, v.sum()));
        return counts;
    }

    /** One merchant's own invoices, as its last acknowledged answer left them. */
    private static final class Own {
        final String id;
        final String currency;
        final int scale;
        final boolean expiresSoon;
        BigDecimal paid = BigDecimal.ZERO;
        /** What is still asked for: the amount less credit notes and payments. */
        BigDecimal due;
        BigDecimal refunded = BigDecimal.ZERO;
        /** Each payment recorded, with what of it was not refunded yet: the most a refund naming it may be. */
        final Map<String, BigDecimal> unrefunded = new LinkedHashMap<>();
        String status = "open";
        long version = 1;

        Own(String id, String currency, int scale, BigDecimal amount, boolean expiresSoon) {
            this.id = id;
            this.currency = currency;
            this.scale = scale;
            this.due = amount;
            this.expiresSoon = expiresSoon;
        }

        /** Open or partially paid: it can be paid and credited. */
        boolean payable() {
            return status.equals("open") || status.equals("partially_paid");
        }

        boolean cancellable() {
            return status.equals("open") && paid.signum() == 0;
        }

        /** Money received and not given back yet, which can be refunded whatever the status. */
        BigDecimal refundable() {
            return paid.subtract(refunded);
        }

        /** Still worth a request: its state is known, and it can be paid, credited or refunded. */
        boolean inPlay() {
            return payable() || !status.equals("unknown") && refundable().signum() > 0;
        }

        /** Takes the figures of the invoice as an acknowledged answer showed it. */
        void saw(JsonNode view) {
            paid = new BigDecimal(view.path("amount_paid").asText("0"));
            due = new BigDecimal(view.path("amount_due").asText("0"));
            refunded = new BigDecimal(view.path("amount_refunded").asText("0"));
            status = view.path("status").asText();
            version = view.path("version").asLong();
        }
    }

    private final class Merchant {
        private final Random random;
        private final List<Own> own = new ArrayList<>();

        Merchant(Random random) {
            this.random = random;
        }

        void run() {
            while (running) {
                try {
                    step();
                    if (thinkMillis > 0) {
                        // A merchant's own work between two calls; it also leaves the two cores some
                        // room to restart what the test kills.
                        Thread.sleep(thinkMillis / 2 + random.nextInt(thinkMillis + 1));
                    }
                } catch (RuntimeException e) {
                    unexpected.add("client error: " + e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        private void step() {
            own.removeIf(o -> !o.inPlay());
            while (own.size() > 20) {
                own.remove(0);
            }
            double dice = random.nextDouble();
            if (own.size() < 2 || dice < 0.35) {
                create();
            } else if (dice < 0.70) {
                act(Own::payable, this::pay);
            } else if (dice < 0.76) {
                act(Own::cancellable, this::cancel);
            } else if (dice < 0.82) {
                act(Own::payable, this::creditNote);
            } else if (dice < 0.90) {
                act(o -> o.refundable().signum() > 0, this::refund);
            } else {
                read(own.get(random.nextInt(own.size())));
            }
        }

        /** Acts on one of its invoices that fits, picked at random; with none that does, creates one instead. */
        private void act(Predicate<Own> fits, Consumer<Own> action) {
            List<Own> fitting = own.stream().filter(fits).toList();
            if (fitting.isEmpty()) {
                create();
            } else {
                action.accept(fitting.get(random.nextInt(fitting.size())));
            }
        }

        private void create() {
            String key = UUID.randomUUID().toString();
            boolean yen = random.nextInt(10) == 0;
            String currency = yen ? "JPY" : "USD";
            int scale = yen ? 0 : 2;
            BigDecimal amount = yen ? BigDecimal.valueOf(100 + random.nextInt(50_000))
                    : BigDecimal.valueOf(100 + random.nextInt(50_000), 2);
            boolean expiresSoon = random.nextInt(4) == 0;
            ObjectNode body = JSON.createObjectNode()
                    .put("amount", amount.toPlainString())
                    .put("currency", currency)
                    .put("description", "crash test order");
            if (random.nextBoolean()) {
                body.put("external_order_id", "order-" + key);
            }
            if (expiresSoon) {
                body.put("expires_in", 3 + random.nextInt(6));
            }
            body.putObject("metadata").put(LOAD_KEY, key);
            HttpResponse<String> answer = send("POST", "/v1/invoices", body.toString(), key);
            if (answer == null) {
                return;
            }
            if (answer.statusCode() == 201) {
                JsonNode invoice = json(answer);
                String id = invoice.path("id").asText();
                creates.add(new Create(key, id, invoice.path("amount").asText(), currency));
                own.add(new Own(id, currency, scale, amount, expiresSoon));
            } else {
                unexpected(answer, "POST /v1/invoices");
            }
        }

        private void pay(Own invoice) {
            String key = UUID.randomUUID().toString();
            BigDecimal due = invoice.due;
            BigDecimal unit = BigDecimal.ONE.movePointLeft(invoice.scale);
            BigDecimal amount;
            double dice = random.nextDouble();
            if (dice < 0.5 || due.compareTo(unit.add(unit)) < 0) {
                amount = due;
            } else if (dice < 0.9) {
                amount = due.multiply(BigDecimal.valueOf(10 + random.nextInt(80), 2))
                        .setScale(invoice.scale, RoundingMode.DOWN).max(unit);
            } else {
                amount = due.add(unit.multiply(BigDecimal.valueOf(1 + random.nextInt(500))));
            }
            String reference = "bank-" + key;
            ObjectNode body = JSON.createObjectNode()
                    .put("amount", amount.toPlainString())
                    .put("currency", invoice.currency)
                    .put("reference", reference)
                    .put("method", "bank_transfer");
            String path = "/v1/invoices/" + invoice.id + "/payments";
            HttpResponse<String> answer = send("POST", path, body.toString(), key);
            if (answer == null) {
                invoice.status = "unknown";
                return;
            }
            if (answer.statusCode() == 201 || answer.statusCode() == 200) {
                JsonNode result = json(answer);
                String paymentId = result.path("payment").path("id").asText();
                String paid = result.path("payment").path("amount").asText();
                payments.add(new Payment(key, invoice.id, paymentId, reference, paid, answer.statusCode()));
                invoice.unrefunded.put(paymentId, new BigDecimal(paid));
                invoice.saw(result.path("invoice"));
            } else {
                refused(invoice, answer, path, "invoice_not_payable");
            }
        }

        private void cancel(Own invoice) {
            String key = UUID.randomUUID().toString();
            String path = "/v1/invoices/" + invoice.id + "/cancel";
            HttpResponse<String> answer = send("POST", path, "{\"reason\":\"customer changed their mind\"}", key);
            if (answer == null) {
                invoice.status = "unknown";
                return;
            }
            if (answer.statusCode() == 200) {
                cancels.add(new Cancel(key, invoice.id));
                invoice.status = json(answer).path("status").asText();
            } else {
                refused(invoice, answer, path, "invoice_not_cancellable");
            }
        }

        private void creditNote(Own invoice) {
            String key = UUID.randomUUID().toString();
            CreditNoteReason[] reasons = CreditNoteReason.values();
            ObjectNode body = JSON.createObjectNode()
                    .put("amount", part(invoice.due, invoice.scale).toPlainString())
                    .put("reason", reasons[random.nextInt(reasons.length)].wireName())
                    // A credit note has no reference of its own: the key in its memo lets the audit tell
                    // whether a retry issued it twice.
                    .put("memo", key);
            String path = "/v1/invoices/" + invoice.id + "/credit_notes";
            HttpResponse<String> answer = send("POST", path, body.toString(), key);
            if (answer == null) {
                invoice.status = "unknown";
                return;
            }
            if (answer.statusCode() == 201) {
                JsonNode result = json(answer);
                creditNotes.add(new CreditNote(key, invoice.id, result.path("credit_note").path("id").asText(),
                        result.path("credit_note").path("amount").asText()));
                invoice.saw(result.path("invoice"));
            } else {
                refused(invoice, answer, path, "invoice_not_creditable");
            }
        }

        private void refund(Own invoice) {
            String key = UUID.randomUUID().toString();
            BigDecimal most = invoice.refundable();
            List<String> named = invoice.unrefunded.entrySet().stream().filter(e -> e.getValue().signum() > 0)
                    .map(Map.Entry::getKey).toList();
            String payment = named.isEmpty() || random.nextBoolean() ? null : named.get(random.nextInt(named.size()));
            if (payment != null) {
                most = most.min(invoice.unrefunded.get(payment));
            }
            BigDecimal amount = part(most, invoice.scale);
            String reference = "refund-" + key;
            ObjectNode body = JSON.createObjectNode()
                    .put("amount", amount.toPlainString())
                    .put("reference", reference);
            if (payment != null) {
                body.put("payment", payment);
            }
            if (random.nextBoolean()) {
                body.put("reason", "goods returned");
            }
            String path = "/v1/invoices/" + invoice.id + "/refunds";
            HttpResponse<String> answer = send("POST", path, body.toString(), key);
            if (answer == null) {
                invoice.status = "unknown";
                return;
            }
            if (answer.statusCode() == 201 || answer.statusCode() == 200) {
                JsonNode result = json(answer);
                refunds.add(new Refund(key, invoice.id, result.path("refund").path("id").asText(), reference,
                        result.path("refund").path("amount").asText(), answer.statusCode()));
                if (payment != null) {
                    invoice.unrefunded.merge(payment, amount.negate(), BigDecimal::add);
                }
                invoice.saw(result.path("invoice"));
            } else {
                // Money received can be refunded in any status, expired included: no refusal is expected.
                refused(invoice, answer, path, null);
            }
        }

        /** Now and then all of {@code most}, mostly a share of it; at least the currency's smallest unit. */
        private BigDecimal part(BigDecimal most, int scale) {
            if (random.nextInt(5) == 0) {
                return most;
            }
            return most.multiply(BigDecimal.valueOf(5 + random.nextInt(45), 2)).setScale(scale, RoundingMode.DOWN)
                    .max(BigDecimal.ONE.movePointLeft(scale));
        }

        /**
         * A refusal of a POST about {@code invoice}. An invoice that expires soon may have expired meanwhile — a
         * race any merchant with short expiries has — and then answers {@code expiredCode} (null: expiry refuses
         * nothing); any other refusal is one this load should never get, and the invoice's state is unknown from
         * then on.
         */
        private void refused(Own invoice, HttpResponse<String> answer, String path, String expiredCode) {
            if (answer.statusCode() == 409 && code(answer).equals(expiredCode) && invoice.expiresSoon) {
                invoice.status = "expired";
            } else {
                invoice.status = "unknown";
                unexpected(answer, "POST " + path);
            }
        }

        private void read(Own invoice) {
            reads.increment();
            HttpResponse<String> answer = send("GET", "/v1/invoices/" + invoice.id, null, null,
                    "Ledger-Version", Long.toString(invoice.version));
            if (answer == null) {
                return;
            }
            if (answer.statusCode() == 404) {
                // query-service waited its bounded 2 s for the projection and then had nothing to show:
                // it answers 404 (without Ledger-Stale) for an invoice the ledger acknowledged. Counted
                // and shown in the summary rather than failed: the wait is bounded by contract.
                notYetVisible.increment();
            } else if (answer.statusCode() != 200) {
                unexpected(answer, "GET /v1/invoices/" + invoice.id);
            } else if (answer.headers().firstValue("Ledger-Stale").isPresent()) {
                staleReads.increment();
            }
        }

        /** The answer to keep (2xx or a final 4xx), or null once retrying for {@code retryFor} did not get one. */
        private HttpResponse<String> send(String method, String path, String body, String key, String... headers) {
            requests.increment();
            long began = System.nanoTime();
            long deadline = began + retryFor.toNanos();
            String last = "none";
            for (int attempt = 0; ; attempt++) {
                attempts.increment();
                try {
                    HttpResponse<String> answer = http.send(request(method, path, body, key, headers),
                            HttpResponse.BodyHandlers.ofString());
                    last = (answer.statusCode() + " " + code(answer)).trim();
                    if (answer.statusCode() >= 500 && answer.statusCode() != 503 && serverErrors.size() < 10) {
                        serverErrors.add(method + " " + path + " → " + answer.statusCode() + " " + answer.body());
                    }
                    if (!retryable(answer)) {
                        count(last);
                        if (answer.headers().firstValue("Idempotent-Replayed").isPresent()) {
                            replays.increment();
                        }
                        longestRetrySeries.accumulateAndGet(attempt, Math::max);
                        return answer;
                    }
                } catch (IOException e) {
                    last = "io " + e.getClass().getSimpleName();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                count("retried after " + last);
                long now = System.nanoTime();
                long stoppedAt = stopAt;
                boolean graceOver = stoppedAt != Long.MAX_VALUE && now - stoppedAt > STOP_GRACE.toNanos();
                if (now - deadline > 0 || graceOver) {
                    abandoned.add(new Abandoned(key, method, path, last));
                    return null;
                }
                retries.increment();
                pause(attempt);
            }
        }

        private void pause(int attempt) {
            long ceiling = Math.min(2000, 100L << Math.min(attempt, 5));
            try {
                Thread.sleep(ceiling / 2 + random.nextInt((int) ceiling / 2 + 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        private void unexpected(HttpResponse<String> answer, String what) {
            String body = answer.body();
            unexpected.add(what + " → " + answer.statusCode() + " " + (body.length() > 300 ? body.substring(0, 300) : body));
        }
    }

    private HttpRequest request(String method, String path, String body, String key, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + apiKey)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            builder.header("Content-Type", "application/json");
        }
        if (key != null) {
            builder.header("Idempotency-Key", key);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return builder.build();
    }

    private static boolean retryable(HttpResponse<String> answer) {
        int status = answer.statusCode();
        return status >= 500 || status == 429
                || (status == 409 && code(answer).equals("idempotency_request_in_progress"));
    }

    private void count(String answer) {
        answers.computeIfAbsent(answer, k -> new LongAdder()).increment();
    }

    static String code(HttpResponse<String> answer) {
        if (answer.statusCode() < 400) {
            return "";
        }
        try {
            return JSON.readTree(answer.body()).path("code").asText("");
        } catch (IOException e) {
            return "(not JSON)";
        }
    }

    private static JsonNode json(HttpResponse<String> answer) {
        try {
            return JSON.readTree(answer.body());
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + answer.body(), e);
        }
    }

}

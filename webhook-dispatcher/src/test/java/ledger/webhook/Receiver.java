package ledger.webhook;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * A webhook receiver on loopback (JDK HttpServer, ephemeral port) that records every request and answers
 * as told: by default 200, or per request number (0-based) through {@link #respond}, or per request through
 * {@link #respondTo}.
 */
public final class Receiver implements AutoCloseable {

    /** One received request. {@code headers} keep the server's case-insensitive lookups. */
    public record Request(Instant at, String path, Headers headers, String body) {
        public String header(String name) {
            return headers.getFirst(name);
        }
    }

    /** An answer: status, extra headers, and how long to hang first (released early by {@link #close}). */
    public record Answer(int status, Map<String, String> headers, long hangMillis) {
        public static Answer status(int status) {
            return new Answer(status, Map.of(), 0);
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger counter = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final Set<InetSocketAddress> clients = ConcurrentHashMap.newKeySet();
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile BiFunction<Integer, Request, Answer> answers = (n, request) -> Answer.status(200);

    private Receiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            int n = counter.getAndIncrement();
            clients.add(exchange.getRemoteAddress());
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                byte[] body = exchange.getRequestBody().readAllBytes();
                var request = new Request(Instant.now(), exchange.getRequestURI().getPath(),
                        exchange.getRequestHeaders(), new String(body, StandardCharsets.UTF_8));
                requests.add(request);
                Answer answer = answers.apply(n, request);
                if (answer.hangMillis() > 0) {
                    released.await(answer.hangMillis(), TimeUnit.MILLISECONDS);
                }
                answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
                exchange.sendResponseHeaders(answer.status(), -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // the client gave up (timeout): nothing to answer
            } finally {
                inFlight.decrementAndGet();
                exchange.close();
            }
        });
        server.start();
    }

    public static Receiver start() {
        try {
            return new Receiver();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Receiver respond(IntFunction<Answer> answers) {
        this.answers = (n, request) -> answers.apply(n);
        return this;
    }

    public Receiver respondTo(Function<Request, Answer> answers) {
        this.answers = (n, request) -> answers.apply(request);
        return this;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public List<Request> requestsFor(String eventId) {
        return requests.stream().filter(r -> eventId.equals(r.header("webhook-id"))).toList();
    }

    /** How many connections the requests came on (kept-alive connections carry several). */
    public int connections() {
        return clients.size();
    }

    public int maxInFlight() {
        return maxInFlight.get();
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}

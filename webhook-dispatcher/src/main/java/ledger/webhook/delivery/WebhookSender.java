package ledger.webhook.delivery;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import ledger.support.DaemonThreads;
import ledger.webhook.WebhookProperties;
import ledger.webhook.target.BlockedTargetException;
import ledger.webhook.target.GuardedDnsResolver;
import ledger.webhook.target.GuardedSocketFactory;
import ledger.webhook.target.TargetPolicy;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.DefaultSchemePortResolver;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.pool.PoolReusePolicy;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * Makes one webhook HTTP request. Every connection goes through the {@link TargetPolicy} (resolver and
 * socket guards, no proxy, no redirects); each request is cut off at the request timeout however the
 * receiver behaves — slow connect, no response, or a response that trickles in.
 */
final class WebhookSender implements AutoCloseable {

    /** How one attempt went. {@code status} is null when no response arrived. */
    record Result(Kind kind, Integer status, String retryAfter, long latencyMillis, String error) {

        boolean succeeded() {
            return kind == Kind.SUCCEEDED;
        }
    }

    enum Kind {
        SUCCEEDED, HTTP_ERROR, TIMEOUT, NETWORK_ERROR, BLOCKED;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final CloseableHttpClient client;
    private final PoolingHttpClientConnectionManager connections;
    private final ScheduledExecutorService deadlines;
    private final Duration requestTimeout;

    WebhookSender(TargetPolicy policy, WebhookProperties properties) {
        this(policy, properties, SystemDefaultDnsResolver.INSTANCE);
    }

    /** {@code dns} answers name lookups; tests use it to make a public-looking name resolve to loopback. */
    WebhookSender(TargetPolicy policy, WebhookProperties properties, DnsResolver dns) {
        this.requestTimeout = properties.requestTimeout();
        var tls = RegistryBuilder.<TlsSocketStrategy>create()
                .register("https", DefaultClientTlsStrategy.createSystemDefault()).build();
        var operator = new DefaultHttpClientConnectionOperator(new GuardedSocketFactory(policy),
                DefaultSchemePortResolver.INSTANCE, new GuardedDnsResolver(dns, policy),
                tls);
        connections = new PoolingHttpClientConnectionManager(operator, PoolConcurrencyPolicy.STRICT,
                PoolReusePolicy.LIFO, TimeValue.ofMinutes(1), null);
        // Never the bottleneck: the worker's own per-target limit is what bounds concurrency.
        connections.setMaxTotal(properties.workers() * 2);
        connections.setDefaultMaxPerRoute(properties.perTargetConcurrency() * 2);
        connections.setDefaultConnectionConfig(ConnectionConfig.custom()
                .setConnectTimeout(Timeout.of(properties.connectTimeout()))
                .setSocketTimeout(Timeout.of(properties.requestTimeout()))
                .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                .build());
        client = HttpClients.custom()
                .setConnectionManager(connections)
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .setUserAgent("ledger-webhooks/1")
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(Timeout.of(properties.requestTimeout()))
                        .setConnectionRequestTimeout(Timeout.of(properties.requestTimeout()))
                        .build())
                .build();
        var timer = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("webhook-deadlines-"));
        // Almost every deadline is cancelled long before it fires; don't keep them queued until then.
        timer.setRemoveOnCancelPolicy(true);
        deadlines = timer;
    }

    Result send(String url, Map<String, String> headers, byte[] body) {
        var request = new HttpPost(url);
        headers.forEach(request::setHeader);
        request.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
        var timedOut = new AtomicBoolean();
        var deadline = deadlines.schedule(() -> {
            timedOut.set(true);
            request.cancel();
        }, requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        long start = System.nanoTime();
        try {
            return client.execute(request, response -> {
                long latency = millisSince(start);
                int status = response.getCode();
                var retryAfter = response.getFirstHeader("Retry-After");
                boolean ok = status >= 200 && status < 300;
                return new Result(ok ? Kind.SUCCEEDED : Kind.HTTP_ERROR, status,
                        retryAfter == null ? null : retryAfter.getValue(), latency,
                        ok ? null : "HTTP " + status + (status >= 300 && status < 400 ? " (redirects are not followed)" : ""));
            });
        } catch (IOException e) {
            return failure(e, timedOut.get(), millisSince(start));
        } catch (IllegalArgumentException e) {
            return new Result(Kind.BLOCKED, null, null, millisSince(start), "Invalid URL: " + e.getMessage());
        } finally {
            deadline.cancel(false);
        }
    }

    private Result failure(IOException e, boolean timedOut, long latency) {
        BlockedTargetException blocked = cause(e, BlockedTargetException.class);
        if (blocked != null) {
            return new Result(Kind.BLOCKED, null, null, latency, blocked.getMessage());
        }
        if (timedOut) {
            return new Result(Kind.TIMEOUT, null, null, latency,
                    "No complete response within " + requestTimeout.toMillis() + " ms");
        }
        if (e instanceof ConnectTimeoutException || cause(e, SocketTimeoutException.class) != null
                || e instanceof InterruptedIOException) {
            return new Result(Kind.TIMEOUT, null, null, latency, "Timed out: " + e.getMessage());
        }
        if (e instanceof UnknownHostException) {
            return new Result(Kind.NETWORK_ERROR, null, null, latency, "Could not resolve host: " + e.getMessage());
        }
        if (cause(e, ConnectException.class) != null) {
            return new Result(Kind.NETWORK_ERROR, null, null, latency, "Connection failed: " + e.getMessage());
        }
        if (cause(e, SSLException.class) != null) {
            return new Result(Kind.NETWORK_ERROR, null, null, latency, "TLS error: " + e.getMessage());
        }
        return new Result(Kind.NETWORK_ERROR, null, null, latency, e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    @Override
    public void close() throws IOException {
        deadlines.shutdownNow();
        client.close();
        connections.close();
    }
}

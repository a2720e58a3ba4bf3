package ledger.webhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import ledger.webhook.Receiver;
import ledger.webhook.WebhookProperties;
import ledger.webhook.target.BlockedTargetException;
import ledger.webhook.target.GuardedSocketFactory;
import ledger.webhook.target.TargetPolicy;
import org.apache.hc.client5.http.DnsResolver;
import org.junit.jupiter.api.Test;

/**
 * The connect-time SSRF guard on real loopback sockets (no Spring): with private targets refused, nothing
 * reaches a local server — not by its address, not through a public-looking name that resolves to it.
 * Only loopback is ever connected to; 10/8 and 169.254/16 are covered without connecting in the unit tests.
 */
class TargetGuardIT {

    /** A public-looking name that "resolves" to loopback, as a rebinding attacker's DNS would answer. */
    private static final DnsResolver REBINDING_DNS = new DnsResolver() {
        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            if (host.equals("hooks.example.com")) {
                return new InetAddress[] {InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1})};
            }
            if (host.matches("[0-9.]+")) {
                return new InetAddress[] {InetAddress.getByName(host)}; // a literal: parsed, not looked up
            }
            throw new UnknownHostException(host);
        }

        @Override
        public String resolveCanonicalHostname(String host) {
            return host;
        }
    };

    private static WebhookProperties properties(boolean allowPrivate, Duration requestTimeout) {
        return new WebhookProperties(allowPrivate, List.of(Duration.ofSeconds(1)), 0.1, Duration.ofHours(1),
                requestTimeout, Duration.ofSeconds(2), Duration.ofHours(24), Duration.ofDays(5), 8, 2,
                Duration.ofMillis(500), Duration.ofSeconds(60), 16);
    }

    @Test
    void aGuardedSocketRefusesLoopbackBeforeConnecting() throws Exception {
        try (var server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(300);
            var target = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
            try (var refused = new GuardedSocketFactory(new TargetPolicy(false)).create(null)) {
                assertThatThrownBy(() -> refused.connect(target, 1000)).isInstanceOf(BlockedTargetException.class)
                        .hasMessageContaining("127.0.0.1");
                assertThat(refused.isConnected()).isFalse();
            }
            assertThatThrownBy(server::accept).isInstanceOf(SocketTimeoutException.class);

            try (var allowed = new GuardedSocketFactory(new TargetPolicy(true)).create(null)) {
                allowed.connect(target, 1000);
                assertThat(allowed.isConnected()).isTrue();
                server.accept().close();
            }
        }
    }

    @Test
    void theSenderNeverReachesAPrivateAddressWhetherNamedDirectlyOrThroughDns() throws Exception {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        try (var receiver = Receiver.start()) {
            try (var sender = new WebhookSender(new TargetPolicy(false), properties(false, Duration.ofSeconds(5)),
                    REBINDING_DNS)) {
                for (String url : List.of("https://hooks.example.com:" + receiver.port() + "/in",
                        "http://hooks.example.com:" + receiver.port() + "/in",
                        "https://127.0.0.1:" + receiver.port() + "/in")) {
                    var result = sender.send(url, Map.of("webhook-id", "evt_1"), body);
                    assertThat(result.kind()).as(url + " " + result).isEqualTo(WebhookSender.Kind.BLOCKED);
                    assertThat(result.status()).isNull();
                    assertThat(result.error()).contains("non-public address 127.0.0.1");
                }
            }
            assertThat(receiver.requests()).isEmpty();

            // Control: the same name and receiver are reachable once private targets are allowed.
            try (var sender = new WebhookSender(new TargetPolicy(true), properties(true, Duration.ofSeconds(5)),
                    REBINDING_DNS)) {
                var result = sender.send("http://hooks.example.com:" + receiver.port() + "/in",
                        Map.of("webhook-id", "evt_1"), body);
                assertThat(result.kind()).isEqualTo(WebhookSender.Kind.SUCCEEDED);
                assertThat(result.status()).isEqualTo(200);
            }
            assertThat(receiver.requests()).hasSize(1);
            assertThat(receiver.requests().get(0).header("webhook-id")).isEqualTo("evt_1");
        }
    }

    @Test
    void anAttemptIsCutOffAtTheRequestTimeoutHoweverLongTheReceiverHangs() throws Exception {
        try (var receiver = Receiver.start().respond(n -> new Receiver.Answer(200, Map.of(), 30_000));
             var sender = new WebhookSender(new TargetPolicy(true), properties(true, Duration.ofSeconds(1)),
                     REBINDING_DNS)) {
            long start = System.nanoTime();
            var result = sender.send(receiver.url("/slow"), Map.of(), "{}".getBytes(StandardCharsets.UTF_8));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(result.kind()).as(result.toString()).isEqualTo(WebhookSender.Kind.TIMEOUT);
            assertThat(millis).isBetween(900L, 5_000L);
        }
    }
}

package ledger.webhook.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Map;
import org.apache.hc.client5.http.DnsResolver;
import org.junit.jupiter.api.Test;

/** The resolver is given fixed answers; nothing here resolves real names or opens a connection. */
class GuardedDnsResolverTest {

    private static final DnsResolver ANSWERS = new DnsResolver() {
        private final Map<String, String[]> table = Map.of(
                "public.example", new String[] {"93.184.216.34"},
                "loopback.example", new String[] {"127.0.0.1"},
                "private.example", new String[] {"10.0.0.7"},
                "metadata.example", new String[] {"169.254.169.254"},
                "mixed.example", new String[] {"93.184.216.34", "10.1.2.3"},
                "v6private.example", new String[] {"2606:4700:4700::1111", "fd00::1"});

        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            String[] literals = table.get(host);
            if (literals == null) {
                throw new UnknownHostException(host);
            }
            var out = new InetAddress[literals.length];
            for (int i = 0; i < literals.length; i++) {
                out[i] = InetAddress.getByAddress(host, InetAddress.getByName(literals[i]).getAddress());
            }
            return out;
        }

        @Override
        public String resolveCanonicalHostname(String host) {
            return host;
        }
    };

    @Test
    void refusesANameIfAnyOfItsAddressesIsNotPublic() {
        var resolver = new GuardedDnsResolver(ANSWERS, new TargetPolicy(false));
        for (String host : new String[] {"loopback.example", "private.example", "metadata.example", "mixed.example",
                "v6private.example"}) {
            assertThatThrownBy(() -> resolver.resolve(host)).as(host).isInstanceOf(BlockedTargetException.class);
            // the per-port variant the connection operator calls goes through the same check
            assertThatThrownBy(() -> resolver.resolve(host, 443)).as(host).isInstanceOf(BlockedTargetException.class);
        }
    }

    @Test
    void returnsPublicAnswersUnchanged() throws Exception {
        var resolver = new GuardedDnsResolver(ANSWERS, new TargetPolicy(false));
        assertThat(resolver.resolve("public.example")).extracting(InetAddress::getHostAddress)
                .containsExactly("93.184.216.34");
        assertThat(resolver.resolve("public.example", 443)).extracting(InetSocketAddress::getPort).containsExactly(443);
        assertThatThrownBy(() -> resolver.resolve("unknown.example")).isInstanceOf(UnknownHostException.class)
                .isNotInstanceOf(BlockedTargetException.class);
    }

    @Test
    void privateAnswersPassWhenPrivateTargetsAreAllowed() throws Exception {
        var resolver = new GuardedDnsResolver(ANSWERS, new TargetPolicy(true));
        assertThat(resolver.resolve("mixed.example")).hasSize(2);
        assertThat(resolver.resolve("metadata.example")[0].getHostAddress()).isEqualTo("169.254.169.254");
    }

    @Test
    void aGuardedSocketRefusesUnresolvedAddressesWithoutLookingThemUp() {
        var socket = new GuardedSocketFactory(new TargetPolicy(false)).create(null);
        assertThatThrownBy(() -> socket.connect(InetSocketAddress.createUnresolved("public.example", 443), 1000))
                .isInstanceOf(BlockedTargetException.class).hasMessageContaining("unresolved");
        assertThat(socket.isConnected()).isFalse();
    }
}

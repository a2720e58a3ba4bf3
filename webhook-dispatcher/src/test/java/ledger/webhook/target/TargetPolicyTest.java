package ledger.webhook.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TargetPolicyTest {

    private final TargetPolicy strict = new TargetPolicy(false);
    private final TargetPolicy lenient = new TargetPolicy(true);

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.1.2.3", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255",
            "192.168.1.1", "169.254.169.254", "169.254.0.1", "100.64.0.1", "100.127.255.255", "0.0.0.0", "0.1.2.3",
            "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1", "192.0.2.10", "198.18.0.1",
            "::1", "::", "fc00::1", "fd12:3456::1", "fe80::1", "fec0::1", "ff02::1", "2001:db8::1",
            "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:127.0.0.1", "64:ff9b::a00:1", "64:ff9b::a9fe:a9fe",
            "2002:a00:1::1", "2002:7f00:1::", "::a00:1"})
    void refusesNonPublicAddresses(String literal) throws UnknownHostException {
        InetAddress address = InetAddress.getByName(literal);
        assertThat(TargetPolicy.isPublic(address)).as(literal).isFalse();
        assertThatThrownBy(() -> strict.checkAddress("example.com", address))
                .isInstanceOf(BlockedTargetException.class).hasMessageContaining("non-public");
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "93.184.216.34", "172.15.255.255", "172.32.0.1", "100.63.255.255",
            "100.128.0.1", "169.253.1.1", "192.169.0.1", "11.0.0.1", "2606:4700:4700::1111", "2a00:1450:4001::200e",
            "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"})
    void acceptsPublicAddresses(String literal) throws Exception {
        InetAddress address = InetAddress.getByName(literal);
        assertThat(TargetPolicy.isPublic(address)).as(literal).isTrue();
        strict.checkAddress("example.com", address);
    }

    @Test
    void allowingPrivateTargetsLetsLoopbackAndPrivateAddressesThrough() throws Exception {
        lenient.checkAddress("localhost", InetAddress.getByName("127.0.0.1"));
        lenient.checkAddress("db", InetAddress.getByName("10.1.2.3"));
        lenient.checkAddress("metadata", InetAddress.getByName("169.254.169.254"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://example.com/hook", "ftp://example.com/hook", "https://localhost/hook",
            "https://localhost:8443/hook", "https://api.localhost/x", "https://printer.local/x",
            "https://metadata.google.internal/x", "https://127.0.0.1/hook", "https://10.0.0.1/hook",
            "https://169.254.169.254/latest/meta-data", "https://127.1/hook", "https://[::1]/hook", "https://[fd00::1]/hook",
            "https://user:secret@example.com/hook", "https://example.com/hook#frag", "not a url", "https:///nohost",
            "mailto:someone@example.com", ""})
    void refusesUrlsThatAreNotPublicHttps(String url) {
        assertThat(strict.urlProblem(url)).as(url).isPresent();
    }

    @Test
    void acceptsPublicHttpsUrls() {
        assertThat(strict.urlProblem("https://example.com/webhooks?token=abc")).isEmpty();
        assertThat(strict.urlProblem("https://hooks.example.com:8443/in")).isEmpty();
        assertThat(strict.urlProblem("https://93.184.216.34/in")).isEmpty();
        assertThat(strict.urlProblem(null)).isPresent();
        assertThat(strict.urlProblem("https://example.com/" + "a".repeat(TargetPolicy.MAX_URL_LENGTH))).isPresent();
    }

    @Test
    void allowingPrivateTargetsAcceptsHttpAndLoopbackUrls() {
        assertThat(lenient.urlProblem("http://127.0.0.1:8080/hook")).isEmpty();
        assertThat(lenient.urlProblem("http://localhost:8080/hook")).isEmpty();
        assertThat(lenient.urlProblem("ftp://127.0.0.1/hook")).isPresent();
    }
}

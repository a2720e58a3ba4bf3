package ledger.webhook.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Base64;
import java.util.List;
import ledger.events.StoreId;
import ledger.support.web.ApiException;
import org.junit.jupiter.api.Test;

class EndpointTest {

    private static final Instant NOW = Instant.parse("2026-11-01T12:00:00Z");

    private static Endpoint endpoint(String previous, Instant previousExpires, List<String> events) {
        return new Endpoint("we_1", StoreId.generate(), "https://example.com", events, null, false, false, null,
                "whsec_new", previous, previousExpires, null, NOW, NOW);
    }

    @Test
    void aRotatedOutSecretSignsAlongsideUntilItExpires() {
        var rotated = endpoint("whsec_old", NOW.plusSeconds(3600), List.of("*"));
        assertThat(rotated.signingSecrets(NOW)).containsExactly("whsec_new", "whsec_old");
        assertThat(rotated.signingSecrets(NOW.plusSeconds(3599))).containsExactly("whsec_new", "whsec_old");
        assertThat(rotated.signingSecrets(NOW.plusSeconds(3600))).containsExactly("whsec_new");
        assertThat(endpoint(null, null, List.of("*")).signingSecrets(NOW)).containsExactly("whsec_new");
    }

    @Test
    void subscribesToListedTypesOrEverythingWithTheWildcard() {
        assertThat(endpoint(null, null, List.of("*")).subscribesTo("invoice.expired")).isTrue();
        var paidOnly = endpoint(null, null, List.of("invoice.paid"));
        assertThat(paidOnly.subscribesTo("invoice.paid")).isTrue();
        assertThat(paidOnly.subscribesTo("invoice.partially_paid")).isFalse();
    }

    @Test
    void secretsAreWhsecAndThirtyTwoRandomBytes() {
        String secret = EndpointSecrets.generate();
        assertThat(secret).startsWith("whsec_");
        assertThat(Base64.getDecoder().decode(secret.substring(6))).hasSize(32);
        assertThat(EndpointSecrets.generate()).isNotEqualTo(secret);
    }

    @Test
    void enabledEventsMustBeKnownTypesOrTheWildcardAlone() {
        assertThat(EndpointController.validEvents(List.of("invoice.paid", "invoice.paid", "invoice.created")))
                .containsExactly("invoice.paid", "invoice.created");
        assertThat(EndpointController.validEvents(List.of("*"))).containsExactly("*");
        assertThatThrownBy(() -> EndpointController.validEvents(List.of("invoice.paid", "invoice.refunded")))
                .isInstanceOf(ApiException.class).extracting(e -> ((ApiException) e).code())
                .isEqualTo("unknown_event_type");
        assertThatThrownBy(() -> EndpointController.validEvents(List.of())).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> EndpointController.validEvents(List.of("*", "invoice.paid")))
                .isInstanceOf(ApiException.class);
    }
}

package ledger.webhook.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import ledger.events.StoreId;
import ledger.support.web.ApiException;
import org.junit.jupiter.api.Test;

class EndpointTest {

    private static final Instant NOW = Instant.parse("2026-11-01T12:00:00Z");

    private static final Duration DAY = Duration.ofHours(24);

    private static Endpoint endpoint() {
        return new Endpoint("we_1", StoreId.generate(), "https://example.com", List.of("*"), null, false, false, null,
                "whsec_first", List.of(), null, NOW, NOW);
    }

    @Test
    void aRotatedOutSecretSignsAlongsideUntilItExpires() {
        var rotated = endpoint().rotated("whsec_second", DAY, NOW);
        assertThat(rotated.secret()).isEqualTo("whsec_second");
        assertThat(rotated.updatedAt()).isEqualTo(NOW);
        assertThat(rotated.signingSecrets(NOW)).containsExactly("whsec_second", "whsec_first");
        assertThat(rotated.signingSecrets(NOW.plus(DAY).minusSeconds(1)))
                .containsExactly("whsec_second", "whsec_first");
        assertThat(rotated.signingSecrets(NOW.plus(DAY))).containsExactly("whsec_second");
        assertThat(rotated.previousSecretsExpireAt(NOW)).isEqualTo(NOW.plus(DAY));
        assertThat(rotated.previousSecretsExpireAt(NOW.plus(DAY))).isNull();
        assertThat(endpoint().signingSecrets(NOW)).containsExactly("whsec_first");
        assertThat(endpoint().previousSecretsExpireAt(NOW)).isNull();
    }

    @Test
    void eachRotatedOutSecretSignsUntilItsOwnExpiryHoweverManyRotationsFollow() {
        Instant second = NOW.plus(Duration.ofHours(6));
        var twice = endpoint().rotated("whsec_second", DAY, NOW).rotated("whsec_third", DAY, second);

        assertThat(twice.signingSecrets(second)).containsExactly("whsec_third", "whsec_first", "whsec_second");
        assertThat(twice.signingSecrets(NOW.plus(DAY).minusSeconds(1)))
                .containsExactly("whsec_third", "whsec_first", "whsec_second");
        assertThat(twice.signingSecrets(NOW.plus(DAY))).containsExactly("whsec_third", "whsec_second");
        assertThat(twice.signingSecrets(second.plus(DAY))).containsExactly("whsec_third");
        // What the API shows: when the last previous secret stops signing.
        assertThat(twice.previousSecretsExpireAt(second)).isEqualTo(second.plus(DAY));
        assertThat(twice.previousSecretsExpireAt(NOW.plus(DAY))).isEqualTo(second.plus(DAY));

        // A rotation drops the secrets that no longer sign.
        var later = twice.rotated("whsec_fourth", DAY, NOW.plus(DAY));
        assertThat(later.previousSecrets()).extracting(Endpoint.PreviousSecret::secret)
                .containsExactly("whsec_second", "whsec_third");
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
        assertThatThrownBy(() -> EndpointController.validEvents(List.of("invoice.paid", "invoice.disputed")))
                .isInstanceOf(ApiException.class).extracting(e -> ((ApiException) e).code())
                .isEqualTo("unknown_event_type");
        assertThatThrownBy(() -> EndpointController.validEvents(List.of())).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> EndpointController.validEvents(List.of("*", "invoice.paid")))
                .isInstanceOf(ApiException.class);
    }
}

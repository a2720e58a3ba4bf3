package ledger.webhook.endpoint;

import static ledger.webhook.SchemaMigrations.migrate;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import ledger.events.StoreId;
import org.junit.jupiter.api.Test;

/** V4 on real PostgreSQL without Spring: the previous secret of an endpoint rotated before it keeps signing. */
class EndpointSecretsSchemaIT {

    @Test
    void v4KeepsThePreviousSecretOfEndpointsRotatedBeforeIt() {
        var jdbc = migrate("webhook_v4_secrets", "3");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Instant expires = now.plus(Duration.ofHours(20));
        jdbc.update("""
                INSERT INTO webhook_endpoint (id, store_id, url, enabled_events, livemode, secret, previous_secret,
                                              previous_secret_expires_at, created_at, updated_at)
                VALUES ('we_rotated', 'st_1', 'https://example.com/a', '{*}', false, 'whsec_new', 'whsec_old', ?,
                        now(), now()),
                       ('we_fresh', 'st_1', 'https://example.com/b', '{*}', false, 'whsec_only', NULL, NULL,
                        now(), now())""", Timestamp.from(expires));

        migrate("webhook_v4_secrets", "latest");

        var endpoints = new Endpoints(jdbc);
        var rotated = endpoints.find(new StoreId("st_1"), false, "we_rotated").orElseThrow();
        assertThat(rotated.previousSecrets()).containsExactly(new Endpoint.PreviousSecret("whsec_old", expires));
        assertThat(rotated.signingSecrets(now)).containsExactly("whsec_new", "whsec_old");
        assertThat(endpoints.find(new StoreId("st_1"), false, "we_fresh").orElseThrow().signingSecrets(now))
                .containsExactly("whsec_only");
    }
}

package ledger.webhook.delivery;

import java.net.URI;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import ledger.events.InvoiceView;
import ledger.events.LedgerEvent;
import ledger.webhook.endpoint.Endpoint;
import ledger.webhook.endpoint.Endpoints;
import ledger.events.WebhookTypes;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Turns one ledger event into one webhook event and plans its deliveries: one per subscribed endpoint of
 * the store (same mode, not deleted), plus one to the invoice's {@code callback_url}. Runs inside the
 * inbox's transaction, so an event is either recorded with all its deliveries or not at all.
 */
@Component
public class WebhookEvents {

    private final JdbcTemplate jdbc;
    private final Endpoints endpoints;
    private final Clock clock;

    WebhookEvents(JdbcTemplate jdbc, Endpoints endpoints, Clock clock) {
        this.jdbc = jdbc;
        this.endpoints = endpoints;
        this.clock = clock;
    }

    /** {@code view} is the invoice after {@code event}. A second call for the same event does nothing. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void publish(LedgerEvent event, InvoiceView view) {
        String type = WebhookTypes.of(event);
        Instant now = clock.instant();
        String callbackUrl = view.callbackUrl() == null || view.callbackUrl().isBlank() ? null : view.callbackUrl();
        int inserted = jdbc.update("""
                INSERT INTO webhook_event (event_id, store_id, invoice_id, type, livemode, occurred_at, callback_url,
                                           body, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                event.eventId().value(), event.storeId().value(), event.invoiceId().value(), type, view.livemode(),
                Timestamp.from(event.occurredAt()), callbackUrl, WebhookPayloads.body(event, type, view),
                Timestamp.from(now));
        if (inserted == 0) {
            return;
        }
        for (Endpoint endpoint : endpoints.subscribers(event.storeId(), type, view.livemode())) {
            // A disabled endpoint gets its row too, already failed: recover can send it once re-enabled.
            jdbc.update("""
                    INSERT INTO delivery (event_id, invoice_id, sequence, endpoint_id, target_key, state,
                                          next_attempt_at, last_error, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                    event.eventId().value(), event.invoiceId().value(), event.sequence(), endpoint.id(),
                    endpointTarget(endpoint.id()), endpoint.disabled() ? "failed" : "pending",
                    endpoint.disabled() ? null : Timestamp.from(now), endpoint.disabled() ? "endpoint disabled" : null,
                    Timestamp.from(now), Timestamp.from(now));
        }
        if (callbackUrl != null) {
            jdbc.update("""
                    INSERT INTO delivery (event_id, invoice_id, sequence, url, target_key, state, next_attempt_at,
                                          created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT DO NOTHING""",
                    event.eventId().value(), event.invoiceId().value(), event.sequence(), callbackUrl,
                    callbackTarget(callbackUrl), Timestamp.from(now), Timestamp.from(now), Timestamp.from(now));
        }
    }

    static String endpointTarget(String endpointId) {
        return "endpoint:" + endpointId;
    }

    /**
     * Callbacks are limited per host, not per invoice: one slow merchant server must not take a worker
     * for every one of its invoices.
     */
    static String callbackTarget(String url) {
        try {
            var uri = URI.create(url);
            if (uri.getHost() != null) {
                return "callback:" + uri.getScheme().toLowerCase(Locale.ROOT) + "://"
                        + uri.getHost().toLowerCase(Locale.ROOT) + ":" + uri.getPort();
            }
        } catch (IllegalArgumentException e) {
            // not a URI: fall through, the attempt will fail and say why
        }
        return "callback:" + url;
    }
}

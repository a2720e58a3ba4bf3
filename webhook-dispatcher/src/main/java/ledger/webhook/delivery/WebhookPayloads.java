package ledger.webhook.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import ledger.events.CreditNoteIssued;
import ledger.events.InvoiceView;
import ledger.events.LedgerEvent;
import ledger.events.LedgerJson;
import ledger.events.PaymentReceived;
import ledger.events.RefundIssued;

/**
 * The webhook body of a ledger event (§6): {@code id} (the ledger event id), {@code type},
 * {@code timestamp} (when the event happened), {@code api_version} and {@code data} — the invoice's §4.3
 * view after the event and, for a payment, a refund or a credit note, that payment, refund or credit note. Built once per event and stored, so every
 * attempt sends the same bytes.
 */
final class WebhookPayloads {

    static final String API_VERSION = "2026-11-01";
    private static final ObjectMapper JSON = LedgerJson.mapper();

    private WebhookPayloads() {
    }

    record Payload(String id, String type, Instant timestamp, String apiVersion, Map<String, Object> data) {
    }

    static String body(LedgerEvent event, String type, InvoiceView view) {
        var data = new LinkedHashMap<String, Object>();
        data.put("invoice", view);
        if (event instanceof PaymentReceived p) {
            view.payment(p.paymentId().value()).ifPresent(payment -> data.put("payment", payment));
        } else if (event instanceof RefundIssued r) {
            view.refund(r.refundId().value()).ifPresent(refund -> data.put("refund", refund));
        } else if (event instanceof CreditNoteIssued n) {
            view.creditNote(n.creditNoteId().value()).ifPresent(note -> data.put("credit_note", note));
        }
        try {
            return JSON.writeValueAsString(new Payload(event.eventId().value(), type, event.occurredAt(), API_VERSION,
                    data));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("webhook payload not serialisable", e);
        }
    }
}

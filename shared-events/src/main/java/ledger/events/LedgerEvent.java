package ledger.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;

/**
 * One immutable fact about an invoice. Every event carries its own id, the invoice and store it
 * belongs to, its per-invoice {@link #sequence()} (1 for {@link InvoiceCreated}, then +1 per event),
 * when it happened, and the invoice's resulting status and totals — so a consumer can act on it alone.
 *
 * <p>JSON: a {@code type} property names the record; {@code schema_revision} is written for
 * consumers and bumped (with an upcaster) whenever a record's wire format changes.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = InvoiceCreated.class, name = "InvoiceCreated"),
        @JsonSubTypes.Type(value = PaymentReceived.class, name = "PaymentReceived"),
        @JsonSubTypes.Type(value = InvoiceCancelled.class, name = "InvoiceCancelled"),
        @JsonSubTypes.Type(value = InvoiceExpired.class, name = "InvoiceExpired"),
        @JsonSubTypes.Type(value = InvoiceOverdue.class, name = "InvoiceOverdue"),
        @JsonSubTypes.Type(value = InvoiceMarkedUncollectible.class, name = "InvoiceMarkedUncollectible"),
        @JsonSubTypes.Type(value = RefundIssued.class, name = "RefundIssued"),
        @JsonSubTypes.Type(value = CreditNoteIssued.class, name = "CreditNoteIssued")
})
@JsonIgnoreProperties(value = "schema_revision", allowGetters = true)
public sealed interface LedgerEvent permits InvoiceCreated, PaymentReceived, InvoiceCancelled, InvoiceExpired,
        InvoiceOverdue, InvoiceMarkedUncollectible, RefundIssued, CreditNoteIssued {

    EventId eventId();

    InvoiceId invoiceId();

    StoreId storeId();

    /** Position of this event in its invoice's history, starting at 1. */
    long sequence();

    Instant occurredAt();

    /** Status of the invoice after this event. */
    InvoiceStatus status();

    /** Total paid on the invoice after this event. */
    Money amountPaid();

    /** What is still due after this event: max(amount − amount_credited − amount_paid, 0). */
    Money amountDue();

    /** The record's simple name, also its {@code type} on the wire and in Kafka headers. */
    default String type() {
        return getClass().getSimpleName();
    }

    @JsonProperty("schema_revision")
    default int schemaRevision() {
        return 1;
    }
}

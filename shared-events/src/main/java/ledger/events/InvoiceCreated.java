package ledger.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * A merchant created an invoice. Carries everything the invoice was created with, so a read model
 * can be built from the event history alone. {@code metadata} holds every key the merchant sent,
 * including secret-looking ones: hiding those is the job of the views, not of the ledger. {@code number} is the
 * store's gap-free invoice number ({@code INV-000042}); null on invoices created before numbering existed.
 *
 * <p>Schema revision 2 added {@code number} and {@code line_items} ({@link LineItem}; empty when the merchant sent
 * only an {@code amount}). Revision 1 events have neither, and read as an invoice without a number or lines: the
 * event store upcasts their JSON with {@link #upcastToRevision2}, and every other reader binds it with the same
 * result, since this record takes a missing {@code line_items} for an empty list.
 */
public record InvoiceCreated(
        EventId eventId,
        InvoiceId invoiceId,
        StoreId storeId,
        long sequence,
        Instant occurredAt,
        String number,
        Money amount,
        List<LineItem> lineItems,
        String externalOrderId,
        String description,
        String customerEmail,
        Map<String, String> metadata,
        String checkoutUrl,
        String callbackUrl,
        String returnUrl,
        LocalDate dueDate,
        Instant expiresAt,
        boolean livemode,
        InvoiceStatus status,
        Money amountPaid,
        Money amountDue) implements LedgerEvent {

    /** The current schema revision of this event's JSON. */
    public static final int REVISION = 2;

    public InvoiceCreated {
        lineItems = lineItems == null ? List.of() : List.copyOf(lineItems);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    @Override
    public int schemaRevision() {
        return REVISION;
    }

    /** Revision 1's JSON (from before numbers and line items) as revision 2 says the same: neither. */
    public static ObjectNode upcastToRevision2(ObjectNode revision1) {
        revision1.putNull("number");
        revision1.putArray("line_items");
        revision1.put("schema_revision", 2);
        return revision1;
    }

    /**
     * This event as read models may keep it: without secret-looking metadata keys, which only the
     * event store holds ({@link InvoiceView#visibleMetadata}).
     */
    public InvoiceCreated withVisibleMetadataOnly() {
        return new InvoiceCreated(eventId, invoiceId, storeId, sequence, occurredAt, number, amount, lineItems,
                externalOrderId, description, customerEmail, InvoiceView.visibleMetadata(metadata), checkoutUrl,
                callbackUrl, returnUrl, dueDate, expiresAt, livemode, status, amountPaid, amountDue);
    }

    /** This event with the number the event store gave it at commit ({@code V6__invoice_numbers.sql}). */
    public InvoiceCreated withNumber(String number) {
        return new InvoiceCreated(eventId, invoiceId, storeId, sequence, occurredAt, number, amount, lineItems,
                externalOrderId, description, customerEmail, metadata, checkoutUrl, callbackUrl, returnUrl, dueDate,
                expiresAt, livemode, status, amountPaid, amountDue);
    }
}

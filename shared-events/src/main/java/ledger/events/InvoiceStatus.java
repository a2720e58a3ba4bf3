package ledger.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Where an invoice stands. {@code open → partially_paid → paid | overpaid}; {@code open → cancelled};
 * {@code open | partially_paid → expired}; {@code open | partially_paid → uncollectible → paid | overpaid}
 * (written off, SPEC §4.5); {@code open | partially_paid → paid} also by a credit note of all that is due (SPEC §4.5).
 * Paid, overpaid, cancelled and expired are final.
 */
public enum InvoiceStatus {
    OPEN, PARTIALLY_PAID, PAID, OVERPAID, CANCELLED, EXPIRED, UNCOLLECTIBLE;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static InvoiceStatus fromWire(String value) {
        for (InvoiceStatus s : values()) {
            if (s.wireName().equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown invoice status: " + value);
    }

    public boolean isFinal() {
        return this == PAID || this == OVERPAID || this == CANCELLED || this == EXPIRED;
    }

    /** Payments are accepted only before the invoice reached a final state, also once it was written off. */
    public boolean isPayable() {
        return !isFinal();
    }

    /**
     * Still being collected: open or partially paid. Only such an invoice expires, goes overdue or can be written
     * off; an uncollectible one no longer expires.
     */
    public boolean isCollecting() {
        return this == OPEN || this == PARTIALLY_PAID;
    }
}

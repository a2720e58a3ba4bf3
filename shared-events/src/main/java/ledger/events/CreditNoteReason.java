package ledger.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Why a credit note was issued (Stripe's reasons). */
public enum CreditNoteReason {
    DUPLICATE, PRODUCT_UNSATISFACTORY, ORDER_CHANGE, OTHER;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The reason of a wire name; empty for any other text. */
    public static Optional<CreditNoteReason> ofWire(String value) {
        return Arrays.stream(values()).filter(r -> r.wireName().equals(value)).findFirst();
    }

    @JsonCreator
    static CreditNoteReason fromWire(String value) {
        return ofWire(value).orElseThrow(() -> new IllegalArgumentException("unknown credit note reason: " + value));
    }
}

package ledger.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** One recorded payment on an invoice ({@code pay_…}). */
public record PaymentId(@JsonValue String value) {

    public static final String PREFIX = "pay_";

    @JsonCreator
    public PaymentId {
        Ids.require(value, PREFIX);
    }

    public static PaymentId generate() {
        return new PaymentId(Ids.random(PREFIX));
    }

    @Override
    public String toString() {
        return value;
    }
}

package ledger.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** One refund of money received on an invoice ({@code re_…}). */
public record RefundId(@JsonValue String value) {

    public static final String PREFIX = "re_";

    @JsonCreator
    public RefundId {
        Ids.require(value, PREFIX);
    }

    public static RefundId generate() {
        return new RefundId(Ids.random(PREFIX));
    }

    @Override
    public String toString() {
        return value;
    }
}

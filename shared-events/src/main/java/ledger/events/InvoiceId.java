package ledger.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** An invoice, also the Axon aggregate identifier and the Kafka record key ({@code inv_…}). */
public record InvoiceId(@JsonValue String value) {

    public static final String PREFIX = "inv_";

    @JsonCreator
    public InvoiceId {
        Ids.require(value, PREFIX);
    }

    public static InvoiceId generate() {
        return new InvoiceId(Ids.random(PREFIX));
    }

    @Override
    public String toString() {
        return value;
    }
}

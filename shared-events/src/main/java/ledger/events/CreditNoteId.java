package ledger.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** One credit note lowering what an invoice asks for ({@code cn_…}). */
public record CreditNoteId(@JsonValue String value) {

    public static final String PREFIX = "cn_";

    @JsonCreator
    public CreditNoteId {
        Ids.require(value, PREFIX);
    }

    public static CreditNoteId generate() {
        return new CreditNoteId(Ids.random(PREFIX));
    }

    @Override
    public String toString() {
        return value;
    }
}

package ledger.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** A merchant store; every invoice and API key belongs to exactly one ({@code st_…}). */
public record StoreId(@JsonValue String value) {

    public static final String PREFIX = "st_";

    @JsonCreator
    public StoreId {
        Ids.require(value, PREFIX);
    }

    public static StoreId generate() {
        return new StoreId(Ids.random(PREFIX));
    }

    @Override
    public String toString() {
        return value;
    }
}

package ledger.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** One ledger event; the same id is the webhook id on every delivery attempt ({@code evt_…}). */
public record EventId(@JsonValue String value) {

    public static final String PREFIX = "evt_";

    @JsonCreator
    public EventId {
        Ids.require(value, PREFIX);
    }

    public static EventId generate() {
        return new EventId(Ids.random(PREFIX));
    }

    @Override
    public String toString() {
        return value;
    }
}

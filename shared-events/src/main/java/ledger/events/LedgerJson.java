package ledger.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON dialect of the ledger: snake_case, RFC 3339 timestamps, decimals as plain strings,
 * numbers read as {@link java.math.BigDecimal} (never double). Consumers ignore unknown properties so
 * a producer may add fields before every consumer knows them.
 */
public final class LedgerJson {

    private static final JsonFactory FACTORY = new JsonFactory();

    private LedgerJson() {
    }

    /** What a ledger event's JSON says it is: its {@code type} and {@code event_id}. */
    public record Envelope(String type, String eventId) {
    }

    /**
     * The envelope of a ledger event's JSON, read without binding the rest of it (both fields come first):
     * for code that passes the JSON on as it is, such as the relay's record headers.
     */
    public static Envelope envelope(byte[] json) {
        try (JsonParser parser = FACTORY.createParser(json)) {
            String type = null;
            String eventId = null;
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("a ledger event is a JSON object");
            }
            while ((type == null || eventId == null) && parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                switch (field) {
                    case "type" -> type = parser.getValueAsString();
                    case "event_id" -> eventId = parser.getValueAsString();
                    default -> parser.skipChildren();
                }
            }
            if (type == null || eventId == null) {
                throw new IllegalArgumentException("a ledger event names its type and event_id");
            }
            return new Envelope(type, eventId);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable ledger event", e);
        }
    }

    public static JsonMapper.Builder configure(JsonMapper.Builder builder) {
        return builder
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .addModule(new JavaTimeModule())
                .addModule(InstantText.module())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .serializationInclusion(JsonInclude.Include.ALWAYS);
    }

    /** A new mapper configured for ledger events. */
    public static ObjectMapper mapper() {
        return configure(JsonMapper.builder()).build();
    }
}

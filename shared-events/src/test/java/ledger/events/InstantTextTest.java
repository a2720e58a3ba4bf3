package ledger.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** {@link InstantText} writes and reads exactly what {@code java.time} does, only faster. */
class InstantTextTest {

    private static final ObjectMapper JSON = LedgerJson.mapper();

    @Property(tries = 5_000)
    void writesWhatInstantToStringWrites(@ForAll("instants") Instant instant) {
        assertThat(InstantText.format(instant)).isEqualTo(instant.toString());
    }

    @Property(tries = 5_000)
    void readsBackWhatItWrote(@ForAll("instants") Instant instant) {
        assertThat(InstantText.parseUtc(instant.toString())).isEqualTo(instant);
    }

    /** One to nine digits of fraction, as Instant.parse takes them, not only the groups of three it writes. */
    @Property(tries = 2_000)
    void readsAnyNumberOfFractionDigits(@ForAll @LongRange(min = 0, max = 253_402_300_799L) long second,
                                        @ForAll @IntRange(min = 1, max = 9) int digits,
                                        @ForAll @IntRange(min = 0, max = 999_999_999) int fraction) {
        String text = Instant.ofEpochSecond(second).toString().replace("Z", "")
                + "." + String.format("%09d", fraction).substring(0, digits) + "Z";

        assertThat(InstantText.parseUtc(text)).isEqualTo(Instant.parse(text));
    }

    @Example
    void leavesEveryOtherShapeToJavaTime() {
        for (String other : new String[] {"2026-11-21T10:15:30+01:00", "2026-11-21t10:15:30z", "2026-11-21T10:15Z",
                "2026-02-30T10:15:30Z", "2026-11-21T24:00:00Z", "2016-12-31T23:59:60Z", "2026-11-21T10:15:30.Z",
                "2026-11-21T10:15:30.1234567890Z", "+12026-11-21T10:15:30Z", "2026-11-21T10:1a:30Z", "",
                " 2026-11-21T10:15:30Z"}) {
            assertThat(InstantText.parseUtc(other)).as(other).isNull();
        }
        assertThat(InstantText.format(Instant.parse("+12026-01-01T00:00:00Z"))).isEqualTo("+12026-01-01T00:00:00Z");
        assertThat(InstantText.format(Instant.parse("1969-12-31T23:59:59.5Z"))).isEqualTo("1969-12-31T23:59:59.500Z");
    }

    /** The ledger's JSON reads the other shapes as before: through Jackson's own deserializer. */
    @Example
    void theLedgersJsonStillReadsTheOtherShapesAsJacksonDid() throws Exception {
        assertThat(JSON.readValue("\"2026-11-21T11:15:30+01:00\"", Instant.class))
                .isEqualTo(Instant.parse("2026-11-21T10:15:30Z"));
        assertThat(JSON.readValue("\"2026-11-21T10:15:30.5Z\"", Instant.class))
                .isEqualTo(Instant.parse("2026-11-21T10:15:30.500Z"));
        assertThat(JSON.readValue("null", Instant.class)).isNull();
        assertThatThrownBy(() -> JSON.readValue("\"2026-02-30T10:15:30Z\"", Instant.class))
                .hasMessageContaining("Instant");
        assertThat(JSON.writeValueAsString(Instant.parse("2026-11-21T10:15:30.120Z")))
                .isEqualTo("\"2026-11-21T10:15:30.120Z\"");
    }

    /** The ledger's JSON goes through the fast path, not only code that calls it by name. */
    @Example
    void theLedgersJsonReadsAndWritesInstantsWithIt() throws Exception {
        assertThat(JSON.getRegisteredModuleIds()).contains(InstantText.module().getTypeId());
        assertThat(JSON.getSerializerProviderInstance().findValueSerializer(Instant.class).getClass().getEnclosingClass())
                .isEqualTo(InstantText.class);
    }

    @Provide
    Arbitrary<Instant> instants() {
        Arbitrary<Long> seconds = Arbitraries.longs().between(0, 253_402_300_799L)
                .edgeCases(edges -> edges.includeOnly(0L, 951_782_400L, 253_402_300_799L));
        Arbitrary<Integer> nanos = Arbitraries.oneOf(Arbitraries.just(0),
                Arbitraries.integers().between(0, 999).map(ms -> ms * 1_000_000),
                Arbitraries.integers().between(0, 999_999).map(us -> us * 1_000),
                Arbitraries.integers().between(0, 999_999_999));
        return seconds.flatMap(s -> nanos.map(n -> Instant.ofEpochSecond(s, n)));
    }
}

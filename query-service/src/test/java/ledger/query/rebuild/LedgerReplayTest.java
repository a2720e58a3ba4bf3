package ledger.query.rebuild;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LedgerReplayTest {

    @Test
    void aRowInCopyBinaryFormatIsItsFieldCountThenEachValuesLengthAndBytesWithMinusOneForNull() {
        var rows = new LedgerReplay.CopyRows(1);
        rows.append(new Object[] {"ü\t\\N", null, "{\"k\":\"\\n\"}".getBytes(StandardCharsets.UTF_8), true, false,
            -2L});

        ByteBuffer expected = ByteBuffer.allocate(64).putShort((short) 6);
        byte[] text = "ü\t\\N".getBytes(StandardCharsets.UTF_8);
        expected.putInt(text.length).put(text).putInt(-1);
        byte[] json = "{\"k\":\"\\n\"}".getBytes(StandardCharsets.UTF_8);
        expected.putInt(json.length).put(json);
        expected.putInt(1).put((byte) 1).putInt(1).put((byte) 0).putInt(8).putLong(-2L);
        assertThat(rows.bytes()).isEqualTo(Arrays.copyOf(expected.array(), expected.position()));
    }

    @Test
    void aNumericIsItsBase10000DigitsWithoutLeadingOrTrailingZeroGroupsItsWeightSignAndScale() {
        int[] zero = numeric("0.00"); // no digits, so its weight means nothing (pgjdbc writes -1)
        assertThat(new int[] {zero[0], zero[2], zero[3]}).containsExactly(0, 0, 2);
        assertThat(zero).hasSize(4);
        assertThat(numeric("1234.5")).containsExactly(2, 0, 0, 1, 1234, 5000);
        assertThat(numeric("12345.67")).containsExactly(3, 1, 0, 2, 1, 2345, 6700);
        assertThat(numeric("-0.0001")).containsExactly(1, -1, 0x4000, 4, 1);
        assertThat(numeric("100000000.0000")).containsExactly(1, 2, 0, 4, 1);
        assertThat(numeric("1E+3")).containsExactly(1, 0, 0, 0, 1000);
    }

    @Test
    void aTimestampIsMicrosecondsSince2000RoundedAsPostgresReadsItsText() {
        assertThat(LedgerReplay.CopyRows.microsSincePostgresEpoch(Instant.parse("2000-01-01T00:00:00Z"))).isZero();
        assertThat(LedgerReplay.CopyRows.microsSincePostgresEpoch(Instant.parse("2000-01-01T00:00:01.000002Z")))
                .isEqualTo(1_000_002);
        assertThat(LedgerReplay.CopyRows.microsSincePostgresEpoch(Instant.parse("1999-12-31T23:59:59.5Z")))
                .isEqualTo(-500_000);
        assertThat(LedgerReplay.CopyRows.microsSincePostgresEpoch(Instant.parse("2000-01-01T00:00:00.0000014Z")))
                .isEqualTo(1);
        assertThat(LedgerReplay.CopyRows.microsSincePostgresEpoch(Instant.parse("2000-01-01T00:00:00.9999996Z")))
                .isEqualTo(1_000_000);
    }

    /** The numeric field's 16-bit words after its length: digit count, weight, sign, scale, digits. */
    private static int[] numeric(String value) {
        var rows = new LedgerReplay.CopyRows(1);
        rows.append(new Object[] {new BigDecimal(value)});
        ByteBuffer bytes = ByteBuffer.wrap(rows.bytes());
        bytes.getShort(); // field count
        int[] words = new int[bytes.getInt() / 2];
        for (int i = 0; i < words.length; i++) {
            words[i] = bytes.getShort();
        }
        return words;
    }
}

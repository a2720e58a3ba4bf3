package ledger.query.rebuild;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LedgerReplayTest {

    @Test
    void aRowInCopyTextFormatEscapesWhatWouldEndAFieldOrALineAndMarksNullWhetherTextOrUtf8() {
        var rows = new LedgerReplay.CopyRows(1);
        rows.append(new String[] {"in_1", null, "a\tb", "c\nd\re", "{\"k\":\"\\\"\"}", "\\N", ""});
        rows.append(new Object[] {"in_2", "ü😀", "{\"k\":\"\\\\\"}".getBytes(StandardCharsets.UTF_8)});

        assertThat(new String(rows.bytes(), StandardCharsets.UTF_8)).isEqualTo(
                "in_1\t\\N\ta\\tb\tc\\nd\\re\t{\"k\":\"\\\\\"\"}\t\\\\N\t\n"
                        + "in_2\tü😀\t{\"k\":\"\\\\\\\\\"}\n");
    }
}

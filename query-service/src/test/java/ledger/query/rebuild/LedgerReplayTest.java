package ledger.query.rebuild;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LedgerReplayTest {

    @Test
    void aRowInCopyTextFormatEscapesWhatWouldEndAFieldOrALineAndMarksNull() {
        var out = new StringBuilder();
        LedgerReplay.appendRow(out, new String[] {"in_1", null, "a\tb", "c\nd\re", "{\"k\":\"\\\"\"}", "\\N", ""});
        LedgerReplay.appendRow(out, new String[] {"in_2", "ü😀"});

        assertThat(out).hasToString("in_1\t\\N\ta\\tb\tc\\nd\\re\t{\"k\":\"\\\\\"\"}\t\\\\N\t\n"
                + "in_2\tü😀\n");
    }
}

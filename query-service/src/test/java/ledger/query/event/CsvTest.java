package ledger.query.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class CsvTest {

    @Test
    void quotesOnlyWhatNeedsItAndDoublesQuotes() throws Exception {
        var out = new StringWriter();
        Csv.row(out, "plain", "a,b", "say \"hi\"", "two\nlines", "cr\rhere", null, "");
        assertThat(out.toString()).isEqualTo("plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\rhere\",,\r\n");
    }
}

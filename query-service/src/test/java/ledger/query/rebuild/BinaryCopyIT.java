package ledger.query.rebuild;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import ledger.events.InstantText;
import ledger.query.QueryIntegrationTest;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The rebuild's binary rows against real PostgreSQL: each value, copied in binary, equals the same value sent as
 * the live upsert sends it, as text cast by PostgreSQL (so a rebuilt row equals the live one).
 */
class BinaryCopyIT extends QueryIntegrationTest {

    @Test
    void everyValueCopiedInBinaryEqualsItsTextCastByPostgres() throws Exception {
        List<BigDecimal> amounts = List.of(new BigDecimal("0.00"), new BigDecimal("0"), new BigDecimal("1234.5"),
                new BigDecimal("12345.67"), new BigDecimal("-0.0001"), new BigDecimal("100000000.0000"),
                new BigDecimal("999999999999999.9999"), new BigDecimal("0.10"), new BigDecimal("1E+3"),
                new BigDecimal("10000"), new BigDecimal("0.00015"));
        List<Instant> instants = List.of(Instant.parse("2000-01-01T00:00:00Z"),
                Instant.parse("1999-12-31T23:59:59.5Z"), Instant.parse("2026-12-07T13:05:01.123456Z"),
                Instant.parse("2026-12-07T13:05:01.1234565Z"), Instant.parse("2026-12-07T13:05:01.1234575Z"),
                Instant.parse("2026-12-07T13:05:01.999999999Z"), Instant.parse("1970-01-01T00:00:00.000001Z"));
        var rows = new LedgerReplay.CopyRows(16);
        int n = Math.max(amounts.size(), instants.size());
        for (int i = 0; i < n; i++) {
            rows.append(new Object[] {(long) i, amounts.get(i % amounts.size()), instants.get(i % instants.size()),
                i % 2 == 0, (long) i - 3, "{\"a\":\"ü\\t\"}".getBytes(StandardCharsets.UTF_8),
                "USD", i % 3 == 0 ? null : "ord\t\\" + i});
        }
        try (Connection connection = jdbc.getDataSource().getConnection()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE TEMP TABLE copied (i bigint, n numeric(19,4), t timestamptz, b boolean,"
                        + " v bigint, j json, c char(3), s varchar(64)) ON COMMIT DROP");
            }
            CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn("COPY copied FROM STDIN WITH (FORMAT binary)");
            copy.writeToCopy(LedgerReplay.CopyRows.HEADER, 0, LedgerReplay.CopyRows.HEADER.length);
            byte[] data = rows.bytes();
            copy.writeToCopy(data, 0, data.length);
            copy.writeToCopy(LedgerReplay.CopyRows.TRAILER, 0, LedgerReplay.CopyRows.TRAILER.length);
            assertThat(copy.endCopy()).isEqualTo(n);
            for (int i = 0; i < n; i++) {
                try (var select = connection.prepareStatement("""
                        SELECT n::text = (?::numeric(19,4))::text, t = ?::timestamptz, b = ?::boolean, v = ?::bigint,
                               j::text = ?, c = ?, s IS NOT DISTINCT FROM ?
                        FROM copied WHERE i = ?""")) {
                    select.setString(1, amounts.get(i % amounts.size()).toPlainString());
                    select.setString(2, InstantText.format(instants.get(i % instants.size())));
                    select.setString(3, Boolean.toString(i % 2 == 0));
                    select.setString(4, Long.toString(i - 3L));
                    select.setString(5, "{\"a\":\"ü\\t\"}");
                    select.setString(6, "USD");
                    select.setString(7, i % 3 == 0 ? null : "ord\t\\" + i);
                    select.setLong(8, i);
                    try (var rs = select.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        for (int c = 1; c <= 7; c++) {
                            assertThat(rs.getBoolean(c)).as("row %d column %d", i, c).isTrue();
                        }
                    }
                }
            }
            connection.rollback();
        }
    }
}

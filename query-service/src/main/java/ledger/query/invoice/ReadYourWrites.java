package ledger.query.invoice;

import ledger.query.QueryProperties;
import ledger.support.auth.ApiPrincipal;
import ledger.support.web.ApiException;
import org.springframework.http.HttpHeaders;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The {@code Ledger-Version} request header of invoice reads: wait until the invoice's projection
 * has reached that version, at most {@code ledger.query.read-your-writes-timeout}; past that the read
 * answers with what it has and {@code Ledger-Stale: true}. The version is looked up within the
 * caller's store and mode, so another ledger's invoice behaves exactly like a missing one.
 */
@Component
public class ReadYourWrites {

    public static final String VERSION_HEADER = "Ledger-Version";
    public static final String STALE_HEADER = "Ledger-Stale";

    private final JdbcTemplate jdbc;
    private final VersionWaiter waiter;
    private final QueryProperties properties;

    ReadYourWrites(JdbcTemplate jdbc, VersionWaiter waiter, QueryProperties properties) {
        this.jdbc = jdbc;
        this.waiter = waiter;
        this.properties = properties;
    }

    /**
     * Waits for {@code header} (the raw {@code Ledger-Version}; null means no wait) and adds
     * {@code Ledger-Stale: true} to {@code response} if it was not reached in time.
     */
    public void await(String invoiceId, ApiPrincipal ledger, String header, HttpHeaders response) {
        if (header == null) {
            return;
        }
        long version = parse(header);
        boolean reached;
        try {
            reached = waiter.await(version, properties.readYourWritesTimeout(), () -> {
                Long v = jdbc.query("SELECT version FROM invoice WHERE id = ? AND store_id = ? AND livemode = ?",
                        rs -> rs.next() ? rs.getLong(1) : null, invoiceId, ledger.storeId().value(), ledger.livemode());
                return v == null ? -1 : v;
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reached = false;
        }
        if (!reached) {
            response.set(STALE_HEADER, "true");
        }
    }

    private static long parse(String header) {
        try {
            long version = Long.parseLong(header.trim());
            if (version >= 1) {
                return version;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the 400
        }
        throw ApiException.invalid(VERSION_HEADER, VERSION_HEADER + " must be a positive integer (an invoice version)");
    }
}

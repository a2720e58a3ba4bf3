package ledger.support.auth;

import java.util.List;

/** The permission scopes an API key can carry (§4.1). */
public final class Scopes {

    public static final String INVOICES_READ = "invoices:read";
    public static final String INVOICES_WRITE = "invoices:write";
    public static final String PAYMENTS_WRITE = "payments:write";
    public static final String EVENTS_READ = "events:read";
    public static final String WEBHOOKS_READ = "webhooks:read";
    public static final String WEBHOOKS_WRITE = "webhooks:write";
    public static final String REPORTS_READ = "reports:read";

    public static final List<String> ALL = List.of(INVOICES_READ, INVOICES_WRITE, PAYMENTS_WRITE, EVENTS_READ,
            WEBHOOKS_READ, WEBHOOKS_WRITE, REPORTS_READ);

    private Scopes() {
    }
}

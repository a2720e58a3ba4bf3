package ledger.local;

import java.util.List;

/**
 * Makes sure a demo store and a test-mode key with every scope exist, remembering both in
 * local.properties so that a restart shows the same ones.
 */
final class DemoStore {

    static final String NAME = "Demo store";
    static final List<String> ALL_SCOPES = List.of(
            "invoices:read", "invoices:write", "payments:write", "events:read",
            "webhooks:read", "webhooks:write", "reports:read");
    static final String MODE = "test";

    private DemoStore() {
    }

    /** @param fixedKey {@code LEDGER_DEMO_API_KEY}, or null to reuse the remembered key or get a new one */
    static LocalLedger.Demo ensure(AdminApi api, LocalProperties properties, String fixedKey) {
        String storeId = properties.get(LocalProperties.DEMO_STORE_ID).orElse(null);
        if (storeId == null) {
            storeId = createStore(api, properties);
        }
        String key = fixedKey != null ? fixedKey : properties.get(LocalProperties.DEMO_API_KEY).orElse(null);
        AdminApi.ApiKey registered;
        try {
            // Registering the same key again is idempotent (200), so a restart simply repeats it.
            registered = api.registerKey(storeId, ALL_SCOPES, MODE, key);
        } catch (AdminApi.AdminApiException e) {
            if (e.status() == 404) {
                // The database was reset but local.properties was not: the store is gone.
                storeId = createStore(api, properties);
                registered = api.registerKey(storeId, ALL_SCOPES, MODE, key);
            } else if (fixedKey == null && key != null && e.status() >= 400 && e.status() < 500) {
                // The remembered key is no longer acceptable (revoked, say): get a fresh one.
                registered = api.registerKey(storeId, ALL_SCOPES, MODE, null);
            } else {
                throw e;
            }
        }
        properties.put(LocalProperties.DEMO_API_KEY, registered.key()).save();
        return new LocalLedger.Demo(storeId, registered.key());
    }

    private static String createStore(AdminApi api, LocalProperties properties) {
        String storeId = api.createStore(NAME);
        // Saved at once: a failure registering the key must not create a second store next time.
        properties.put(LocalProperties.DEMO_STORE_ID, storeId).save();
        return storeId;
    }
}

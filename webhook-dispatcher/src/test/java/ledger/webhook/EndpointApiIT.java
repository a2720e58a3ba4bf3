package ledger.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import ledger.support.auth.Scopes;
import org.junit.jupiter.api.Test;

/** The §6 endpoint management API: shapes, validation, scopes, store isolation and cursor lists. */
class EndpointApiIT extends WebhookIT {

    @Test
    void createsAnEndpointAndShowsItsSecretOnlyOnce() throws Exception {
        var store = newStore();
        var created = api().post("/v1/webhook_endpoints", store.key(),
                "{\"url\":\"https://example.com/hooks\",\"enabled_events\":[\"invoice.paid\",\"invoice.created\"],"
                        + "\"description\":\"Orders\"}");
        assertThat(created.status()).isEqualTo(201);
        var body = created.json();
        String id = body.get("id").asText();
        assertThat(id).matches("we_[A-Za-z0-9]{24}");
        assertThat(created.header("Location")).contains("/v1/webhook_endpoints/" + id);
        assertThat(body.get("object").asText()).isEqualTo("webhook_endpoint");
        assertThat(body.get("url").asText()).isEqualTo("https://example.com/hooks");
        assertThat(body.get("enabled_events")).extracting(n -> n.asText())
                .containsExactly("invoice.paid", "invoice.created");
        assertThat(body.get("description").asText()).isEqualTo("Orders");
        assertThat(body.get("disabled").asBoolean()).isFalse();
        assertThat(body.get("livemode").asBoolean()).isFalse();
        assertThat(Instant.parse(body.get("created_at").asText())).isBefore(Instant.now().plusSeconds(1));
        String secret = body.get("secret").asText();
        assertThat(secret).startsWith("whsec_");
        assertThat(Base64.getDecoder().decode(secret.substring("whsec_".length())).length).isGreaterThanOrEqualTo(24);

        var fetched = api().get("/v1/webhook_endpoints/" + id, store.key());
        assertThat(fetched.status()).isEqualTo(200);
        assertThat(fetched.json().has("secret")).isFalse();
        assertThat(fetched.json().get("url").asText()).isEqualTo("https://example.com/hooks");

        var defaults = api().post("/v1/webhook_endpoints", store.key(), "{\"url\":\"https://example.com/all\"}");
        assertThat(defaults.status()).isEqualTo(201);
        assertThat(defaults.json().get("enabled_events").get(0).asText()).isEqualTo("*");
    }

    @Test
    void updatesDisablesEnablesAndDeletes() throws Exception {
        var store = newStore();
        String id = createEndpoint(store, "https://example.com/a", "[\"*\"]").get("id").asText();
        String path = "/v1/webhook_endpoints/" + id;

        var updated = api().send("PATCH", path, store.key(),
                "{\"url\":\"https://example.org/b\",\"enabled_events\":[\"invoice.expired\"],\"description\":\"B\"}");
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json().get("url").asText()).isEqualTo("https://example.org/b");
        assertThat(updated.json().get("enabled_events").get(0).asText()).isEqualTo("invoice.expired");
        assertThat(updated.json().get("description").asText()).isEqualTo("B");
        assertThat(updated.json().has("secret")).isFalse();

        var disabled = api().send("PATCH", path, store.key(), "{\"disabled\":true}");
        assertThat(disabled.json().get("disabled").asBoolean()).isTrue();
        assertThat(disabled.json().get("disabled_reason").asText()).isEqualTo("merchant");
        assertThat(disabled.json().get("url").asText()).isEqualTo("https://example.org/b");
        var enabled = api().send("PATCH", path, store.key(), "{\"disabled\":false}");
        assertThat(enabled.json().get("disabled").asBoolean()).isFalse();

        var deleted = api().send("DELETE", path, store.key(), null);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("deleted").asBoolean()).isTrue();
        assertThat(deleted.json().get("id").asText()).isEqualTo(id);
        assertThat(api().get(path, store.key()).status()).isEqualTo(404);
        assertThat(api().send("DELETE", path, store.key(), null).status()).isEqualTo(404);
    }

    @Test
    void anotherStoresEndpointIsIndistinguishableFromAMissingOne() throws Exception {
        var owner = newStore();
        var stranger = newStore();
        String path = "/v1/webhook_endpoints/" + createEndpoint(owner, "https://example.com/x", "[\"*\"]").get("id").asText();
        for (var response : List.of(
                api().get(path, stranger.key()),
                api().send("PATCH", path, stranger.key(), "{\"description\":\"mine\"}"),
                api().send("DELETE", path, stranger.key(), null),
                api().post(path + "/rotate_secret", stranger.key(), null),
                api().get(path + "/deliveries", stranger.key()),
                api().post(path + "/recover", stranger.key(), "{\"since\":\"2026-01-01T00:00:00Z\"}"),
                api().get("/v1/webhook_endpoints/we_doesNotExist", stranger.key()))) {
            assertThat(response.status()).isEqualTo(404);
            assertThat(response.json().get("code").asText()).isEqualTo("resource_missing");
        }
        assertThat(api().get("/v1/webhook_endpoints", stranger.key()).json().get("data")).isEmpty();
        assertThat(api().get(path, owner.key()).json().get("description").isNull()).isTrue();
    }

    @Test
    void requiresTheWebhookScopes() throws Exception {
        var store = newStore();
        String readOnly = keyFor(store.id(), Scopes.WEBHOOKS_READ);
        String invoicesOnly = keyFor(store.id(), Scopes.INVOICES_READ);
        var denied = api().post("/v1/webhook_endpoints", readOnly, "{\"url\":\"https://example.com/x\"}");
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.json().get("code").asText()).isEqualTo("insufficient_scope");
        assertThat(api().get("/v1/webhook_endpoints", readOnly).status()).isEqualTo(200);
        assertThat(api().get("/v1/webhook_endpoints", invoicesOnly).status()).isEqualTo(403);
        assertThat(api().get("/v1/webhook_endpoints", null).status()).isEqualTo(401);
    }

    @Test
    void rejectsInvalidInputWithMachineCodes() throws Exception {
        var store = newStore();
        assertError(api().post("/v1/webhook_endpoints", store.key(),
                "{\"url\":\"https://example.com/x\",\"enabled_events\":[\"invoice.disputed\"]}"),
                "unknown_event_type", "enabled_events");
        assertError(api().post("/v1/webhook_endpoints", store.key(),
                "{\"url\":\"https://example.com/x\",\"enabled_events\":[]}"), "parameter_invalid", "enabled_events");
        assertError(api().post("/v1/webhook_endpoints", store.key(),
                "{\"url\":\"https://example.com/x\",\"enabled_events\":\"*\"}"), "parameter_invalid", "enabled_events");
        assertError(api().post("/v1/webhook_endpoints", store.key(), "{\"url\":\"ftp://example.com/x\"}"),
                "url_invalid", "url");
        assertError(api().post("/v1/webhook_endpoints", store.key(), "{\"url\":\"not a url\"}"), "url_invalid", "url");
        assertError(api().post("/v1/webhook_endpoints", store.key(), "{\"url\":42}"), "parameter_invalid", "url");
        assertError(api().post("/v1/webhook_endpoints", store.key(), "{}"), "parameter_missing", "url");
        assertError(api().post("/v1/webhook_endpoints", store.key(),
                "{\"url\":\"https://example.com/x\",\"secret\":\"whsec_mine\"}"), "parameter_unknown", "secret");
        assertError(api().post("/v1/webhook_endpoints", store.key(),
                "{\"url\":\"https://example.com/x\",\"description\":\"" + "d".repeat(256) + "\"}"),
                "parameter_invalid", "description");
        // Limits count characters (§4.1): 255 emoji are 510 UTF-16 units and still fit.
        var emoji = api().post("/v1/webhook_endpoints", store.key(),
                "{\"url\":\"https://example.com/x\",\"description\":\"" + "🙂".repeat(255) + "\"}");
        assertThat(emoji.status()).as(emoji.raw()).isEqualTo(201);
        api().send("DELETE", "/v1/webhook_endpoints/" + emoji.json().get("id").asText(), store.key(), null);
        assertThat(api().post("/v1/webhook_endpoints", store.key(), "{\"url\":").json().get("code").asText())
                .isEqualTo("invalid_json");
        String id = createEndpoint(store, "https://example.com/x", "[\"*\"]").get("id").asText();
        assertError(api().send("PATCH", "/v1/webhook_endpoints/" + id, store.key(), "{\"url\":\"gopher://x\"}"),
                "url_invalid", "url");
        assertError(api().post("/v1/webhook_endpoints/" + id + "/recover", store.key(), "{}"), "parameter_missing", "since");
        // Only RFC 3339 text: nothing is read as epoch seconds (that requeued everything since 1970).
        for (String since : List.of("\"yesterday\"", "1", "\"1\"", "1.5", "\"1796438077\"", "[2026,1,1]", "true",
                "{\"seconds\":1}", "\"2026-01-01\"", "\"2026-01-01T00:00:00\"")) {
            assertError(api().post("/v1/webhook_endpoints/" + id + "/recover", store.key(),
                    "{\"since\":" + since + "}"), "parameter_invalid", "since");
        }
        assertThat(api().post("/v1/webhook_endpoints/" + id + "/recover", store.key(),
                "{\"since\":\"2026-01-01T02:00:00.5+02:00\"}").json().get("since").asText())
                .isEqualTo("2026-01-01T00:00:00.500Z");
        assertError(api().get("/v1/webhook_endpoints?limit=0", store.key()), "parameter_invalid", "limit");
        assertError(api().get("/v1/webhook_endpoints?starting_after=we_unknown", store.key()), "parameter_invalid",
                "starting_after");
    }

    @Test
    void listsNewestFirstWithCursors() throws Exception {
        var store = newStore();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(createEndpoint(store, "https://example.com/" + i, "[\"*\"]").get("id").asText());
        }
        var first = api().get("/v1/webhook_endpoints?limit=2", store.key()).json();
        assertThat(first.get("object").asText()).isEqualTo("list");
        assertThat(first.get("has_more").asBoolean()).isTrue();
        assertThat(first.get("data")).extracting(n -> n.get("id").asText()).containsExactly(ids.get(4), ids.get(3));
        assertThat(first.get("data").get(0).has("secret")).isFalse();

        var second = api().get("/v1/webhook_endpoints?limit=2&starting_after=" + ids.get(3), store.key()).json();
        assertThat(second.get("data")).extracting(n -> n.get("id").asText()).containsExactly(ids.get(2), ids.get(1));
        assertThat(second.get("has_more").asBoolean()).isTrue();
        var last = api().get("/v1/webhook_endpoints?limit=2&starting_after=" + ids.get(1), store.key()).json();
        assertThat(last.get("data")).extracting(n -> n.get("id").asText()).containsExactly(ids.get(0));
        assertThat(last.get("has_more").asBoolean()).isFalse();

        var back = api().get("/v1/webhook_endpoints?limit=2&ending_before=" + ids.get(1), store.key()).json();
        assertThat(back.get("data")).extracting(n -> n.get("id").asText()).containsExactly(ids.get(3), ids.get(2));
        assertThat(back.get("has_more").asBoolean()).isTrue();
    }

    private static void assertError(ledger.testsupport.ApiClient.Response response, String code, String param) {
        assertThat(response.status()).as(response.raw()).isEqualTo(400);
        assertThat(response.json().get("code").asText()).as(response.raw()).isEqualTo(code);
        assertThat(response.json().get("param").asText()).as(response.raw()).isEqualTo(param);
        assertThat(response.header("X-Request-Id")).isPresent();
    }
}

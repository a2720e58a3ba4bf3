package ledger.local;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against {@link FakeAdminApi} on a loopback port: the contract, not the real command-service. */
class DemoStoreTest {

    @TempDir
    Path dir;
    private HttpServer server;
    private FakeAdminApi admin;
    private URI baseUrl;

    @BeforeEach
    void startStub() throws Exception {
        admin = new FakeAdminApi("adm_t", dir.resolve("admin-state.properties"));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/admin/", admin);
        server.start();
        baseUrl = URI.create("http://localhost:" + server.getAddress().getPort());
    }

    @AfterEach
    void stopStub() {
        server.stop(0);
    }

    private AdminApi api(String token) {
        return new AdminApi(HttpClient.newHttpClient(), baseUrl, token);
    }

    private LocalProperties properties() {
        return LocalProperties.load(dir.resolve("local.properties"));
    }

    @Test
    void theFirstRunCreatesTheStoreAndAKeyWithEveryScopeAndRemembersBoth() {
        LocalLedger.Demo demo = DemoStore.ensure(api("adm_t"), properties(), null);

        assertThat(demo.storeId()).startsWith("st_");
        assertThat(demo.apiKey()).startsWith("sk_test_");
        assertThat(properties().get(LocalProperties.DEMO_STORE_ID)).contains(demo.storeId());
        assertThat(properties().get(LocalProperties.DEMO_API_KEY)).contains(demo.apiKey());
        assertThat(admin.requests).hasSize(2);
        assertThat(admin.requests.get(0)).isEqualTo("POST /admin/v1/stores {\"name\":\"Demo store\"}");
        assertThat(admin.requests.get(1)).isEqualTo("POST /admin/v1/stores/" + demo.storeId() + "/api_keys "
                + "{\"scopes\":[\"invoices:read\",\"invoices:write\",\"payments:write\",\"events:read\","
                + "\"webhooks:read\",\"webhooks:write\",\"reports:read\"],\"mode\":\"test\"}");
    }

    @Test
    void aRestartRegistersTheRememberedKeyAgainInsteadOfCreatingAnything() {
        LocalLedger.Demo first = DemoStore.ensure(api("adm_t"), properties(), null);

        LocalLedger.Demo second = DemoStore.ensure(api("adm_t"), properties(), null);

        assertThat(second).isEqualTo(first);
        assertThat(admin.storeCount()).isEqualTo(1);
        assertThat(admin.requests.get(2)).contains("\"key\":\"" + first.apiKey() + "\"");
    }

    @Test
    void aFixedKeyIsRegisteredOnTheRememberedStore() {
        LocalLedger.Demo first = DemoStore.ensure(api("adm_t"), properties(), null);

        LocalLedger.Demo fixed = DemoStore.ensure(api("adm_t"), properties(), "sk_test_fixed");

        assertThat(fixed).isEqualTo(new LocalLedger.Demo(first.storeId(), "sk_test_fixed"));
        assertThat(properties().get(LocalProperties.DEMO_API_KEY)).contains("sk_test_fixed");
    }

    @Test
    void aStoreThatNoLongerExistsIsCreatedAgain() throws Exception {
        LocalLedger.Demo first = DemoStore.ensure(api("adm_t"), properties(), "sk_test_fixed");
        admin.reset();

        LocalLedger.Demo second = DemoStore.ensure(api("adm_t"), properties(), "sk_test_fixed");

        assertThat(second.storeId()).isNotEqualTo(first.storeId());
        assertThat(second.apiKey()).isEqualTo("sk_test_fixed");
        assertThat(properties().get(LocalProperties.DEMO_STORE_ID)).contains(second.storeId());
    }

    @Test
    void aRememberedKeyTheApiRejectsIsReplacedByANewOne() {
        LocalLedger.Demo first = DemoStore.ensure(api("adm_t"), properties(), null);
        // Another store owns the remembered key now: the fake answers 409.
        String otherStore = api("adm_t").createStore("other");
        properties().put(LocalProperties.DEMO_STORE_ID, otherStore).save();

        LocalLedger.Demo second = DemoStore.ensure(api("adm_t"), properties(), null);

        assertThat(second.storeId()).isEqualTo(otherStore);
        assertThat(second.apiKey()).startsWith("sk_test_").isNotEqualTo(first.apiKey());
    }

    @Test
    void aWrongAdminTokenFailsWithTheStatusAndNeverTheKey() {
        assertThatThrownBy(() -> DemoStore.ensure(api("wrong"), properties(), "sk_test_secret"))
                .isInstanceOf(AdminApi.AdminApiException.class)
                .hasMessageContaining("401")
                .hasMessageNotContaining("sk_test_secret");
    }
}

package ledger.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Which admin token {@code ./ledger replay} sends to the stack of {@code ./ledger up}. */
class ClientAdminTokenTest {

    @TempDir
    Path repo;

    private LocalLedger.Config config(Map<String, String> env) {
        return LocalLedger.Config.fromEnvironment(repo, env);
    }

    private Path dataDir() throws Exception {
        return Files.createDirectories(config(Map.of()).dataDir());
    }

    private void remember(String token) throws Exception {
        LocalProperties.load(dataDir().resolve("local.properties")).put(LocalProperties.ADMIN_TOKEN, token).save();
    }

    @Test
    void theTokenOfTheRunningStackWinsOverTheRememberedOne() throws Exception {
        remember("adm_remembered");
        // Started as LEDGER_ADMIN_TOKEN=adm_started ./ledger up; replay runs in a shell without it.
        try (DataDirLock running = DataDirLock.tryAcquire(dataDir())) {
            LocalLedger.recordClientAdminToken(dataDir(), "adm_started");

            assertThat(LocalLedger.clientAdminToken(config(Map.of()))).contains("adm_started");
            assertThat(LocalLedger.clientAdminToken(config(Map.of("LEDGER_ADMIN_TOKEN", "adm_env")))).contains("adm_env");
        }
    }

    @Test
    void aKilledStacksTokenIsStaleAndTheRememberedOneIsUsed() throws Exception {
        remember("adm_remembered");
        LocalLedger.recordClientAdminToken(dataDir(), "adm_of_a_killed_run");

        assertThat(LocalLedger.clientAdminToken(config(Map.of()))).contains("adm_remembered");
    }

    @Test
    void withoutAnyTokenThereIsNone() throws Exception {
        assertThat(LocalLedger.clientAdminToken(config(Map.of()))).isEmpty();
        dataDir();
        assertThat(LocalLedger.clientAdminToken(config(Map.of()))).isEmpty();
        assertThat(LocalLedger.clientAdminToken(config(Map.of("LEDGER_ADMIN_TOKEN", "adm_env")))).contains("adm_env");
    }
}

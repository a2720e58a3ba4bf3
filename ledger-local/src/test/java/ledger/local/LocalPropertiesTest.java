package ledger.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class LocalPropertiesTest {

    @TempDir
    Path dir;

    @Test
    void aMissingFileIsEmpty() {
        LocalProperties properties = LocalProperties.load(dir.resolve("local.properties"));

        assertThat(properties.get(LocalProperties.DEMO_STORE_ID)).isEmpty();
        assertThat(dir.resolve("local.properties")).doesNotExist();
    }

    @Test
    void savedValuesAreThereAfterReloadingAndOnlyTheOwnerCanReadThem() throws Exception {
        Path file = dir.resolve("nested/local.properties");
        LocalProperties.load(file).put(LocalProperties.DEMO_STORE_ID, "st_1").put(LocalProperties.DEMO_API_KEY, "sk_test_x=y:z").save();

        LocalProperties reloaded = LocalProperties.load(file);

        assertThat(reloaded.get(LocalProperties.DEMO_STORE_ID)).contains("st_1");
        assertThat(reloaded.get(LocalProperties.DEMO_API_KEY)).contains("sk_test_x=y:z");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(file.resolveSibling("local.properties.tmp")).doesNotExist();
    }

    @Test
    void aGeneratedAdminTokenIsRememberedForTheNextRun() {
        Path file = dir.resolve("local.properties");

        String first = LocalProperties.load(file).adminToken(null);
        String second = LocalProperties.load(file).adminToken(" ");

        assertThat(first).startsWith("adm_").hasSizeGreaterThan(30);
        assertThat(second).isEqualTo(first);
    }

    @Test
    void aConfiguredAdminTokenWinsAndIsNotWrittenDown() {
        Path file = dir.resolve("local.properties");
        String generated = LocalProperties.load(file).adminToken(null);

        assertThat(LocalProperties.load(file).adminToken("from-env")).isEqualTo("from-env");
        assertThat(LocalProperties.load(file).get(LocalProperties.ADMIN_TOKEN)).contains(generated);
    }

    @Test
    void randomTokensDiffer() {
        assertThat(Secrets.randomToken()).isNotEqualTo(Secrets.randomToken()).hasSize(32);
        assertThat(Secrets.mask("sk_test_0123456789abcdefghij")).isEqualTo("sk_test_…");
    }
}

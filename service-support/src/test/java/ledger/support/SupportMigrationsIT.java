package ledger.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.Comparator;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A service's migrations and this module's (V1000 on) share one history: a database migrated by an earlier
 * release, support series included, takes the service's next migration on the next start.
 */
class SupportMigrationsIT {

    @Test
    void aServiceMigrationAddedAfterTheSupportSeriesWasAppliedIsAppliedOnTheNextStart() throws Exception {
        try (var postgres = EmbeddedPostgres.builder().start()) {
            DataSource dataSource = postgres.getPostgresDatabase();
            migrate(dataSource, "classpath:db/upgrade/before");

            migrate(dataSource, "classpath:db/upgrade/after");

            var jdbc = new JdbcTemplate(dataSource);
            List<String> applied = jdbc.queryForList(
                    "SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank", String.class);
            assertThat(applied).first().isEqualTo("1");
            assertThat(applied).last().isEqualTo("2");
            // Named by version range rather than listed, so that a new support migration doesn't change this test.
            assertThat(applied.subList(1, applied.size() - 1)).as("this module's series, between the two")
                    .isNotEmpty().allMatch(version -> Integer.parseInt(version) >= 1000)
                    .isSortedAccordingTo(Comparator.comparingInt(Integer::parseInt));
            assertThat(jdbc.queryForObject(
                    "SELECT count(*) FROM information_schema.columns WHERE column_name = 'added_later'", Integer.class))
                    .isEqualTo(1);
        }
    }

    /** As a service starts: its own migrations, with this module's customizer applied. */
    private static void migrate(DataSource dataSource, String serviceMigrations) {
        var configuration = Flyway.configure().dataSource(dataSource).locations(serviceMigrations);
        new LedgerSupportAutoConfiguration().supportMigrations().customize(configuration);
        configuration.load().migrate();
    }
}

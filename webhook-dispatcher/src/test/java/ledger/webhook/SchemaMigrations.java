package ledger.webhook;

import java.util.Properties;
import ledger.testsupport.LedgerInfrastructure;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The dispatcher's Flyway migrations on the shared PostgreSQL, in a schema of the test's own, without Spring. */
public final class SchemaMigrations {

    private SchemaMigrations() {
    }

    /** Migrates {@code schema} up to version {@code target} ("latest" for all) and returns a template on it. */
    public static JdbcTemplate migrate(String schema, String target) {
        var servers = LedgerInfrastructure.servers();
        var dataSource = new DriverManagerDataSource(servers.jdbcUrl(), servers.user(), servers.password());
        var properties = new Properties();
        properties.setProperty("currentSchema", schema);
        dataSource.setConnectionProperties(properties);
        Flyway.configure().dataSource(dataSource).schemas(schema).defaultSchema(schema).target(target).load()
                .migrate();
        return new JdbcTemplate(dataSource);
    }
}

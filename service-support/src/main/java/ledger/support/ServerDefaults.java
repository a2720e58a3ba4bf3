package ledger.support;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Settings every service shares, as defaults that a service's own configuration still overrides.
 * Tomcat's 8 KB header limit refused an over-long {@code Authorization} header with a bare 400 before
 * authentication ran; SPEC §4.1 makes any key that is not a known key a 401 {@code unauthenticated},
 * so headers up to 32 KB reach {@link ledger.support.auth.Authentication}. Beyond that the container
 * still refuses the request.
 *
 * <p>Each service's database connections carry its name ({@code ApplicationName}), so {@code pg_stat_activity}
 * and PostgreSQL's logs say which service a backend serves; the bench counts PostgreSQL's CPU by it.
 */
public final class ServerDefaults implements EnvironmentPostProcessor {

    static final String MAX_HEADER_SIZE = "32KB";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment.getPropertySources().addLast(new MapPropertySource("ledger-server-defaults",
                Map.of("server.max-http-request-header-size", MAX_HEADER_SIZE,
                        "spring.datasource.hikari.data-source-properties.ApplicationName", "${spring.application.name}")));
    }
}

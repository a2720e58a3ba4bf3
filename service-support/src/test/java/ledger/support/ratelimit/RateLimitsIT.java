package ledger.support.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Set;
import ledger.events.StoreId;
import ledger.support.auth.ApiPrincipal;
import ledger.support.web.ErrorResponses;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The per-key buckets on a real PostgreSQL. Each {@link RateLimits} built here is one instance of a service
 * (its own filter, its own clock reading); what they share is the database, as N instances behind the gateway do.
 */
class RateLimitsIT {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    static EmbeddedPostgres postgres;
    static JdbcTemplate jdbc;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        var dataSource = postgres.getPostgresDatabase();
        Flyway.configure().dataSource(dataSource).locations("classpath:db/support").load().migrate();
        jdbc = new JdbcTemplate(dataSource);
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    /** Writes: 1/s, burst 2. Reads: 1/s, burst 3. */
    static RateLimits instance(JdbcTemplate jdbc, Instant now) {
        return new RateLimits(new RateLimits.Limit(1, 2), new RateLimits.Limit(1, 3), jdbc,
                Clock.fixed(now, ZoneOffset.UTC), new ErrorResponses(new ObjectMapper()));
    }

    static RateLimits instance(Instant now) {
        return instance(jdbc, now);
    }

    static MockHttpServletResponse call(RateLimits limits, String method, String keyId) throws Exception {
        var request = new MockHttpServletRequest(method, "/v1/invoices");
        if (keyId != null) {
            request.setAttribute(ApiPrincipal.class.getName(),
                    new ApiPrincipal(new StoreId("st_a"), keyId, Set.of(), false));
        }
        var response = new MockHttpServletResponse();
        limits.doFilter(request, response, new MockFilterChain());
        return response;
    }

    @Test
    void writesBeyondTheBurstGet429WithRetryAfterAndACode() throws Exception {
        var limits = instance(T0);
        assertThat(call(limits, "POST", "key_1").getStatus()).isEqualTo(200);
        assertThat(call(limits, "POST", "key_1").getStatus()).isEqualTo(200);
        var limited = call(limits, "POST", "key_1");
        assertThat(limited.getStatus()).isEqualTo(429);
        assertThat(limited.getHeader("Retry-After")).isEqualTo("1");
        assertThat(limited.getContentAsString()).contains("\"code\":\"rate_limited\"");
    }

    @Test
    void readsAndWritesAndKeysHaveSeparateBuckets() throws Exception {
        var limits = instance(T0);
        call(limits, "POST", "key_2");
        call(limits, "POST", "key_2");
        assertThat(call(limits, "POST", "key_2").getStatus()).isEqualTo(429);
        assertThat(call(limits, "GET", "key_2").getStatus()).as("read bucket").isEqualTo(200);
        assertThat(call(limits, "POST", "key_3").getStatus()).as("another key").isEqualTo(200);
    }

    /** SPEC §9: with two instances behind the gateway a key still gets its rate once, not once per instance. */
    @Test
    void everyInstanceDrawsFromTheKeysOneBucket() throws Exception {
        var first = instance(T0);
        var second = instance(T0);

        assertThat(call(first, "POST", "key_4").getStatus()).isEqualTo(200);
        assertThat(call(second, "POST", "key_4").getStatus()).isEqualTo(200);
        assertThat(call(first, "POST", "key_4").getStatus()).isEqualTo(429);
        assertThat(call(second, "POST", "key_4").getStatus()).isEqualTo(429);
    }

    @Test
    void theBucketRefillsAtTheRateAndNotBeyondTheBurst() throws Exception {
        call(instance(T0), "POST", "key_5");
        call(instance(T0), "POST", "key_5");
        assertThat(call(instance(T0.plusMillis(500)), "POST", "key_5").getStatus()).as("half a token").isEqualTo(429);
        assertThat(call(instance(T0.plusSeconds(1)), "POST", "key_5").getStatus()).isEqualTo(200);
        assertThat(call(instance(T0.plusSeconds(1)), "POST", "key_5").getStatus()).isEqualTo(429);

        var muchLater = instance(T0.plusSeconds(3600));
        assertThat(call(muchLater, "POST", "key_5").getStatus()).isEqualTo(200);
        assertThat(call(muchLater, "POST", "key_5").getStatus()).isEqualTo(200);
        assertThat(call(muchLater, "POST", "key_5").getStatus()).as("the burst caps the refill").isEqualTo(429);
    }

    /**
     * Concurrent requests read their clocks before they reach the bucket's row, not necessarily in that order:
     * one arriving late refills nothing and leaves the bucket's later date, so the time between is not counted
     * twice.
     */
    @Test
    void aRequestArrivingAfterALaterOneRefillsNothingTwice() throws Exception {
        call(instance(T0), "POST", "key_8");
        call(instance(T0), "POST", "key_8");
        assertThat(call(instance(T0.plusSeconds(1)), "POST", "key_8").getStatus()).isEqualTo(200);
        assertThat(call(instance(T0), "POST", "key_8").getStatus()).as("read its clock a second earlier")
            .isEqualTo(429);
        assertThat(call(instance(T0.plusSeconds(1)), "POST", "key_8").getStatus()).isEqualTo(429);
    }

    /** An instance whose clock is far behind the bucket's last use refills nothing, and starves no one either. */
    @Test
    void aClockBehindTheBucketsRefillsNothingAndStarvesNoOne() throws Exception {
        assertThat(call(instance(T0.plusSeconds(10)), "POST", "key_6").getStatus()).isEqualTo(200);
        assertThat(call(instance(T0), "POST", "key_6").getStatus()).isEqualTo(200);
        assertThat(call(instance(T0), "POST", "key_6").getStatus()).isEqualTo(429);
        assertThat(call(instance(T0.plusSeconds(1)), "POST", "key_6").getStatus())
            .as("a second later by that clock").isEqualTo(200);
    }

    /**
     * During a rolling upgrade the instances of the release before V1003 take their tokens with
     * {@code rate_limit_take} (writes: 1/s, burst 2, as {@link #instance}): they draw from the same bucket as this
     * release's instances, so the key gets its rate however the requests are spread, and a bucket either one
     * starts is the other's too.
     */
    @Test
    void anInstanceOfTheReleaseBeforeDrawsFromTheSameBucket() throws Exception {
        assertThat(takeAsBefore("key_10", T0)).as("starts the bucket").isZero();
        assertThat(call(instance(T0), "POST", "key_10").getStatus()).isEqualTo(200);
        assertThat(takeAsBefore("key_10", T0)).as("the burst is spent: a token in a second").isEqualTo(1.0);
        assertThat(call(instance(T0), "POST", "key_10").getStatus()).isEqualTo(429);

        assertThat(call(instance(T0), "POST", "key_11").getStatus()).as("starts the bucket").isEqualTo(200);
        assertThat(takeAsBefore("key_11", T0)).isZero();
        assertThat(call(instance(T0), "POST", "key_11").getStatus()).isEqualTo(429);
        assertThat(takeAsBefore("key_11", T0.plusMillis(500))).as("half a token").isEqualTo(0.5);
        assertThat(takeAsBefore("key_11", T0.plusSeconds(1))).isZero();
    }

    /** The call of an instance of before V1003: the seconds until a token, 0 when taken. */
    static double takeAsBefore(String keyId, Instant now) {
        return jdbc.queryForObject("SELECT rate_limit_take(?, ?, ?, ?)", Double.class, "w:" + keyId, 2.0, 1.0,
                OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
    }

    /**
     * What a request costs PostgreSQL: one row version of its bucket (the former function's INSERT … ON CONFLICT
     * DO UPDATE and second UPDATE wrote two), counted for one transaction on a connection of its own (a
     * connection's counts of earlier transactions can still show until they are reported).
     */
    @Test
    void aRequestWritesItsBucketOnce() throws Exception {
        call(instance(T0), "POST", "key_9"); // the bucket's first request inserts it
        var connection = new SingleConnectionDataSource(postgres.getPostgresDatabase().getConnection(), true);
        var oneConnection = new JdbcTemplate(connection);
        var limits = instance(oneConnection, T0);

        Long written = new TransactionTemplate(new DataSourceTransactionManager(connection)).execute(t -> {
            try {
                call(limits, "POST", "key_9");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return oneConnection.queryForObject("""
                    SELECT n_tup_ins + n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'rate_limit_bucket'""",
                    Long.class);
        });
        connection.destroy();

        assertThat(written).isEqualTo(1);
    }

    @Test
    void unauthenticatedRequestsSuchAsHealthAreNotLimited() throws Exception {
        var limits = instance(T0);
        for (int i = 0; i < 10; i++) {
            assertThat(call(limits, "GET", null).getStatus()).isEqualTo(200);
        }
    }

    /** With PostgreSQL away the request goes on to meet the outage (a 503), not a misleading 429. */
    @Test
    void anUnreachableDatabaseLetsTheRequestThrough() throws Exception {
        var unreachable = new JdbcTemplate(new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/ledger"));

        assertThat(call(instance(unreachable, T0), "POST", "key_7").getStatus()).isEqualTo(200);
    }
}

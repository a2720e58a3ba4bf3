package ledger.support.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Set;
import javax.sql.DataSource;
import ledger.events.StoreId;
import ledger.support.WebSlice;
import ledger.support.auth.ApiPrincipal;
import ledger.support.web.ApiException;
import ledger.support.web.ErrorResponses;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The Idempotency-Key rules of SPEC §4.1 on a real PostgreSQL, around a handler that writes. */
class IdempotencyIT {

    static EmbeddedPostgres postgres;
    static JdbcTemplate jdbc;
    /**
     * Statements on connections of their own, never the request's: another data source than the one the
     * transaction manager binds connections of.
     */
    static JdbcTemplate outside;
    static MockMvc mvc;
    static Idempotency idempotency;

    static final ApiPrincipal TEST = new ApiPrincipal(new StoreId("st_idempotency"), "key_t", Set.of(), false);
    static final ApiPrincipal LIVE = new ApiPrincipal(new StoreId("st_idempotency"), "key_l", Set.of(), true);

    record Thing(String name, Integer size) {
    }

    /** The next "contended" thing meets a concurrent change once, as a command whose retries ran out. */
    static final AtomicBoolean contended = new AtomicBoolean();
    /** The next "severed" thing loses its database connection after its work, as when PostgreSQL dies. */
    static final AtomicBoolean severed = new AtomicBoolean();
    /** The next stamped answer cannot be read back once committed: its table is renamed away as the commit ends. */
    static final AtomicBoolean unreadable = new AtomicBoolean();
    /** A "held" thing waits in its handler for {@link #release}, once it said it {@link #entered}. */
    static final CountDownLatch entered = new CountDownLatch(1);
    static final CountDownLatch release = new CountDownLatch(1);

    /** Creates a thing; refuses a missing name before any work, and a taken name after writing it. */
    @RestController
    static class Things {
        @PostMapping("/things")
        ResponseEntity<Map<String, Object>> create(@RequestBody Thing thing) {
            if (thing.name() == null) {
                throw ApiException.invalid("name", "name is required");
            }
            if (thing.name().equals("held")) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Long id = jdbc.queryForObject("INSERT INTO thing (name) VALUES (?) RETURNING id", Long.class, thing.name());
            if (thing.name().equals("taken")) {
                throw new ApiException(HttpStatus.CONFLICT, "thing_taken", "That name is taken");
            }
            if (thing.name().equals("contended") && contended.getAndSet(false)) {
                throw new ApiException(HttpStatus.CONFLICT, "concurrent_modification",
                        "Changed concurrently; retry the request with the same Idempotency-Key");
            }
            if (thing.name().equals("severed") && severed.getAndSet(false)) {
                Integer pid = jdbc.queryForObject("SELECT pg_backend_pid()", Integer.class);
                outside.queryForObject("SELECT pg_terminate_backend(?, 5000)", Boolean.class, pid);
            }
            return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("id", id, "name", thing.name()));
        }

        /** A thing whose stamp the database gives as the request's transaction commits; without a key, at once. */
        @PostMapping("/stamped")
        ResponseEntity<Map<String, String>> stamped(HttpServletRequest request) {
            jdbc.update("INSERT INTO thing (name) VALUES ('stamped')");
            if (unreadable.getAndSet(false)) {
                TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                    @Override
                    public void afterCommit() {
                        outside.execute("ALTER TABLE idempotency_key RENAME TO idempotency_key_away");
                    }
                });
            }
            return ResponseEntity.status(HttpStatus.CREATED).body(Collections.singletonMap("stamp",
                    Idempotency.answerCompletedAtCommit(request) ? null : "now"));
        }
    }

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        var dataSource = postgres.getPostgresDatabase();
        Flyway.configure().dataSource(dataSource).locations("classpath:db/support").load().migrate();
        jdbc = new JdbcTemplate(dataSource);
        outside = new JdbcTemplate(postgres.getPostgresDatabase());
        jdbc.execute("CREATE TABLE thing (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL)");
        idempotency = Idempotency.create(jdbc, new DataSourceTransactionManager(dataSource),
                new ErrorResponses(WebSlice.httpJson()));
        mvc = WebSlice.mvc(new Things()).addFilters(idempotency).build();
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    @BeforeEach
    void empty() {
        jdbc.update("DELETE FROM thing");
    }

    static MockHttpServletResponse send(ApiPrincipal principal, String key, String body) throws Exception {
        return send(mvc, principal, key, body);
    }

    static MockHttpServletResponse send(MockMvc mvc, ApiPrincipal principal, String key, String body) throws Exception {
        return mvc.perform(post("/things").requestAttr(ApiPrincipal.class.getName(), principal)
                .header(Idempotency.HEADER, key).contentType(MediaType.APPLICATION_JSON).content(body))
                .andReturn().getResponse();
    }

    static JsonNode json(MockHttpServletResponse response) throws Exception {
        return WebSlice.httpJson().readTree(response.getContentAsString());
    }

    static int things() {
        return jdbc.queryForObject("SELECT count(*) FROM thing", Integer.class);
    }

    /** A record past its 24 hours is purged, and its key then runs the request again; a younger one stays. */
    @Test
    void thePurgeDeletesOnlyRecordsPastTheirDayAndAPurgedKeyRunsAgain() throws Exception {
        String body = "{\"name\":\"purged\"}";
        assertThat(send(TEST, "purge-old", body).getStatus()).isEqualTo(201);
        assertThat(send(TEST, "purge-young", "{\"name\":\"kept\"}").getStatus()).isEqualTo(201);
        outside.update("UPDATE idempotency_key SET created_at = now() - interval '24 hours 1 minute'"
                + " WHERE key = 'purge-old'");

        new IdempotencyPurge(idempotency).purge();

        assertThat(outside.queryForList("SELECT key FROM idempotency_key WHERE key LIKE 'purge-%'", String.class))
                .containsExactly("purge-young");
        jdbc.update("DELETE FROM thing");
        var again = send(TEST, "purge-old", body);
        assertThat(again.getStatus()).isEqualTo(201);
        assertThat(again.getHeader(Idempotency.REPLAYED)).isNull();
        assertThat(things()).isEqualTo(1);
    }

    /**
     * An answer completed at commit: the client is sent the kept answer as a trigger left it at commit, and the
     * key replays the same; without a key the handler is told to complete it itself.
     */
    @Test
    void anAnswerCompletedAtCommitIsSentAsKept() throws Exception {
        try (var stamping = stampedAtCommit()) {
            var first = stamped("stamped");
            assertThat(first.getStatus()).isEqualTo(201);
            assertThat(first.getContentAsString()).isEqualTo("{\"stamp\":\"committed\"}");
            assertThat(first.getContentLength()).isEqualTo(first.getContentAsByteArray().length);
            var replay = stamped("stamped");
            assertThat(replay.getHeader(Idempotency.REPLAYED)).isEqualTo("true");
            assertThat(replay.getContentAsString()).isEqualTo("{\"stamp\":\"committed\"}");
            var unkeyed = stamped(null);
            assertThat(unkeyed.getContentAsString()).isEqualTo("{\"stamp\":\"now\"}");
            assertThat(things()).isEqualTo(2);
        }
    }

    /**
     * A committed answer that cannot be read back (the database lost right after the commit) is answered 503, not
     * with the handler's unfinished answer: the work is committed, so the same key's retry replays it as kept.
     */
    @Test
    void aCommittedAnswerThatCannotBeReadBackIsA503AndItsRetryReplaysIt() throws Exception {
        try (var stamping = stampedAtCommit()) {
            unreadable.set(true);
            MockHttpServletResponse lost;
            try {
                lost = stamped("unreadable");
            } finally {
                unreadable.set(false);
                jdbc.execute("ALTER TABLE IF EXISTS idempotency_key_away RENAME TO idempotency_key");
            }
            assertThat(lost.getStatus()).isEqualTo(503);
            assertThat(json(lost).get("code").asText()).isEqualTo("service_unavailable");

            var retry = stamped("unreadable");
            assertThat(retry.getStatus()).isEqualTo(201);
            assertThat(retry.getHeader(Idempotency.REPLAYED)).isEqualTo("true");
            assertThat(retry.getContentAsString()).isEqualTo("{\"stamp\":\"committed\"}");
            assertThat(things()).isEqualTo(1);
        }
    }

    /** A POST to the stamped handler, under {@code key} when it is not null. */
    static MockHttpServletResponse stamped(String key) throws Exception {
        var request = post("/stamped").requestAttr(ApiPrincipal.class.getName(), TEST);
        return mvc.perform(key == null ? request : request.header(Idempotency.HEADER, key)).andReturn().getResponse();
    }

    /**
     * Stamps a kept answer holding {@code "stamp":null} as its transaction commits, as command-service's migration
     * numbers a kept create; closing it removes the trigger.
     */
    private static AutoCloseable stampedAtCommit() {
        jdbc.execute("""
                CREATE FUNCTION stamp_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE idempotency_key SET response_body = convert_to('{"stamp":"committed"}', 'UTF8')
                    WHERE scope = NEW.scope AND key = NEW.key;
                    RETURN NULL;
                END $$""");
        jdbc.execute("""
                CREATE CONSTRAINT TRIGGER stamp_at_commit AFTER INSERT ON idempotency_key DEFERRABLE INITIALLY DEFERRED
                FOR EACH ROW WHEN (position('"stamp":null' IN convert_from(NEW.response_body, 'UTF8')) > 0)
                EXECUTE FUNCTION stamp_at_commit()""");
        return () -> {
            jdbc.execute("DROP TRIGGER stamp_at_commit ON idempotency_key");
            jdbc.execute("DROP FUNCTION stamp_at_commit()");
        };
    }

    @Test
    void theSameParsedRequestReplaysWhateverItsWhitespaceAndKeyOrder() throws Exception {
        var first = send(TEST, "same", "{\"name\":\"a\",\"size\":7}");
        var again = send(TEST, "same", "{ \"size\": 7,\n  \"name\" : \"a\" }\n");

        assertThat(first.getStatus()).isEqualTo(201);
        assertThat(again.getStatus()).isEqualTo(201);
        assertThat(again.getHeader(Idempotency.REPLAYED)).isEqualTo("true");
        assertThat(json(again)).isEqualTo(json(first));
        assertThat(things()).isEqualTo(1);
    }

    @Test
    void aDifferentParsedRequestIsAReusedKey() throws Exception {
        send(TEST, "reused", "{\"name\":\"a\",\"size\":7}");
        var other = send(TEST, "reused", "{\"name\":\"a\",\"size\":8}");

        assertThat(other.getStatus()).isEqualTo(409);
        assertThat(json(other).get("code").asText()).isEqualTo("idempotency_key_reused");
        assertThat(things()).isEqualTo(1);
    }

    @Test
    void aRequestRefusedBeforeItRanLeavesTheKeyFreeForTheCorrectedRequest() throws Exception {
        var refused = send(TEST, "corrected", "{\"size\":7}");
        var corrected = send(TEST, "corrected", "{\"name\":\"a\",\"size\":7}");
        var replay = send(TEST, "corrected", "{\"name\":\"a\",\"size\":7}");

        assertThat(refused.getStatus()).isEqualTo(400);
        assertThat(corrected.getStatus()).isEqualTo(201);
        assertThat(corrected.getHeader(Idempotency.REPLAYED)).isNull();
        assertThat(replay.getHeader(Idempotency.REPLAYED)).isEqualTo("true");
        assertThat(things()).isEqualTo(1);
    }

    @Test
    void aRefusalFromRunningTheRequestIsKeptAndItsWorkRolledBack() throws Exception {
        var refused = send(TEST, "taken", "{\"name\":\"taken\"}");
        var again = send(TEST, "taken", "{\"name\":\"taken\"}");

        assertThat(refused.getStatus()).isEqualTo(409);
        assertThat(again.getStatus()).isEqualTo(409);
        assertThat(again.getHeader(Idempotency.REPLAYED)).isEqualTo("true");
        assertThat(json(again).get("code").asText()).isEqualTo("thing_taken");
        assertThat(things()).isZero();
    }

    @Test
    void aConcurrentModificationIsNotKeptSoTheRetryItAsksForRuns() throws Exception {
        contended.set(true);
        var refused = send(TEST, "contended", "{\"name\":\"contended\"}");
        var retry = send(TEST, "contended", "{\"name\":\"contended\"}");

        assertThat(refused.getStatus()).isEqualTo(409);
        assertThat(json(refused).get("code").asText()).isEqualTo("concurrent_modification");
        assertThat(retry.getStatus()).isEqualTo(201);
        assertThat(retry.getHeader(Idempotency.REPLAYED)).isNull();
        assertThat(things()).isEqualTo(1);
    }

    @Test
    void aSuccessWhoseDatabaseWentAwayBeforeItsCommitIsAnOutageAndItsRetryRuns() throws Exception {
        severed.set(true);
        var lost = send(TEST, "severed", "{\"name\":\"severed\"}");
        assertThat(lost.getStatus()).isEqualTo(503);
        assertThat(json(lost).get("code").asText()).isEqualTo("service_unavailable");
        assertThat(things()).isZero();

        var retry = send(TEST, "severed", "{\"name\":\"severed\"}");
        assertThat(retry.getStatus()).isEqualTo(201);
        assertThat(retry.getHeader(Idempotency.REPLAYED)).isNull();
        assertThat(things()).isEqualTo(1);
    }

    @Test
    void testAndLiveKeysOfOneStoreAreTwoKeySpaces() throws Exception {
        var test = send(TEST, "both-modes", "{\"name\":\"t\"}");
        var live = send(LIVE, "both-modes", "{\"name\":\"l\"}");

        assertThat(test.getStatus()).isEqualTo(201);
        assertThat(live.getStatus()).isEqualTo(201);
        assertThat(live.getHeader(Idempotency.REPLAYED)).isNull();
        assertThat(json(send(TEST, "both-modes", "{\"name\":\"t\"}"))).isEqualTo(json(test));
        assertThat(json(send(LIVE, "both-modes", "{\"name\":\"l\"}"))).isEqualTo(json(live));
        assertThat(things()).isEqualTo(2);
    }

    /** Taking the key and looking up its kept answer is one statement; keeping a new answer is the other. */
    @Test
    void aKeyedRequestTakesItsKeyAndLooksUpItsAnswerInOneStatement() throws Exception {
        var statements = new AtomicInteger();
        DataSource counting = countingStatements(postgres.getPostgresDatabase(), statements);
        var counted = WebSlice.mvc(new Things()).addFilters(Idempotency.create(new JdbcTemplate(counting),
                new DataSourceTransactionManager(counting), new ErrorResponses(WebSlice.httpJson()))).build();

        assertThat(send(counted, TEST, "counted", "{\"name\":\"counted\"}").getStatus()).isEqualTo(201);
        assertThat(statements.getAndSet(0)).as("the key taken and looked up, then the answer kept").isEqualTo(2);
        var replay = send(counted, TEST, "counted", "{\"name\":\"counted\"}");
        assertThat(replay.getHeader(Idempotency.REPLAYED)).isEqualTo("true");
        assertThat(statements.get()).as("the key taken and its answer found").isEqualTo(1);
        assertThat(things()).isEqualTo(1);
    }

    /**
     * The kept answer is read with a snapshot taken inside {@code idempotency_take}, after the key's lock, not with
     * the calling statement's: an answer committed after the call began (a duplicate that let the key go just then)
     * is found, so its request is replayed rather than run again. The call's statement here sleeps a second before
     * taking the key, and the answer is committed in that second.
     */
    @Test
    void takingTheKeyFindsAnAnswerCommittedAfterTheCallBegan() throws Exception {
        var duplicate = Executors.newSingleThreadScheduledExecutor();
        try {
            duplicate.schedule(() -> outside.update("""
                    INSERT INTO idempotency_key (scope, key, fingerprint, response_status, response_headers, response_body)
                    VALUES ('st_late/test', 'late', repeat('0', 64), 201, '', '{}'::bytea)"""), 300, TimeUnit.MILLISECONDS);
            Integer kept = jdbc.queryForObject("""
                    SELECT (idempotency_take(s.scope, 'late', interval '24 hours')).kept_status
                    FROM (SELECT 'st_late/test'::varchar AS scope, pg_sleep(1)) s""", Integer.class);
            assertThat(kept).isEqualTo(201);
        } finally {
            duplicate.shutdownNow();
        }
    }

    /** {@code dataSource}, counting the statements its connections prepare or create. */
    static DataSource countingStatements(DataSource dataSource, AtomicInteger statements) {
        return new DelegatingDataSource(dataSource) {
            @Override
            public Connection getConnection() throws SQLException {
                Connection connection = super.getConnection();
                return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                        new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                            if (method.getName().startsWith("prepare") || method.getName().equals("createStatement")) {
                                statements.incrementAndGet();
                            }
                            try {
                                return method.invoke(connection, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
            }
        };
    }

    /**
     * Keyed requests run only as many at once as leave a pooled connection over (see {@code Idempotency.Admission});
     * one that gets no turn within the pool's connection timeout is a 503, as the pool's own timeout was, and its
     * key stays free.
     */
    @Test
    void aKeyedRequestWithoutATurnWithinThePoolsTimeoutIsUnavailableAndItsKeyStaysFree() throws Exception {
        var config = new HikariConfig();
        config.setDataSource(postgres.getPostgresDatabase());
        config.setMaximumPoolSize(2);
        config.setConnectionTimeout(250);
        try (var pool = new HikariDataSource(config)) {
            var pooled = WebSlice.mvc(new Things()).addFilters(Idempotency.create(new JdbcTemplate(pool),
                    new DataSourceTransactionManager(pool), new ErrorResponses(WebSlice.httpJson()))).build();
            var first = Executors.newSingleThreadExecutor();
            try {
                Future<MockHttpServletResponse> held = first.submit(() -> send(pooled, TEST, "held", "{\"name\":\"held\"}"));
                assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

                var waited = send(pooled, TEST, "second", "{\"name\":\"second\"}");
                assertThat(waited.getStatus()).isEqualTo(503);
                assertThat(json(waited).get("code").asText()).isEqualTo("service_unavailable");

                release.countDown();
                assertThat(held.get(10, TimeUnit.SECONDS).getStatus()).isEqualTo(201);
                var retry = send(pooled, TEST, "second", "{\"name\":\"second\"}");
                assertThat(retry.getStatus()).isEqualTo(201);
                assertThat(retry.getHeader(Idempotency.REPLAYED)).isNull();
            } finally {
                release.countDown();
                first.shutdownNow();
            }
        }
    }
}

package ledger.webhook.delivery;

import static ledger.webhook.SchemaMigrations.migrate;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The schema behind the claim, on real PostgreSQL without Spring, each test in its own schema: V3 fills the
 * invoice and sequence of deliveries queued before it; under a backlog of 100k waiting deliveries the claim
 * probes the partial index once per candidate instead of joining the queue with itself (the form that was
 * reverted made every poll hash-join whole tables); and a claim does not read the backlog of a saturated target.
 */
class DeliveryOrderSchemaIT {

    @Test
    void v3FillsTheInvoiceAndSequenceOfDeliveriesQueuedBeforeIt() {
        String schema = "webhook_v3_backfill";
        var jdbc = migrate(schema, "2");
        jdbc.update("""
                INSERT INTO event_inbox (event_id, invoice_id, store_id, sequence, type, occurred_at, payload)
                SELECT 'evt_' || i || '_' || s, 'in_' || i, 'st_1', s, 'x', now(), '{}'
                FROM generate_series(1, 2) i, generate_series(1, 3) s""");
        jdbc.update("""
                INSERT INTO webhook_event (event_id, store_id, invoice_id, type, livemode, occurred_at, body,
                                           created_at)
                SELECT event_id, store_id, invoice_id, type, false, occurred_at, '{}', now() FROM event_inbox""");
        jdbc.update("""
                INSERT INTO webhook_endpoint (id, store_id, url, enabled_events, livemode, secret, created_at,
                                              updated_at)
                VALUES ('we_1', 'st_1', 'https://example.com/hooks', '{*}', false, 'whsec_x', now(), now())""");
        jdbc.update("""
                INSERT INTO delivery (event_id, endpoint_id, target_key, state, attempts, next_attempt_at, created_at,
                                      updated_at)
                SELECT event_id, 'we_1', 'endpoint:we_1', 'pending', 0, now(), now(), now() FROM event_inbox""");
        jdbc.update("""
                INSERT INTO delivery (event_id, url, target_key, state, attempts, created_at, updated_at)
                SELECT event_id, 'https://shop.example/cb', 'callback:https://shop.example:-1', 'succeeded', 1, now(),
                       now()
                FROM event_inbox""");

        migrate(schema, "latest");

        assertThat(jdbc.queryForObject("""
                SELECT count(*) FROM delivery d JOIN event_inbox i ON i.event_id = d.event_id
                WHERE d.invoice_id = i.invoice_id AND d.sequence = i.sequence""", Integer.class)).isEqualTo(12);
        assertThat(jdbc.queryForList("""
                SELECT column_name FROM information_schema.columns
                WHERE table_schema = ? AND table_name = 'delivery' AND column_name IN ('invoice_id', 'sequence')
                  AND is_nullable = 'NO'""", String.class, schema)).containsExactlyInAnyOrder("invoice_id", "sequence");
        assertThat(jdbc.queryForObject("SELECT indexdef FROM pg_indexes WHERE schemaname = ? AND indexname = ?",
                String.class, schema, "delivery_awaiting_first_attempt"))
                .contains("(target_key, invoice_id, sequence)").contains("attempts = 0");
    }

    @Test
    void underABacklogOf100kWaitingDeliveriesAClaimProbesThePartialIndexPerCandidate() {
        var jdbc = migrate("webhook_v3_backlog", "latest");
        endpoints(jdbc, 4);
        // 13,334 invoices of three events each; per event a delivery to each of four endpoints and to the
        // callback host. The first half was delivered (history); the second half waits: 100,005 deliveries
        // due at once, two thirds of them behind an earlier event of their invoice.
        events(jdbc, 13334, 3);
        jdbc.update("""
                INSERT INTO delivery (event_id, invoice_id, sequence, endpoint_id, url, target_key, state, attempts,
                                      next_attempt_at, created_at, updated_at)
                SELECT 'evt_' || i || '_' || s, 'in_' || i, s,
                       CASE WHEN t <= 4 THEN 'we_' || t END, CASE WHEN t = 5 THEN 'https://shop.example/cb' END,
                       CASE WHEN t <= 4 THEN 'endpoint:we_' || t ELSE 'callback:https://shop.example:-1' END,
                       CASE WHEN i <= 6667 THEN 'succeeded' ELSE 'pending' END, CASE WHEN i <= 6667 THEN 1 ELSE 0 END,
                       CASE WHEN i <= 6667 THEN NULL
                            ELSE now() - interval '1 hour' + (i * 3 + s) * interval '1 millisecond' END,
                       now(), now()
                FROM generate_series(1, 13334) i, generate_series(1, 3) s, generate_series(1, 5) t""");
        jdbc.execute("ANALYZE");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM delivery WHERE state = 'pending'", Integer.class))
                .isEqualTo(100_005);

        Object[] args = {Timestamp.from(Instant.now()), Timestamp.from(Instant.now()), 128};
        List<String> plan = jdbc.queryForList("EXPLAIN (ANALYZE, BUFFERS) " + DeliveryQueue.CANDIDATES,
                String.class, args);
        String text = String.join("\n", plan);
        System.out.println("Claim of 128 candidates under a backlog of 100,005 pending deliveries:\n" + text);

        // The plan's shape is what keeps the claim cheap; its time is printed above, not asserted (a busy
        // machine would make a timing flaky).
        assertThat(text).contains("SubPlan").contains("using delivery_awaiting_first_attempt")
                .doesNotContain("Anti Join").doesNotContain("Hash Join").doesNotContain("Seq Scan");
        // Only first events are free to go, one per invoice and target, in the queue's order.
        Long[] candidates = jdbc.query(DeliveryQueue.CANDIDATES, (rs, i) -> rs.getLong(1), args).toArray(Long[]::new);
        assertThat(candidates).hasSize(128);
        assertThat(jdbc.queryForList("SELECT sequence FROM delivery WHERE id = ANY (?)", Long.class,
                (Object) candidates)).hasSize(128).containsOnly(1L);
    }

    /**
     * The planner's statistics are those of a quiet moment (a delivered history, nothing waiting) when a burst
     * queues 6,000 for one endpoint. The claim planned the order rule's probe on another index of pending deliveries
     * then ({@code delivery_due} here, {@code delivery_pending_target} on a bench's database), which reads the
     * target's whole backlog per candidate: with one delivery waiting at the ANALYZE this read 19,236 buffers in
     * 513 ms for 128 candidates (273 in 0.4 ms since V7); on the bench's database one claim read 1.4 million
     * buffers in 23 s, and the dispatcher sent 4 webhooks a second until autovacuum analysed the table.
     * The probe must use the order index whatever the statistics say.
     */
    @Test
    void aBacklogQueuedAfterTheStatisticsWereTakenIsClaimedWithOneProbePerCandidate() {
        var jdbc = migrate("webhook_stale_statistics", "latest");
        endpoints(jdbc, 1);
        events(jdbc, 26001, 1);
        String deliveries = """
                INSERT INTO delivery (event_id, invoice_id, sequence, endpoint_id, target_key, state, attempts,
                                      next_attempt_at, created_at, updated_at)
                SELECT 'evt_' || i || '_1', 'in_' || i, 1, 'we_1', 'endpoint:we_1', ?, ?,
                       now() - interval '1 hour' + i * interval '1 millisecond', now(), now()
                FROM generate_series(?, ?) i""";
        jdbc.update(deliveries, "succeeded", 1, 1, 20001);
        jdbc.execute("ANALYZE delivery");
        jdbc.update(deliveries, "pending", 0, 20002, 26001);

        Object[] args = {Timestamp.from(Instant.now()), Timestamp.from(Instant.now()), 128};
        String plan = String.join("\n", jdbc.queryForList("EXPLAIN (ANALYZE, BUFFERS) " + DeliveryQueue.CANDIDATES,
                String.class, args));

        assertThat(plan).contains("SubPlan").contains("using delivery_awaiting_first_attempt");
        var buffers = Pattern.compile("Buffers: shared hit=(\\d+)").matcher(plan);
        assertThat(buffers.find()).as(plan).isTrue();
        assertThat(Long.parseLong(buffers.group(1))).as("buffers the claim read, in:%n%s", plan).isLessThan(5_000);
        assertThat(jdbc.query(DeliveryQueue.CANDIDATES, (rs, i) -> rs.getLong(1), args)).hasSize(128);
    }

    /**
     * V7: each read of the claim fits its own index and no other, so no statistics can send it to another. With
     * its own index gone, and sequential scans made as dear as the planner makes them, the read goes without an
     * index rather than to another index of pending deliveries.
     */
    @Test
    void eachReadOfTheClaimFitsItsOwnIndexOnly() throws Exception {
        var jdbc = firstEventsPending("webhook_v7_fit", 100, 100);
        var connection = new SingleConnectionDataSource(jdbc.getDataSource().getConnection(), true);
        var oneConnection = new JdbcTemplate(connection);
        Object[] args = {Timestamp.from(Instant.now()), Timestamp.from(Instant.now()), 16};
        try {
            oneConnection.execute("SET enable_seqscan = off");
            oneConnection.execute("DROP INDEX delivery_awaiting_first_attempt");
            String probeWithoutItsIndex = String.join("\n",
                    oneConnection.queryForList("EXPLAIN " + DeliveryQueue.CANDIDATES, String.class, args));
            oneConnection.execute("DROP INDEX delivery_due");
            String neitherIndex = String.join("\n",
                    oneConnection.queryForList("EXPLAIN " + DeliveryQueue.CANDIDATES, String.class, args));

            assertThat(probeWithoutItsIndex).contains("using delivery_due on delivery d")
                    .contains("Seq Scan on delivery p").doesNotContain("delivery_pending_target").doesNotContain("Bitmap");
            assertThat(neitherIndex).contains("Seq Scan on delivery d").contains("Seq Scan on delivery p")
                    .doesNotContain("delivery_pending_target").doesNotContain("Bitmap");
        } finally {
            connection.destroy();
        }
    }

    @Test
    void aClaimDoesNotReadTheBacklogOfASaturatedTarget() {
        // 20,000 invoices created while we_1 was slow, all waiting for it, older than the 3 invoices due for we_2.
        var jdbc = firstEventsPending("webhook_v5_saturated", 20003, 20000);
        jdbc.execute("ANALYZE");
        List<Long> forWe2 = jdbc.queryForList("SELECT id FROM delivery WHERE endpoint_id = 'we_2' ORDER BY id",
                Long.class);

        // we_1's lane is full: only we_2's deliveries are candidates, and we_1's backlog is not read for them
        // (read in due order across targets, the claim passed over all 20,000 rows of it first).
        Object[] we1Saturated = {Timestamp.from(Instant.now()), Timestamp.from(Instant.now()), 16,
                new String[] {"endpoint:we_1"}, 64};
        assertThat(jdbc.query(DeliveryQueue.CANDIDATES_OF_UNSATURATED, (rs, i) -> rs.getLong(1), we1Saturated))
                .isEqualTo(forWe2);
        assertThat(rowsPassedOver(jdbc, we1Saturated)).isLessThan(10);

        // Both full: no candidates, and neither backlog read.
        Object[] bothSaturated = {Timestamp.from(Instant.now()), Timestamp.from(Instant.now()), 16,
                new String[] {"endpoint:we_1", "endpoint:we_2"}, 64};
        assertThat(jdbc.query(DeliveryQueue.CANDIDATES_OF_UNSATURATED, (rs, i) -> rs.getLong(1), bothSaturated))
                .isEmpty();
        assertThat(rowsPassedOver(jdbc, bothSaturated)).isLessThan(10);
    }

    /**
     * A claim reads four times as many candidates as it may take; locking them all wrote a WAL record and dirtied
     * a page per row read. Now reading locks nothing (a row locked by a committed transaction keeps the locker
     * in its {@code xmax}), and the lease checks again: a delivery another instance leased after this one read
     * it is left out, not leased twice, and so is one whose attempt was made meanwhile and its retry scheduled.
     */
    @Test
    void readingCandidatesLocksNoRowAndTheLeaseLeavesOutOneLeasedSince() {
        var jdbc = firstEventsPending("webhook_claim_locks", 8, 8);
        Timestamp now = Timestamp.from(Instant.now());

        List<Long> candidates = jdbc.query(DeliveryQueue.CANDIDATES, (rs, i) -> rs.getLong(1), now, now, 8);
        assertThat(candidates).hasSize(8);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM delivery WHERE xmax::text <> '0'", Integer.class))
                .as("rows locked by reading the candidates").isZero();

        Timestamp leasedElsewhere = Timestamp.from(Instant.now().plusSeconds(60));
        jdbc.update("UPDATE delivery SET lease_until = ?, lease_token = 'other' WHERE id = ?", leasedElsewhere,
                candidates.get(0));
        jdbc.update("UPDATE delivery SET attempts = 1, next_attempt_at = ? WHERE id = ?", leasedElsewhere,
                candidates.get(1));
        List<Long> leased = jdbc.query(DeliveryQueue.LEASE, (rs, i) -> rs.getLong("id"), leasedElsewhere, "mine",
                candidates.subList(0, 3).toArray(Long[]::new), now, now);

        assertThat(leased).containsExactly(candidates.get(2));
        assertThat(jdbc.queryForObject("SELECT lease_token FROM delivery WHERE id = ?", String.class,
                candidates.get(0))).isEqualTo("other");
    }

    /**
     * V6: the lease of a delivery just queued is a heap-only update (no entry in any index), as pages of new rows
     * keep room for it. Filled to the brim, as before, the first page of a batch had none: 0 of 4 were.
     */
    @Test
    void leasingNewlyQueuedDeliveriesWritesNoIndex() throws Exception {
        var jdbc = firstEventsPending("webhook_v6_hot", 500, 500);
        Long[] firstFour = jdbc.queryForList("SELECT id FROM delivery ORDER BY id LIMIT 4", Long.class)
                .toArray(Long[]::new);
        var connection = new SingleConnectionDataSource(jdbc.getDataSource().getConnection(), true);
        var oneConnection = new JdbcTemplate(connection);

        Long heapOnly = new TransactionTemplate(new DataSourceTransactionManager(connection)).execute(t -> {
            Timestamp now = Timestamp.from(Instant.now());
            oneConnection.query(DeliveryQueue.LEASE, (rs, i) -> rs.getLong("id"),
                    Timestamp.from(Instant.now().plusSeconds(60)), "mine", firstFour, now, now);
            return oneConnection.queryForObject("""
                    SELECT n_tup_hot_upd FROM pg_stat_xact_user_tables
                    WHERE schemaname = current_schema() AND relname = 'delivery'""", Long.class);
        });
        connection.destroy();

        assertThat(heapOnly).isEqualTo(4);
    }

    /**
     * A new schema with endpoints we_1 and we_2, where the first event of invoices 1 … {@code invoices} waits for
     * its first attempt, due in the invoices' order from an hour ago: to we_1 for the first {@code toWe1}, to we_2
     * for the others.
     */
    private static JdbcTemplate firstEventsPending(String schema, int invoices, int toWe1) {
        var jdbc = migrate(schema, "latest");
        endpoints(jdbc, 2);
        events(jdbc, invoices, 1);
        jdbc.update("""
                INSERT INTO delivery (event_id, invoice_id, sequence, endpoint_id, target_key, state, attempts,
                                      next_attempt_at, created_at, updated_at)
                SELECT 'evt_' || i || '_1', 'in_' || i, 1, CASE WHEN i <= ? THEN 'we_1' ELSE 'we_2' END,
                       CASE WHEN i <= ? THEN 'endpoint:we_1' ELSE 'endpoint:we_2' END, 'pending', 0,
                       now() - interval '1 hour' + i * interval '1 millisecond', now(), now()
                FROM generate_series(1, ?) i""", toWe1, toWe1, invoices);
        return jdbc;
    }

    /** Endpoints we_1 … we_{count} of store st_1. */
    private static void endpoints(JdbcTemplate jdbc, int count) {
        jdbc.update("""
                INSERT INTO webhook_endpoint (id, store_id, url, enabled_events, livemode, secret, created_at,
                                              updated_at)
                SELECT 'we_' || t, 'st_1', 'https://example.com/' || t, '{*}', false, 'whsec_x', now(), now()
                FROM generate_series(1, ?) t""", count);
    }

    /** Webhook events evt_{i}_{s} of invoices in_1 … in_{invoices}, {@code perInvoice} each, of store st_1. */
    private static void events(JdbcTemplate jdbc, int invoices, int perInvoice) {
        jdbc.update("""
                INSERT INTO webhook_event (event_id, store_id, invoice_id, type, livemode, occurred_at, body,
                                           created_at)
                SELECT 'evt_' || i || '_' || s, 'st_1', 'in_' || i, 'x', false, now(), '{}', now()
                FROM generate_series(1, ?) i, generate_series(1, ?) s""", invoices, perInvoice);
    }

    /** Rows the claim's query read and let go (a saturated target's, leased ones, ...), from its plan. */
    private static long rowsPassedOver(JdbcTemplate jdbc, Object[] args) {
        String plan = String.join("\n", jdbc.queryForList("EXPLAIN ANALYZE " + DeliveryQueue.CANDIDATES_OF_UNSATURATED,
                String.class, args));
        return Pattern.compile("Rows Removed by Filter: (\\d+)").matcher(plan).results()
                .mapToLong(removed -> Long.parseLong(removed.group(1))).sum();
    }
}

package ledger.webhook.delivery;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import ledger.events.Ids;
import ledger.events.StoreId;
import ledger.support.web.ApiException;
import ledger.support.web.ApiList;
import ledger.support.web.ListParams;
import ledger.webhook.KeysetPages;
import ledger.webhook.WebhookProperties;
import ledger.webhook.endpoint.Endpoint;
import ledger.webhook.endpoint.Endpoints;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The persistent delivery queue in PostgreSQL. Any number of dispatcher instances poll it: a claim reads
 * due rows, picks some and leases them to one instance ({@code lease_until}, {@code lease_token}) with an
 * UPDATE that checks again that each is unleased, so each attempt is made by exactly one instance; a crashed
 * instance's leases run out and the rows become due again. A completion counts only while its lease token
 * still matches.
 */
@Repository
class DeliveryQueue {

    /**
     * A claimed delivery, with what the attempt needs. {@code endpoint} is the endpoint as it stood when the
     * delivery was claimed, null for a callback or an endpoint deleted since.
     */
    record Claim(long id, String leaseToken, Instant leaseUntil, String eventId, String endpointId, String url,
                 String targetKey, int attempts, String body, Instant occurredAt, StoreId storeId, Endpoint endpoint) {

        Claim withEndpoint(Endpoint endpoint) {
            return new Claim(id, leaseToken, leaseUntil, eventId, endpointId, url, targetKey, attempts, body,
                    occurredAt, storeId, endpoint);
        }
    }

    /** An attempt made on a claim, waiting to be recorded. */
    record Finished(Claim claim, Completion completion) {
    }

    /**
     * What a round of the poller did: the endpoints its finished attempts disabled, its new claims, and whether
     * more may be due right now (the candidates filled the query's limit).
     */
    record Round(List<String> disabled, List<Claim> claims, boolean more) {
    }

    /** What a finished attempt leads to. */
    record Completion(Instant attemptedAt, Integer status, long latencyMillis, String error, String state,
                      Instant nextAttemptAt, boolean endpointSucceeded, String disableEndpoint) {
    }

    /** One attempt as the history API shows it. */
    record AttemptView(String id, String object, String event, String eventType, String endpoint,
                       Instant attemptedAt, Integer statusCode, long latencyMs, String error, String outcome,
                       Instant nextAttemptAt) {
    }

    /** A webhook event as stored, for redelivery. */
    record StoredEvent(String eventId, StoreId storeId, String type, boolean livemode, String callbackUrl,
                       String invoiceId, long sequence) {
    }

    /**
     * Delivery {@code d} waits in the queue, as {@code delivery_pending_target}'s predicate says it: for the reads
     * that step through the targets, and for the lease, which finds its rows by id.
     */
    private static final String PENDING = "d.state = 'pending'";

    /**
     * Delivery {@code row} waits in the queue, in the words of the predicates of {@code delivery_due} and
     * {@code delivery_awaiting_first_attempt} (the CHECK on state allows four values). Said as {@link #PENDING},
     * a read meant for one of them could be served by any index of pending deliveries: from statistics taken
     * before a backlog they all look as cheap, and the one the planner took read the target's whole backlog for
     * each candidate (V7; {@code DeliveryOrderSchemaIT}).
     */
    private static String waiting(String row) {
        return row + ".state NOT IN ('succeeded', 'failed', 'cancelled')";
    }

    /** Pending delivery {@code d} is due and not leased (parameters: now, now). */
    private static String dueAndUnleased(String pending) {
        return pending + " AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until < ?)";
    }

    /**
     * Pending delivery {@code d} may be leased now (parameters: now, now): due, not leased, and not behind an
     * earlier event of its invoice still waiting for its first attempt to the same target (see {@link #claim}).
     * The predecessor check is a scalar subquery on purpose: a plain {@code NOT EXISTS} lets the planner hash-join
     * the queue with itself on every poll (seen: 40 → 1.4 deliveries/s under a backlog); as a subplan it is one
     * probe of {@code delivery_awaiting_first_attempt} per candidate, the only index its predicate fits.
     */
    private static String mayGo(String pending) {
        return dueAndUnleased(pending) + """
                  AND NOT (SELECT EXISTS (
                      SELECT 1 FROM delivery p
                      WHERE p.target_key = d.target_key AND p.invoice_id = d.invoice_id AND p.sequence < d.sequence
                        AND p.attempts = 0 AND %s
                      LIMIT 1))""".formatted(waiting("p"));
    }

    /**
     * The claim's candidates while no target is saturated (parameters: now, now, limit): the oldest due deliveries,
     * read in due order from {@code delivery_due}, the only index their predicate fits, so only due rows are read.
     */
    static final String CANDIDATES = """
            SELECT d.id, d.target_key FROM delivery d
            WHERE %s
            ORDER BY d.next_attempt_at, d.id
            LIMIT ?""".formatted(mayGo(waiting("d")));

    /**
     * The claim's candidates while some targets are saturated (parameters: now, now, limit per target, saturated
     * targets, limit). Read in due order, a saturated target's due backlog would be read through on every claim,
     * to its end when nothing else was due: in a database that had made 390,000 deliveries, with 22,000 waiting
     * for one endpoint, a claim read 255,000 buffers in 3 s and the endpoint got as few as 2.4 deliveries a
     * second. So this one steps through the targets with pending deliveries ({@code targets}, one probe of
     * {@code delivery_pending_target} each) and reads only the others, each from its oldest due delivery. Targets
     * whose deliveries are all scheduled later are stepped through too (5,000 such: 20 ms a claim), which is why
     * this form waits until a target is saturated.
     */
    static final String CANDIDATES_OF_UNSATURATED = """
            WITH RECURSIVE targets AS (
                (SELECT d.target_key FROM delivery d WHERE d.state = 'pending' ORDER BY d.target_key LIMIT 1)
                UNION ALL
                SELECT (SELECT d.target_key FROM delivery d WHERE d.state = 'pending' AND d.target_key > t.target_key
                        ORDER BY d.target_key LIMIT 1)
                FROM targets t WHERE t.target_key IS NOT NULL
            )
            SELECT c.id, c.target_key FROM targets t
            CROSS JOIN LATERAL (
                SELECT d.id, d.target_key, d.next_attempt_at FROM delivery d
                WHERE d.target_key = t.target_key AND %s
                ORDER BY d.next_attempt_at, d.id
                LIMIT ?
            ) c
            WHERE t.target_key IS NOT NULL AND NOT (t.target_key = ANY (?::text[]))
            ORDER BY c.next_attempt_at, c.id
            LIMIT ?""".formatted(mayGo(PENDING));

    /**
     * Leases the chosen candidates (parameters: lease until, lease token, ids, now, now) that are still due and
     * unleased: the candidates were read without locks, and another instance may have leased one since, or made
     * its attempt and scheduled the retry for later.
     */
    static final String LEASE = """
            UPDATE delivery d SET lease_until = ?, lease_token = ?
            FROM webhook_event e
            WHERE e.event_id = d.event_id AND d.id = ANY (?) AND %s
            RETURNING d.id, d.event_id, d.endpoint_id, d.url, d.target_key, d.attempts, e.body, e.occurred_at,
                      e.store_id""".formatted(dueAndUnleased(PENDING));

    private final JdbcTemplate jdbc;
    private final Endpoints endpoints;
    private final Duration lease;
    private final Duration disableAfterFailing;

    DeliveryQueue(JdbcTemplate jdbc, Endpoints endpoints, WebhookProperties properties) {
        this.jdbc = jdbc;
        this.endpoints = endpoints;
        this.lease = properties.lease();
        this.disableAfterFailing = properties.disableAfterFailing();
    }

    /**
     * Leases up to {@code max} due deliveries. Targets in {@code saturated} are skipped in the query, without
     * reading their backlog ({@link #CANDIDATES_OF_UNSATURATED}), so a backlog for a hanging endpoint can't
     * crowd out others; {@code capacity} says how many more claims each other target may take now.
     *
     * <p>Order (§6): a delivery is not leased while a delivery of an earlier event of the same invoice to the
     * same target is still waiting for its first attempt, leased ones included. So a receiver gets an
     * invoice's events, first attempts, in sequence order: the next is sent only after the previous one's
     * first attempt has ended. A failed first attempt releases the later events (its retry is not waited
     * for, or one failing event would hold back the rest forever), so retries can arrive after later
     * events; receivers order by {@code data.invoice.version}.
     *
     * <p>The candidates are read without locking them: a claim reads up to four times what it takes, and
     * locking them all ({@code FOR UPDATE SKIP LOCKED}) wrote a WAL record and dirtied a page for each (3.8
     * row-lock records per create under 16 threads of creates; 1.4–1.9 without, the foreign keys' checks). The
     * UPDATE that leases the chosen ones checks again that each is still due and unleased: a row another
     * instance is leasing at that moment is waited for (its round commits in milliseconds) and then left out, and
     * the round says more may be due.
     */
    private Round claim(int max, Set<String> saturated, ToIntFunction<String> capacity, Instant now) {
        if (max <= 0) {
            return new Round(List.of(), List.of(), false);
        }
        record Candidate(long id, String targetKey) {
        }
        int limit = max * 4;
        RowMapper<Candidate> candidate = (rs, i) -> new Candidate(rs.getLong(1), rs.getString(2));
        List<Candidate> candidates = saturated.isEmpty()
                ? jdbc.query(CANDIDATES, candidate, ts(now), ts(now), limit)
                : jdbc.query(CANDIDATES_OF_UNSATURATED, candidate, ts(now), ts(now), max,
                        saturated.toArray(String[]::new), limit);
        boolean more = candidates.size() == limit;
        Map<String, Integer> left = new HashMap<>();
        List<Long> chosen = new ArrayList<>();
        for (Candidate c : candidates) {
            int room = left.computeIfAbsent(c.targetKey(), capacity::applyAsInt);
            if (room > 0 && chosen.size() < max) {
                chosen.add(c.id());
                left.put(c.targetKey(), room - 1);
            }
        }
        if (chosen.isEmpty()) {
            return new Round(List.of(), List.of(), more);
        }
        String token = Ids.randomToken(24);
        Instant leaseUntil = now.plus(lease);
        List<Claim> claims = new ArrayList<>(jdbc.query(LEASE,
                (rs, i) -> new Claim(rs.getLong("id"), token, leaseUntil, rs.getString("event_id"),
                        rs.getString("endpoint_id"), rs.getString("url"), rs.getString("target_key"),
                        rs.getInt("attempts"), rs.getString("body"), rs.getTimestamp("occurred_at").toInstant(),
                        new StoreId(rs.getString("store_id")), null),
                ts(leaseUntil), token, chosen.toArray(Long[]::new), ts(now), ts(now)));
        more |= claims.size() < chosen.size();
        // In the candidates' order (due first), each with its endpoint: one query for the whole claim.
        claims.sort(Comparator.comparingInt(c -> chosen.indexOf(c.id())));
        Map<String, Endpoint> live = endpoints.live(claims.stream().map(Claim::endpointId).filter(Objects::nonNull)
                .collect(Collectors.toSet()));
        return new Round(List.of(), claims.stream()
                .map(c -> c.endpointId() == null ? c : c.withEndpoint(live.get(c.endpointId()))).toList(), more);
    }

    /**
     * {@link #complete} then {@link #claim}, in one transaction: the claim sees the finished first attempts
     * (the order rule lets their successors go), and the round costs one commit.
     */
    @Transactional
    Round completeAndClaim(List<Finished> finished, int max, Set<String> saturated, ToIntFunction<String> capacity,
                           Instant now) {
        List<String> disabled = complete(finished);
        Round claimed = claim(max, saturated, capacity, now);
        return new Round(disabled, claimed.claims(), claimed.more());
    }

    /**
     * Records finished attempts and moves their deliveries on, a few statements for any number of them.
     * Endpoint health moves with them: a success ends the failure streak, a failure starts or extends it and
     * disables an endpoint that has failed for too long. Returns the endpoints this disabled.
     */
    @Transactional
    List<String> complete(List<Finished> finished) {
        if (finished.isEmpty()) {
            return List.of();
        }
        var attempts = new ArrayList<Object[]>();
        for (Finished f : finished) {
            Claim claim = f.claim();
            Completion c = f.completion();
            attempts.add(new Object[] {Ids.random("att_"), claim.id(), claim.eventId(), claim.endpointId(),
                    c.attemptedAt().toString(), c.status() == null ? null : c.status().toString(), c.latencyMillis(),
                    c.error(), outcome(c.state()), c.nextAttemptAt() == null ? null : c.nextAttemptAt().toString(),
                    claim.leaseToken(), c.state()});
        }
        jdbc.update("""
                INSERT INTO delivery_attempt (id, delivery_id, event_id, endpoint_id, attempted_at, status_code,
                                              latency_ms, error, outcome, next_attempt_at)
                SELECT id, delivery_id, event_id, endpoint_id, attempted_at::timestamptz, status_code::int, latency_ms,
                       error, outcome, next_attempt_at::timestamptz
                FROM unnest(?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[],
                            ?::text[], ?::text[])
                     AS a(id, delivery_id, event_id, endpoint_id, attempted_at, status_code, latency_ms, error, outcome,
                          next_attempt_at)
                ORDER BY attempted_at""", columns(attempts, 0, 10));
        jdbc.update("""
                UPDATE delivery d SET state = a.state, attempts = d.attempts + 1,
                    next_attempt_at = a.next_attempt_at::timestamptz, last_status = a.status_code::int,
                    last_error = a.error, lease_until = NULL, lease_token = NULL,
                    updated_at = a.attempted_at::timestamptz
                FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                     AS a(id, lease_token, state, next_attempt_at, status_code, error, attempted_at)
                WHERE d.id = a.id AND d.lease_token = a.lease_token""",
                column(attempts, 1, Long[]::new), column(attempts, 10, String[]::new),
                column(attempts, 11, String[]::new), column(attempts, 9, String[]::new),
                column(attempts, 5, String[]::new), column(attempts, 7, String[]::new),
                column(attempts, 4, String[]::new));
        Set<String> recovered = new HashSet<>();
        List<String> disabled = new ArrayList<>();
        for (Finished f : finished) {
            Claim claim = f.claim();
            Completion c = f.completion();
            if (claim.endpointId() == null) {
                continue;
            }
            if (c.endpointSucceeded()) {
                // Most endpoints are healthy: only one that was failing when claimed has a streak to end. A
                // streak another instance starts meanwhile is ended by the next success claimed after it.
                if (claim.endpoint() == null || claim.endpoint().failingSince() != null) {
                    recovered.add(claim.endpointId());
                }
                continue;
            }
            String disable = c.disableEndpoint();
            Instant failingSince = endpoints.recordFailure(claim.endpointId(), c.attemptedAt());
            if (disable == null && RetryPolicy.failingTooLong(failingSince, c.attemptedAt(), disableAfterFailing)) {
                disable = "failing";
            }
            if (disable != null) {
                endpoints.disable(claim.endpointId(), disable, c.attemptedAt());
                disabled.add(claim.endpointId());
            }
        }
        endpoints.recordSuccess(recovered);
        return disabled;
    }

    /** Columns {@code from} to {@code to} (exclusive) of the rows, an array parameter each: bigint[] for the numbers. */
    private static Object[] columns(List<Object[]> rows, int from, int to) {
        Object[] columns = new Object[to - from];
        for (int i = from; i < to; i++) {
            columns[i - from] = i == 1 || i == 6 ? column(rows, i, Long[]::new) : column(rows, i, String[]::new);
        }
        return columns;
    }

    private static <T> T[] column(List<Object[]> rows, int index, IntFunction<T[]> array) {
        T[] column = array.apply(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            @SuppressWarnings("unchecked")
            T value = (T) rows.get(i)[index];
            column[i] = value;
        }
        return column;
    }

    /** Ends a claimed delivery without an attempt (its endpoint was disabled or deleted meanwhile). */
    @Transactional
    void finish(Claim claim, String state, String error, Instant now) {
        jdbc.update("""
                UPDATE delivery SET state = ?, last_error = ?, next_attempt_at = NULL, lease_until = NULL,
                    lease_token = NULL, updated_at = ?
                WHERE id = ? AND lease_token = ?""", state, error, ts(now), claim.id(), claim.leaseToken());
    }

    /** Gives claims back unattempted: they are due again at once, for any instance. */
    @Transactional
    void release(List<Claim> claims) {
        if (claims.isEmpty()) {
            return;
        }
        jdbc.update("""
                UPDATE delivery d SET lease_until = NULL, lease_token = NULL
                FROM unnest(?::bigint[], ?::text[]) AS c(id, lease_token)
                WHERE d.id = c.id AND d.lease_token = c.lease_token""",
                claims.stream().map(Claim::id).toArray(Long[]::new),
                claims.stream().map(Claim::leaseToken).toArray(String[]::new));
    }

    /** Deliveries waiting for an attempt (due or not). */
    long depth() {
        return jdbc.queryForObject("SELECT count(*) FROM delivery WHERE state = 'pending'", Long.class);
    }

    /** The event in the store's ledger of that mode: another store's or mode's event is as absent as a missing one. */
    Optional<StoredEvent> event(StoreId store, boolean livemode, String eventId) {
        return jdbc.query("""
                SELECT e.event_id, e.store_id, e.type, e.livemode, e.callback_url, e.invoice_id, i.sequence
                FROM webhook_event e JOIN event_inbox i ON i.event_id = e.event_id
                WHERE e.event_id = ? AND e.store_id = ? AND e.livemode = ?""",
                (rs, i) -> new StoredEvent(rs.getString(1), new StoreId(rs.getString(2)), rs.getString(3),
                        rs.getBoolean(4), rs.getString(5), rs.getString(6), rs.getLong(7)),
                eventId, store.value(), livemode)
                .stream().findFirst();
    }

    /**
     * Queues the event for the endpoint again, right now, as a fresh round of attempts. Like any first
     * attempt it waits for the first attempts of the invoice's earlier events to the endpoint.
     */
    void requeue(StoredEvent event, String endpointId, Instant now) {
        requeue(event, "endpoint_id", endpointId, WebhookEvents.endpointTarget(endpointId),
                "(event_id, endpoint_id) WHERE endpoint_id IS NOT NULL", now);
    }

    /** Queues the event for its invoice's callback URL again. */
    void requeueCallback(StoredEvent event, Instant now) {
        requeue(event, "url", event.callbackUrl(), WebhookEvents.callbackTarget(event.callbackUrl()),
                "(event_id) WHERE endpoint_id IS NULL", now);
    }

    /** {@code column} and {@code conflict} are constants: the endpoint or the callback form of a delivery row. */
    private void requeue(StoredEvent event, String column, String value, String targetKey, String conflict,
                         Instant now) {
        jdbc.update("""
                INSERT INTO delivery (event_id, invoice_id, sequence, %s, target_key, state, attempts, next_attempt_at,
                                      created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)
                ON CONFLICT %s DO UPDATE SET
                    state = 'pending', attempts = 0, next_attempt_at = excluded.next_attempt_at, lease_until = NULL,
                    lease_token = NULL, last_error = NULL, updated_at = excluded.updated_at"""
                        .formatted(column, conflict),
                event.eventId(), event.invoiceId(), event.sequence(), value, targetKey, ts(now), ts(now), ts(now));
    }

    /** Queues again every failed delivery to the endpoint of an event that happened at or after {@code since}. */
    int recover(String endpointId, Instant since, Instant now) {
        return jdbc.update("""
                UPDATE delivery d SET state = 'pending', attempts = 0, next_attempt_at = ?, lease_until = NULL,
                    lease_token = NULL, last_error = NULL, updated_at = ?
                FROM webhook_event e
                WHERE e.event_id = d.event_id AND d.endpoint_id = ? AND d.state = 'failed' AND e.occurred_at >= ?""",
                ts(now), ts(now), endpointId, ts(since));
    }

    ApiList<AttemptView> attempts(String endpointId, String eventId, ListParams params) {
        var args = new ArrayList<Object>(List.of(endpointId));
        String query = """
                SELECT a.id, a.event_id, e.type, a.endpoint_id, a.attempted_at, a.status_code, a.latency_ms, a.error,
                       a.outcome, a.next_attempt_at
                FROM delivery_attempt a JOIN webhook_event e ON e.event_id = a.event_id
                WHERE a.endpoint_id = ?""";
        if (eventId != null) {
            query += " AND a.event_id = ?";
            args.add(eventId);
        }
        return KeysetPages.fetch(jdbc, query, args, attemptSeq(endpointId, params.startingAfter(), "starting_after"),
                attemptSeq(endpointId, params.endingBefore(), "ending_before"), params, DeliveryQueue::attempt);
    }

    private Long attemptSeq(String endpointId, String id, String param) {
        if (id == null) {
            return null;
        }
        return jdbc.query("SELECT seq FROM delivery_attempt WHERE id = ? AND endpoint_id = ?",
                        (rs, i) -> rs.getLong(1), id, endpointId).stream().findFirst()
                .orElseThrow(() -> ApiException.invalid(param, "No such delivery attempt: " + id));
    }

    private static AttemptView attempt(ResultSet rs, int row) throws SQLException {
        Timestamp next = rs.getTimestamp("next_attempt_at");
        return new AttemptView(rs.getString("id"), "webhook_delivery_attempt", rs.getString("event_id"),
                rs.getString("type"), rs.getString("endpoint_id"), rs.getTimestamp("attempted_at").toInstant(),
                (Integer) rs.getObject("status_code"), rs.getLong("latency_ms"), rs.getString("error"),
                rs.getString("outcome"), next == null ? null : next.toInstant());
    }

    private static String outcome(String state) {
        return switch (state) {
            case "succeeded" -> "succeeded";
            case "pending" -> "retrying";
            default -> "failed";
        };
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }
}

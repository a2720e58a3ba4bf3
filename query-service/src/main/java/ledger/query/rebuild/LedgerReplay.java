package ledger.query.rebuild;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import ledger.events.LedgerEvent;
import ledger.events.InvoiceView;
import ledger.query.invoice.InvoiceTables;
import ledger.query.ledger.LedgerEvents;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.util.ByteConverter;

/**
 * One replay of the ledger into a fresh table: the snapshot's events are read in pages, whole
 * invoices are folded by several threads at once, and their rows stream into
 * {@link InvoiceTables#REPLAYED} with one {@code COPY … FREEZE} into a table created in the same
 * transaction and without any index yet.
 *
 * <p>Why this shape (measured, see {@code RebuildBenchmarkIT}): the JVM's share of the work is
 * parsing event JSON and writing view JSON (Jackson, about two thirds of it, parsing twice as much
 * as writing), so it is spread over every core; on PostgreSQL's side a {@code COPY} into a bare table
 * plus one sorted build per index costs a third less CPU than batched upserts into an indexed table.
 * Frozen rows spare the index builds and the first readers from setting hint bits on every page.
 */
final class LedgerReplay {

    /**
     * Keyset pages in (invoice, sequence) order: each is a range scan of the key's index, where one big
     * ordered query may be planned as a sort of the whole ledger; and a page ends cleanly when the
     * rebuild stops, where a cancelled {@code COPY TO} leaves its connection unusable.
     */
    private static final String READ = """
            SELECT invoice_id, sequence, payload FROM ledger_event
            WHERE (invoice_id, sequence) > (?, ?) ORDER BY invoice_id, sequence LIMIT ?""";
    /**
     * How much the replay reads and folds at a time: keyset pages of {@code readPage} events, fetched
     * {@code fetch} rows at a time, handed to a folder in whole invoices of about {@code eventsPerChunk} events.
     */
    record Sizes(int readPage, int fetch, int eventsPerChunk) {

        /**
         * What is in flight stays small enough for the young generation's survivor space (under 10 MB with
         * query-service's 256 MB heap): a page's rows are fetched a thousand at a time, and a folder takes a
         * thousand events. A whole page held at once and chunks of 4,000 overflowed it at every young
         * collection, so the old generation filled and a million-event rebuild stopped for eight full
         * collections (ledger-local/README.md, 2026-12-07 14:27–16:10 UTC).
         */
        static final Sizes DEFAULT = new Sizes(10_000, 1_000, 1_000);
    }

    /** Counts each event read; may sleep (pace) or throw to stop the replay. */
    interface Progress {
        void advance() throws InterruptedException;
    }

    private final ExecutorService folders;
    private final int parallelism;
    private final Sizes sizes;
    private final AtomicLong foldNanos = new AtomicLong();
    private final AtomicLong writeNanos = new AtomicLong();
    private long waitNanos;

    LedgerReplay(ExecutorService folders, int parallelism, Sizes sizes) {
        this.folders = folders;
        this.parallelism = parallelism;
        this.sizes = sizes;
    }

    /**
     * Replays every event visible to {@code source}'s transaction into a new {@link InvoiceTables#REPLAYED}
     * created and committed on {@code target}; returns how many events were read.
     */
    long run(Connection source, Connection target, Progress progress) throws Exception {
        target.setAutoCommit(false);
        try (Statement statement = target.createStatement()) {
            statement.execute("CREATE TABLE " + InvoiceTables.REPLAYED + " (LIKE " + InvoiceTables.LIVE
                    + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE)");
        }
        CopyIn copy = target.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + InvoiceTables.REPLAYED
                + " (" + InvoiceTables.COLUMNS + ") FROM STDIN WITH (FORMAT binary, FREEZE)");
        copy.writeToCopy(CopyRows.HEADER, 0, CopyRows.HEADER.length);
        var pending = new ArrayDeque<Future<?>>();
        long events = 0;
        try {
            try (PreparedStatement page = source.prepareStatement(READ)) {
                page.setFetchSize(sizes.fetch());
                String invoice = "";
                long sequence = 0;
                List<byte[]> history = null;
                var chunk = new ArrayList<List<byte[]>>();
                int chunkEvents = 0;
                boolean more = true;
                while (more) {
                    page.setString(1, invoice);
                    page.setLong(2, sequence);
                    page.setInt(3, sizes.readPage());
                    int read = 0;
                    try (ResultSet rs = page.executeQuery()) {
                        while (rs.next()) {
                            read++;
                            String next = rs.getString(1);
                            if (!next.equals(invoice)) {
                                if (chunkEvents >= sizes.eventsPerChunk()) {
                                    submit(chunk, copy, pending);
                                    chunk = new ArrayList<>();
                                    chunkEvents = 0;
                                }
                                invoice = next;
                                history = new ArrayList<>(4);
                                chunk.add(history);
                            }
                            sequence = rs.getLong(2);
                            history.add(rs.getBytes(3)); // the JSON's UTF-8 text as sent: a folder decodes it
                            chunkEvents++;
                            events++;
                            progress.advance();
                        }
                    }
                    more = read == sizes.readPage();
                }
                submit(chunk, copy, pending);
            }
            while (!pending.isEmpty()) {
                pending.removeFirst().get();
            }
            copy.writeToCopy(CopyRows.TRAILER, 0, CopyRows.TRAILER.length);
            copy.endCopy();
            target.commit();
            return events;
        } finally {
            // Only after a failure or a stop: let the folders end before the table goes away.
            for (Future<?> fold : pending) {
                try {
                    fold.get();
                } catch (ExecutionException e) {
                    // the first failure already surfaced
                }
            }
            if (copy.isActive()) {
                copy.cancelCopy();
            }
            if (!target.getAutoCommit()) {
                target.rollback(); // no-op after the commit; drops the half-loaded table otherwise
                target.setAutoCommit(true);
            }
        }
    }

    /** Where the time went, for the log. */
    String timings() {
        return "%d folders spent %d ms folding and %d ms writing; the reader waited %d ms for them".formatted(
                parallelism, foldNanos.get() / 1_000_000, writeNanos.get() / 1_000_000, waitNanos / 1_000_000);
    }

    /** Hands whole invoices to a folder, with at most two per folder in flight (bounded memory). */
    private void submit(List<List<byte[]>> invoices, CopyIn copy, Deque<Future<?>> pending) throws Exception {
        if (invoices.isEmpty()) {
            return;
        }
        long t0 = System.nanoTime();
        while (pending.size() >= 2 * parallelism) {
            pending.removeFirst().get(); // a fold's or write's failure surfaces here
        }
        waitNanos += System.nanoTime() - t0;
        pending.addLast(folders.submit(() -> {
            byte[] rows = fold(invoices);
            long t1 = System.nanoTime();
            synchronized (copy) {
                copy.writeToCopy(rows, 0, rows.length);
            }
            writeNanos.addAndGet(System.nanoTime() - t1);
            return null;
        }));
    }

    /** The rows of {@code invoices} (each its history's payloads in sequence order) as binary COPY rows. */
    private byte[] fold(List<List<byte[]>> invoices) {
        long t0 = System.nanoTime();
        var rows = new CopyRows(invoices.size() * 1_200);
        var history = new ArrayList<LedgerEvent>();
        for (List<byte[]> payloads : invoices) {
            history.clear();
            for (byte[] payload : payloads) {
                history.add(LedgerEvents.parse(payload));
            }
            InvoiceView.foldGapFree(history).ifPresent(view -> rows.append(
                    InvoiceTables.copyValues(history.get(0).storeId().value(), view)));
        }
        foldNanos.addAndGet(System.nanoTime() - t0);
        return rows.bytes();
    }

    /**
     * Rows in COPY's binary format: each value its length and its bytes as the column type's binary form, so
     * nothing is escaped on either side and PostgreSQL parses no number or timestamp text (perf of a rebuild:
     * reading COPY text was nearly a quarter of PostgreSQL's samples). Values are typed as
     * {@link InvoiceTables#copyValues} gives them: text as UTF-8 for {@code varchar}, {@code char} and {@code json}
     * alike, {@code byte[]} already UTF-8, {@code Boolean}, {@code Long} for {@code bigint}, {@code BigDecimal} for
     * {@code numeric} (pgjdbc's own binary form of it), {@code Instant} for {@code timestamptz}; null for NULL.
     */
    static final class CopyRows {

        /** The signature, no flags, no header extension. */
        static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0,
            0, 0, 0, 0, 0, 0, 0, 0};
        /** A field count of -1 ends the data. */
        static final byte[] TRAILER = {(byte) 0xFF, (byte) 0xFF};
        /** PostgreSQL's epoch, 2000-01-01T00:00:00Z, in Unix seconds. */
        private static final long POSTGRES_EPOCH = 946_684_800L;

        private byte[] buffer;
        private int size;

        CopyRows(int capacity) {
            buffer = new byte[capacity];
        }

        void append(Object[] values) {
            int16(values.length);
            for (Object value : values) {
                if (value == null) {
                    int32(-1);
                } else if (value instanceof byte[] utf8) {
                    int32(utf8.length);
                    put(utf8);
                } else if (value instanceof String text) {
                    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
                    int32(utf8.length);
                    put(utf8);
                } else if (value instanceof Boolean bool) {
                    int32(1);
                    ensure(1);
                    buffer[size++] = (byte) (bool ? 1 : 0);
                } else if (value instanceof Long number) {
                    int32(8);
                    int64(number);
                } else if (value instanceof BigDecimal decimal) {
                    byte[] numeric = ByteConverter.numeric(decimal);
                    int32(numeric.length);
                    put(numeric);
                } else if (value instanceof Instant instant) {
                    int32(8);
                    int64(microsSincePostgresEpoch(instant));
                } else {
                    throw new IllegalArgumentException("no COPY binary form for " + value.getClass());
                }
            }
        }

        byte[] bytes() {
            return Arrays.copyOf(buffer, size);
        }

        /**
         * Microseconds since 2000-01-01 as PostgreSQL reads the instant's text ({@link ledger.events.InstantText}):
         * a fraction finer than a microsecond is rounded the way {@code timestamptz_in} rounds it, {@code rint} of
         * the fraction read as a double times a million (half to even), so a rebuilt row equals the live one.
         */
        static long microsSincePostgresEpoch(Instant instant) {
            long seconds = instant.getEpochSecond() - POSTGRES_EPOCH;
            int nanos = instant.getNano();
            long micros = nanos % 1_000 == 0 ? nanos / 1_000
                    : (long) Math.rint(Double.parseDouble("0." + String.format("%09d", nanos)) * 1_000_000);
            return seconds * 1_000_000 + micros;
        }

        private void int16(int value) {
            ensure(2);
            ByteConverter.int2(buffer, size, value);
            size += 2;
        }

        private void int32(int value) {
            ensure(4);
            ByteConverter.int4(buffer, size, value);
            size += 4;
        }

        private void int64(long value) {
            ensure(8);
            ByteConverter.int8(buffer, size, value);
            size += 8;
        }

        private void put(byte[] bytes) {
            ensure(bytes.length);
            System.arraycopy(bytes, 0, buffer, size, bytes.length);
            size += bytes.length;
        }

        private void ensure(int more) {
            if (size + more > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
            }
        }
    }
}

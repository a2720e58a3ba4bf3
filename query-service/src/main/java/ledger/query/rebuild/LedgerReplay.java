package ledger.query.rebuild;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
    private static final int READ_PAGE = 10_000;
    private static final int EVENTS_PER_CHUNK = 4_000;

    /** Counts each event read; may sleep (pace) or throw to stop the replay. */
    interface Progress {
        void advance() throws InterruptedException;
    }

    private final ExecutorService folders;
    private final int parallelism;
    private final AtomicLong foldNanos = new AtomicLong();
    private final AtomicLong writeNanos = new AtomicLong();
    private long waitNanos;

    LedgerReplay(ExecutorService folders, int parallelism) {
        this.folders = folders;
        this.parallelism = parallelism;
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
                + " (" + InvoiceTables.COLUMNS + ") FROM STDIN WITH (FREEZE)");
        var pending = new ArrayDeque<Future<?>>();
        long events = 0;
        try {
            try (PreparedStatement page = source.prepareStatement(READ)) {
                String invoice = "";
                long sequence = 0;
                List<byte[]> history = null;
                var chunk = new ArrayList<List<byte[]>>();
                int chunkEvents = 0;
                boolean more = true;
                while (more) {
                    page.setString(1, invoice);
                    page.setLong(2, sequence);
                    page.setInt(3, READ_PAGE);
                    int read = 0;
                    try (ResultSet rs = page.executeQuery()) {
                        while (rs.next()) {
                            read++;
                            String next = rs.getString(1);
                            if (!next.equals(invoice)) {
                                if (chunkEvents >= EVENTS_PER_CHUNK) {
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
                    more = read == READ_PAGE;
                }
                submit(chunk, copy, pending);
            }
            while (!pending.isEmpty()) {
                pending.removeFirst().get();
            }
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

    /** The rows of {@code invoices} (each its history's payloads in sequence order) as COPY text. */
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
     * Rows in COPY's text format, written as UTF-8 as they are made: tab-separated, {@code \N} for NULL, and a
     * backslash escape for a backslash, tab, newline or carriage return in a value. Those four are ASCII, and in
     * UTF-8 no byte of a multi-byte character is ASCII, so the escaping works on the encoded bytes: each value is
     * encoded once and most are copied whole (profiled: escaping char by char was a seventh of the fold, this is a
     * twelfth).
     */
    static final class CopyRows {

        private byte[] buffer;
        private int size;

        CopyRows(int capacity) {
            buffer = new byte[capacity];
        }

        /** {@code values}: text, or text already encoded as UTF-8 bytes; null for NULL. */
        void append(Object[] values) {
            for (int i = 0; i < values.length; i++) {
                if (i > 0) {
                    put((byte) '\t');
                }
                Object value = values[i];
                if (value == null) {
                    put((byte) '\\');
                    put((byte) 'N');
                    continue;
                }
                byte[] utf8 = value instanceof byte[] bytes ? bytes : ((String) value).getBytes(StandardCharsets.UTF_8);
                int start = 0;
                for (int b = 0; b < utf8.length; b++) {
                    byte escape = switch (utf8[b]) {
                        case '\\' -> '\\';
                        case '\n' -> 'n';
                        case '\r' -> 'r';
                        case '\t' -> 't';
                        default -> 0;
                    };
                    if (escape != 0) {
                        put(utf8, start, b - start);
                        put((byte) '\\');
                        put(escape);
                        start = b + 1;
                    }
                }
                put(utf8, start, utf8.length - start);
            }
            put((byte) '\n');
        }

        byte[] bytes() {
            return Arrays.copyOf(buffer, size);
        }

        private void put(byte b) {
            ensure(1);
            buffer[size++] = b;
        }

        private void put(byte[] bytes, int offset, int length) {
            ensure(length);
            System.arraycopy(bytes, offset, buffer, size, length);
            size += length;
        }

        private void ensure(int more) {
            if (size + more > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
            }
        }
    }
}

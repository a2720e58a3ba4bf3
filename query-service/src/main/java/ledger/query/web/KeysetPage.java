package ledger.query.web;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import ledger.support.auth.ApiPrincipal;
import ledger.support.web.ApiException;
import ledger.support.web.ApiList;
import ledger.support.web.ListParams;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/**
 * A §4.1 cursor page over a table of one ledger (store and mode), by a unique key (e.g.
 * {@code created_at, id}), newest first — or oldest first for a history. The cursor is an item's public id;
 * its key is looked up in the same ledger, so pages stay exact when many rows share a timestamp and when
 * rows are added between requests, and another ledger's id is no cursor.
 *
 * @param table       the table (trusted, never from the request)
 * @param idColumn    the column holding the public id cursors name
 * @param key         the unique ordering columns, most significant first, e.g. {@code created_at, id}
 * @param what        the resource name for error messages, e.g. "invoice"
 * @param newestFirst descending key order (lists); false for ascending (an invoice's history)
 */
public record KeysetPage(String table, String idColumn, String key, String what, boolean newestFirst) {

    /** A list, newest first. */
    public KeysetPage(String table, String idColumn, String key, String what) {
        this(table, idColumn, key, what, true);
    }

    /**
     * Rows of {@code ledger}'s store and mode matching {@code where} (SQL conditions starting with
     * {@code AND}, with {@code args}), as one page.
     */
    public <T> ApiList<T> fetch(JdbcTemplate jdbc, String columns, ApiPrincipal ledger, String where,
                                List<Object> args, ListParams params, RowMapper<T> mapper) {
        var sql = new StringBuilder("SELECT ").append(columns).append(" FROM ").append(table)
                .append(" WHERE store_id = ? AND livemode = ?").append(where);
        var allArgs = new ArrayList<Object>();
        allArgs.add(ledger.storeId().value());
        allArgs.add(ledger.livemode());
        allArgs.addAll(args);
        String cursor = params.startingAfter() != null ? params.startingAfter() : params.endingBefore();
        boolean backwards = params.endingBefore() != null;
        if (cursor != null) {
            String param = backwards ? "ending_before" : "starting_after";
            Boolean exists = jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM " + table + " WHERE " + idColumn
                    + " = ? AND store_id = ? AND livemode = ?)", Boolean.class, cursor, ledger.storeId().value(),
                    ledger.livemode());
            if (!Boolean.TRUE.equals(exists)) {
                throw new ApiException(HttpStatus.BAD_REQUEST, "resource_missing",
                        "No such " + what + ": " + cursor, param);
            }
            // Older items (after, in a newest-first list) have smaller keys; a backward page reverses that.
            boolean smaller = backwards != newestFirst;
            sql.append(" AND (").append(key).append(smaller ? ") < (" : ") > (")
                    .append("SELECT ").append(key).append(" FROM ").append(table).append(" WHERE ")
                    .append(idColumn).append(" = ?)");
            allArgs.add(cursor);
        }
        String direction = backwards == newestFirst ? " ASC" : " DESC";
        sql.append(" ORDER BY ").append(Arrays.stream(key.split(","))
                .map(c -> c.trim() + direction).collect(Collectors.joining(", ")));
        sql.append(" LIMIT ").append(params.limit() + 1);
        List<T> rows = new ArrayList<>(jdbc.query(sql.toString(), mapper, allArgs.toArray()));
        boolean hasMore = rows.size() > params.limit();
        if (hasMore) {
            rows.remove(rows.size() - 1);
        }
        if (backwards) {
            Collections.reverse(rows); // fetched nearest the cursor first; the page keeps the list's order
        }
        return ApiList.of(rows, hasMore);
    }
}

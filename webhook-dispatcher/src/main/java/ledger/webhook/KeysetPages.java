package ledger.webhook;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import ledger.support.web.ApiList;
import ledger.support.web.ListParams;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/**
 * §4.1 cursor lists over a table with a monotonic {@code seq} column: newest first, {@code starting_after}
 * pages to older rows, {@code ending_before} to newer ones. Callers turn the cursor's public id into
 * its {@code seq} within the caller's store, so a cursor from another store never matches.
 */
public final class KeysetPages {

    private KeysetPages() {
    }

    /**
     * @param query       {@code SELECT … FROM … WHERE <filter>} (no ORDER BY / LIMIT)
     * @param args        the filter's arguments
     * @param afterSeq    seq of the {@code starting_after} row, or null
     * @param beforeSeq   seq of the {@code ending_before} row, or null
     */
    public static <T> ApiList<T> fetch(JdbcTemplate jdbc, String query, List<Object> args, Long afterSeq,
                                       Long beforeSeq, ListParams params, RowMapper<T> rows) {
        var all = new ArrayList<>(args);
        String sql;
        if (beforeSeq != null) {
            sql = query + " AND seq > ? ORDER BY seq ASC LIMIT ?";
            all.add(beforeSeq);
        } else if (afterSeq != null) {
            sql = query + " AND seq < ? ORDER BY seq DESC LIMIT ?";
            all.add(afterSeq);
        } else {
            sql = query + " ORDER BY seq DESC LIMIT ?";
        }
        all.add(params.limit() + 1);
        List<T> found = new ArrayList<>(jdbc.query(sql, rows, all.toArray()));
        boolean hasMore = found.size() > params.limit();
        List<T> page = new ArrayList<>(found.subList(0, Math.min(found.size(), params.limit())));
        if (beforeSeq != null) {
            Collections.reverse(page);
        }
        return ApiList.of(page, hasMore);
    }
}

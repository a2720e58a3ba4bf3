package ledger.query.web;

import java.time.Instant;
import java.util.List;

/**
 * The {@code created[gte|gt|lte|lt]} filter of list endpoints (RFC 3339 bounds, any combination).
 * {@link CreatedRangeResolver} binds the four bracketed names; Tomcat hands them over decoded whether the client sent
 * {@code created[gte]} or, through the gateway, {@code created%5Bgte%5D}.
 */
public record CreatedRange(Instant gte, Instant gt, Instant lte, Instant lt) {

    public static CreatedRange of(String gte, String gt, String lte, String lt) {
        return new CreatedRange(Instants.parse(CreatedRangeResolver.GTE, gte),
                Instants.parse(CreatedRangeResolver.GT, gt),
                Instants.parse(CreatedRangeResolver.LTE, lte),
                Instants.parse(CreatedRangeResolver.LT, lt));
    }

    /** Appends {@code AND column op ?} for each bound to {@code sql} and its argument to {@code args}. */
    public void appendTo(String column, StringBuilder sql, List<Object> args) {
        bound(column, ">=", gte, sql, args);
        bound(column, ">", gt, sql, args);
        bound(column, "<=", lte, sql, args);
        bound(column, "<", lt, sql, args);
    }

    private static void bound(String column, String op, Instant value, StringBuilder sql, List<Object> args) {
        if (value != null) {
            sql.append(" AND ").append(column).append(' ').append(op).append(" ?");
            args.add(Instants.sql(value));
        }
    }
}

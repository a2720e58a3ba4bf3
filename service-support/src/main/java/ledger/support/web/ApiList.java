package ledger.support.web;

import java.util.List;

/** A page of a list endpoint (§4.1): {@code {"object": "list", "data": [...], "has_more": bool}}. */
public record ApiList<T>(String object, List<T> data, boolean hasMore) {

    public static <T> ApiList<T> of(List<T> data, boolean hasMore) {
        return new ApiList<>("list", List.copyOf(data), hasMore);
    }
}

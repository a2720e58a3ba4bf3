package ledger.support.web;

import org.springframework.http.HttpStatus;

/**
 * Validated cursor parameters of a list endpoint (§4.1). Lists are newest first; {@code startingAfter}
 * is the id of the last item of the previous page (fetch older items), {@code endingBefore} the id of
 * the first item of the next page (fetch newer items, still returned newest first). Fetch
 * {@code limit + 1} rows to know {@code has_more}.
 */
public record ListParams(int limit, String startingAfter, String endingBefore) {

    public static final int DEFAULT_LIMIT = 10;
    public static final int MAX_LIMIT = 100;

    public static ListParams of(Integer limit, String startingAfter, String endingBefore) {
        int n = limit == null ? DEFAULT_LIMIT : limit;
        if (n < 1 || n > MAX_LIMIT) {
            throw ApiException.invalid("limit", "limit must be between 1 and " + MAX_LIMIT);
        }
        if (startingAfter != null && endingBefore != null) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "parameter_invalid",
                    "starting_after and ending_before cannot be used together", "ending_before");
        }
        return new ListParams(n, blankToNull(startingAfter), blankToNull(endingBefore));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}

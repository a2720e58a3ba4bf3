package ledger.support.web;

import java.util.List;

/**
 * The body of every error response (§4.1).
 *
 * @param error     a human message
 * @param code      the machine code clients branch on, e.g. {@code parameter_invalid}
 * @param param     the offending field, or null
 * @param details   one entry per offending field
 * @param requestId the {@code req_…} id also sent as {@code X-Request-Id}
 */
public record ApiError(String error, String code, String param, List<Detail> details, String requestId) {

    public record Detail(String field, String reason) {
    }
}

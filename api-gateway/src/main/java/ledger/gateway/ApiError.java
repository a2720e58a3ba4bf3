package ledger.gateway;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The house error body (SPEC §4.1), for the errors the gateway itself answers. */
record ApiError(String error, String code, String param, List<Map<String, String>> details,
        @JsonProperty("request_id") String requestId) {

    static ApiError of(String error, String code, String requestId) {
        return new ApiError(error, code, null, List.of(), requestId);
    }

}

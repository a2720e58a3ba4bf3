package ledger.gateway;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The house error body (SPEC §4.1), for the errors the gateway itself answers. */
record ApiError(String error, String code, String param, List<Map<String, String>> details,
        @JsonProperty("request_id") String requestId) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static ApiError of(String error, String code, String requestId) {
        return new ApiError(error, code, null, List.of(), requestId);
    }

    /**
     * The body as JSON text. Errors are written as text with an explicit JSON content type so that no
     * {@code Accept} header (text/html, application/json;q=0, …) can turn them into a 406 or a 500.
     */
    String json() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

}

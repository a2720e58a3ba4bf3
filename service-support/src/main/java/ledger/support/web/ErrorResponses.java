package ledger.support.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.MediaType;

/** Writes the §4.1 error body from places that run before Spring MVC, such as filters. */
public final class ErrorResponses {

    /** Request attribute: the machine code of the error this request was answered with. */
    public static final String CODE = ErrorResponses.class.getName() + ".code";

    private final ObjectMapper json;

    public ErrorResponses(ObjectMapper json) {
        this.json = json;
    }

    public ApiError body(HttpServletRequest request, ApiException e) {
        request.setAttribute(CODE, e.code());
        return new ApiError(e.getMessage(), e.code(), e.param(), e.details(), RequestIds.of(request));
    }

    public void write(HttpServletRequest request, HttpServletResponse response, ApiException e) throws IOException {
        response.setStatus(e.status().value());
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        json.writeValue(response.getOutputStream(), body(request, e));
    }
}

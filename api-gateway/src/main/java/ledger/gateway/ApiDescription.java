package ledger.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The merchant API's OpenAPI 3.1 document, served at {@code GET /openapi.json} without credentials
 * (SPEC §7). It is written by hand ({@code src/main/resources/openapi.json}) because it is the contract
 * merchants read; the services' contract tests hold their handlers, scopes and responses against it.
 * Read once at start, so a broken file stops the gateway instead of serving nonsense.
 */
@Component
class ApiDescription {

    static final String PATH = "/openapi.json";

    private final byte[] document;

    ApiDescription(@Value("classpath:openapi.json") Resource resource, ObjectMapper json) {
        try (InputStream in = resource.getInputStream()) {
            this.document = in.readAllBytes();
            JsonNode parsed = json.readTree(this.document);
            if (!parsed.path("openapi").asText().startsWith("3.1")) {
                throw new IllegalStateException(resource + " is not an OpenAPI 3.1 document");
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot read the OpenAPI document " + resource, ex);
        }
    }

    ServerResponse serve(ServerRequest request) {
        // Revalidated on every use, since a redeploy changes it under the same URL.
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).cacheControl(CacheControl.noCache())
            .body(this.document);
    }

}

package ledger.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The merchant API's OpenAPI 3.1 document, served at {@code GET /openapi.json} without credentials
 * (SPEC §7). It is written by hand ({@code src/main/resources/openapi.json}) because it is the contract
 * merchants read; the services' contract tests hold their handlers, scopes and responses against it,
 * and the gateway routes exactly its operations ({@link GatewayRoutes}).
 * Read once at start, so a broken file stops the gateway instead of serving nonsense.
 */
@Component
class ApiDescription {

    static final String PATH = "/openapi.json";

    /** The HTTP methods an OpenAPI path item can hold, in the document's spelling. */
    private static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch",
            "trace");

    /**
     * One documented operation.
     *
     * @param path the path template as documented, e.g. {@code /v1/invoices/{id}}
     * @param service its {@code x-ledger-service}: the backend that serves it, or {@code api-gateway}
     */
    record Operation(HttpMethod method, String path, String service) {
    }

    private final byte[] document;

    private final List<Operation> operations;

    ApiDescription(@Value("classpath:openapi.json") Resource resource, ObjectMapper json) {
        try (InputStream in = resource.getInputStream()) {
            this.document = in.readAllBytes();
            JsonNode parsed = json.readTree(this.document);
            if (!parsed.path("openapi").asText().startsWith("3.1")) {
                throw new IllegalStateException(resource + " is not an OpenAPI 3.1 document");
            }
            this.operations = operations(parsed);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot read the OpenAPI document " + resource, ex);
        }
    }

    private static List<Operation> operations(JsonNode document) {
        List<Operation> operations = new ArrayList<>();
        document.path("paths").properties().forEach(path -> METHODS.forEach(method -> {
            JsonNode operation = path.getValue().get(method);
            if (operation != null) {
                operations.add(new Operation(HttpMethod.valueOf(method.toUpperCase(Locale.ROOT)), path.getKey(),
                        operation.path("x-ledger-service").asText()));
            }
        }));
        return List.copyOf(operations);
    }

    /** Every operation under {@code paths}, in document order. */
    List<Operation> operations() {
        return this.operations;
    }

    ServerResponse serve(ServerRequest request) {
        // Revalidated on every use, since a redeploy changes it under the same URL.
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).cacheControl(CacheControl.noCache())
            .body(this.document);
    }

}

package ledger.testsupport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.oas.OpenApi31;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The merchant API's OpenAPI 3.1 document ({@value #LOCATION}, served by the gateway at
 * {@code /openapi.json}) as tests see it: its operations with the service each is routed to
 * ({@code x-ledger-service}) and the scope it needs ({@code x-required-scope}), and its schemas as
 * JSON Schema 2020-12 validators, so that tests can hold real responses and webhooks against it.
 *
 * <p>Tests run in their module's directory; the document is found there or in a parent directory, so
 * every module reads the one file the gateway serves, not a copy.
 */
public final class OpenApiDocument {

    /** Where the document lives, relative to the repository root. */
    public static final String LOCATION = "api-gateway/src/main/resources/openapi.json";

    /** The HTTP methods an OpenAPI path item can hold, in the document's spelling. */
    static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TEMPLATE_VARIABLE = Pattern.compile("\\{[^}/]+}");
    private static OpenApiDocument loaded;

    private final Path file;
    private final JsonNode document;
    private final JsonSchemaFactory schemas;
    private final SchemaValidatorsConfig config;
    private final Map<String, JsonSchema> compiled = new ConcurrentHashMap<>();

    /**
     * One documented operation.
     *
     * @param method  upper-case HTTP method
     * @param path    the path template as documented, e.g. {@code /v1/invoices/{id}}
     * @param service {@code x-ledger-service}: command-service, query-service, webhook-dispatcher, api-gateway
     * @param scope   {@code x-required-scope}, or null for admin and public operations
     * @param pointer JSON pointer of the operation object in the document
     */
    public record Operation(String method, String path, String service, String scope, String pointer) {

        /** Method and path with every variable written {@code {}}: what identifies a route. */
        public String route() {
            return method + " " + normalise(path);
        }
    }

    private OpenApiDocument(Path file) {
        this.file = file;
        try {
            this.document = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        // The document's own top-level keys are not JSON Schema keywords; naming them keeps the
        // validator from warning about them when it loads the file to resolve a fragment.
        var dialect = JsonMetaSchema.builder(OpenApi31.getInstance());
        document.fieldNames().forEachRemaining(name -> dialect.keyword(new NonValidationKeyword(name)));
        var metaSchema = dialect.build();
        this.schemas = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                builder -> builder.metaSchema(metaSchema).defaultMetaSchemaIri(metaSchema.getIri()));
        this.config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    }

    /** The document, read once per JVM. */
    public static synchronized OpenApiDocument load() {
        if (loaded == null) {
            loaded = new OpenApiDocument(locate(Path.of("").toAbsolutePath()));
        }
        return loaded;
    }

    static Path locate(Path start) {
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(LOCATION);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("No " + LOCATION + " in " + start + " or any parent directory");
    }

    public JsonNode json() {
        return document;
    }

    public Path file() {
        return file;
    }

    /** Every operation under {@code paths}, in document order. */
    public List<Operation> operations() {
        var operations = new ArrayList<Operation>();
        document.path("paths").fields().forEachRemaining(path -> METHODS.forEach(method -> {
            JsonNode operation = path.getValue().get(method);
            if (operation != null) {
                operations.add(new Operation(method.toUpperCase(Locale.ROOT), path.getKey(),
                        text(operation, "x-ledger-service"), text(operation, "x-required-scope"),
                        "/paths/" + escape(path.getKey()) + "/" + method));
            }
        }));
        return operations;
    }

    /** The operations routed to {@code service}. */
    public List<Operation> operationsOf(String service) {
        return operations().stream().filter(o -> service.equals(o.service())).toList();
    }

    /**
     * The operation a concrete request hits, e.g. {@code GET /v1/invoices/inv_1?as_of=…}: the query is
     * ignored, and literal segments win over variables.
     */
    public Optional<Operation> operation(String method, String concretePath) {
        String path = concretePath.contains("?") ? concretePath.substring(0, concretePath.indexOf('?')) : concretePath;
        return operations().stream()
                .filter(o -> o.method().equalsIgnoreCase(method) && matches(o.path(), path))
                .min(Comparator.comparingLong(o -> TEMPLATE_VARIABLE.matcher(o.path()).results().count()));
    }

    /** Problems of {@code instance} against the schema at {@code pointer} (e.g. {@code /components/schemas/Invoice}). */
    public List<String> validate(String pointer, JsonNode instance) {
        if (document.at(pointer).isMissingNode()) {
            throw new IllegalArgumentException("no schema at " + pointer + " in " + file);
        }
        JsonSchema schema = compiled.computeIfAbsent(pointer,
                p -> schemas.getSchema(SchemaLocation.of(file.toUri() + "#" + p), config));
        return schema.validate(instance).stream().map(ValidationMessage::getMessage).sorted().toList();
    }

    /**
     * Sends a request, fails unless it is answered with {@code expectedStatus}, and holds the response
     * against the document ({@link #assertResponse(String, String, ApiClient.Response)}).
     *
     * @param headers name/value pairs
     */
    public ApiClient.Response exchange(ApiClient api, int expectedStatus, String method, String path, String token,
                                       String body, String... headers) {
        var response = api.send(method, path, token, body, headers);
        if (response.status() != expectedStatus) {
            throw new AssertionError(method + " " + path + ": expected " + expectedStatus + " but was "
                    + response.status() + ": " + response.raw());
        }
        assertResponse(method, path, response);
        return response;
    }

    /**
     * Fails unless a real response is what the document says {@code method path} answers with its status:
     * the status is documented (exactly, as {@code 4XX}, or as {@code default}), every required header is
     * there and matches its schema, the content type is documented and the body matches its schema
     * (for NDJSON, every line). Error bodies thereby carry only the codes documented for that status.
     */
    public void assertResponse(String method, String path, ApiClient.Response response) {
        assertResponse(method, path, response.status(), name -> response.header(name).orElse(null), response.raw());
    }

    /** As {@link #assertResponse(String, String, ApiClient.Response)}, for a response given in parts. */
    public void assertResponse(String method, String path, int status, Function<String, String> headers, String body) {
        Operation operation = operation(method, path).orElseThrow(() -> new AssertionError(
                method + " " + path + " is not documented in " + file));
        String what = method + " " + path + " → " + status;
        String responses = operation.pointer() + "/responses";
        String pointer = responsePointer(responses, status)
                .orElseThrow(() -> new AssertionError(what + ": status not documented for " + operation.route()
                        + "\n" + body));
        pointer = resolve(pointer);
        var problems = new ArrayList<String>();
        checkHeaders(pointer + "/headers", headers, problems);
        checkContent(pointer + "/content", headers.apply("Content-Type"), body, problems);
        if (!problems.isEmpty()) {
            throw new AssertionError(what + " does not match " + pointer + ":\n  " + String.join("\n  ", problems)
                    + "\nbody: " + body);
        }
    }

    /**
     * Fails unless a received webhook is what the document's {@code webhooks} section says: the body
     * matches the schema of its {@code type} and the Standard Webhooks headers match theirs.
     */
    public void assertWebhook(String body, Function<String, String> headers) {
        JsonNode payload = parse(body);
        String type = payload.path("type").asText();
        String operation = "/webhooks/" + escape(type) + "/post";
        if (document.at(operation).isMissingNode()) {
            throw new AssertionError("webhook type " + type + " is not documented: " + body);
        }
        var problems = new ArrayList<String>();
        for (JsonNode parameter : document.at(operation + "/parameters")) {
            String parameterPointer = parameter.has("$ref") ? parameter.get("$ref").asText().substring(1)
                    : null;
            JsonNode resolved = parameterPointer == null ? parameter : document.at(parameterPointer);
            String name = resolved.path("name").asText();
            String value = headers.apply(name);
            if (value == null) {
                if (resolved.path("required").asBoolean()) {
                    problems.add("header " + name + " missing");
                }
                continue;
            }
            String schema = parameterPointer != null ? parameterPointer + "/schema"
                    : operation + "/parameters/" + indexOf(document.at(operation + "/parameters"), parameter) + "/schema";
            validate(schema, headerValue(document.at(schema), value)).forEach(p -> problems.add("header " + name + ": " + p));
        }
        validate(operation + "/requestBody/content/application~1json/schema", payload).forEach(problems::add);
        if (!problems.isEmpty()) {
            throw new AssertionError("webhook " + type + " does not match " + operation + ":\n  "
                    + String.join("\n  ", problems) + "\nbody: " + body);
        }
    }

    /**
     * Problems of the document itself that JSON parsing does not catch: {@code $ref}s that point
     * nowhere, schemas the validator cannot compile, examples that do not match their schema, operations
     * without a service, with duplicate ids, or whose scope and security requirement disagree, and
     * responses without {@code X-Request-Id}.
     */
    public List<String> lint() {
        var problems = new ArrayList<String>();
        walk(document, "", (pointer, node) -> {
            JsonNode ref = node.get("$ref");
            if (ref != null && ref.isTextual()
                    && (!ref.asText().startsWith("#/") || document.at(ref.asText().substring(1)).isMissingNode())) {
                problems.add(pointer + ": $ref " + ref.asText() + " points nowhere");
            }
        });
        document.path("components").path("schemas").fieldNames().forEachRemaining(name -> {
            try {
                validate("/components/schemas/" + escape(name), JSON.nullNode());
            } catch (RuntimeException e) {
                problems.add("/components/schemas/" + name + " does not compile: " + e.getMessage());
            }
        });
        walk(document, "", (pointer, node) -> {
            if (!pointer.contains("/content/") || !node.has("schema")) {
                return;
            }
            if (node.has("example")) {
                validate(pointer + "/schema", node.get("example"))
                        .forEach(p -> problems.add(pointer + "/example: " + p));
            }
            node.path("examples").fields().forEachRemaining(example -> validate(pointer + "/schema",
                    example.getValue().path("value"))
                    .forEach(p -> problems.add(pointer + "/examples/" + example.getKey() + ": " + p)));
        });
        var ids = new HashSet<String>();
        for (Operation operation : operations()) {
            JsonNode node = document.at(operation.pointer());
            String id = text(node, "operationId");
            if (id == null || !ids.add(id)) {
                problems.add(operation.route() + ": missing or duplicate operationId " + id);
            }
            if (!Set.of("command-service", "query-service", "webhook-dispatcher", "api-gateway")
                    .contains(String.valueOf(operation.service()))) {
                problems.add(operation.route() + ": x-ledger-service is " + operation.service());
            }
            problems.addAll(securityProblems(operation, node.path("security")));
            node.path("responses").fields().forEachRemaining(response -> {
                String pointer = resolve(operation.pointer() + "/responses/" + response.getKey());
                if (document.at(pointer + "/headers/X-Request-Id").isMissingNode()) {
                    problems.add(operation.route() + " " + response.getKey() + ": no X-Request-Id header");
                }
            });
        }
        return problems;
    }

    private List<String> securityProblems(Operation operation, JsonNode security) {
        var problems = new ArrayList<String>();
        String route = operation.route();
        boolean admin = operation.path().startsWith("/admin/");
        if (operation.scope() != null) {
            JsonNode roles = security.path(0).path("apiKey");
            if (security.size() != 1 || roles.size() != 1 || !operation.scope().equals(roles.path(0).asText())) {
                problems.add(route + ": security must be [{apiKey: [" + operation.scope() + "]}], is " + security);
            }
            if (admin) {
                problems.add(route + ": an admin path with a merchant scope");
            }
        } else if (admin) {
            if (security.size() != 1 || !security.path(0).has("adminToken")) {
                problems.add(route + ": admin operations need security [{adminToken: []}], is " + security);
            }
        } else if (!security.isArray() || !security.isEmpty()) {
            problems.add(route + ": no x-required-scope, so it must be public (security: []), is " + security);
        }
        return problems;
    }

    private Optional<String> responsePointer(String responses, int status) {
        JsonNode all = document.at(responses);
        for (String key : List.of(Integer.toString(status), (status / 100) + "XX", "default")) {
            if (all.has(key)) {
                return Optional.of(responses + "/" + key);
            }
        }
        return Optional.empty();
    }

    /** Follows a chain of {@code $ref}s to the object they name. */
    private String resolve(String pointer) {
        String current = pointer;
        for (int i = 0; i < 10 && document.at(current).has("$ref"); i++) {
            current = document.at(current).get("$ref").asText().substring(1);
        }
        return current;
    }

    private void checkHeaders(String pointer, Function<String, String> headers, List<String> problems) {
        document.at(pointer).fields().forEachRemaining(header -> {
            String headerPointer = resolve(pointer + "/" + escape(header.getKey()));
            JsonNode definition = document.at(headerPointer);
            String value = headers.apply(header.getKey());
            if (value == null) {
                if (definition.path("required").asBoolean()) {
                    problems.add("required header " + header.getKey() + " missing");
                }
                return;
            }
            validate(headerPointer + "/schema", headerValue(definition.path("schema"), value))
                    .forEach(p -> problems.add("header " + header.getKey() + ": " + p));
        });
    }

    private void checkContent(String pointer, String contentType, String body, List<String> problems) {
        JsonNode content = document.at(pointer);
        if (content.isMissingNode() || content.isEmpty()) {
            if (body != null && !body.isEmpty()) {
                problems.add("a body where the document has none");
            }
            return;
        }
        if (contentType == null) {
            problems.add("no Content-Type; documented: " + fieldNames(content));
            return;
        }
        String mediaType = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (!content.has(mediaType)) {
            problems.add("Content-Type " + mediaType + " not documented; documented: " + fieldNames(content));
            return;
        }
        String schema = pointer + "/" + escape(mediaType) + "/schema";
        if (mediaType.equals("application/json")) {
            validate(schema, parse(body)).forEach(problems::add);
        } else if (mediaType.equals("application/x-ndjson")) {
            int line = 0;
            for (String row : body.split("\n")) {
                line++;
                if (!row.isBlank()) {
                    int n = line;
                    validate(schema, parse(row)).forEach(p -> problems.add("line " + n + ": " + p));
                }
            }
        } else {
            validate(schema, TextNode.valueOf(body)).forEach(problems::add);
        }
    }

    /** Headers are text on the wire; an integer-typed header is compared as the number it spells. */
    private static JsonNode headerValue(JsonNode schema, String value) {
        if ("integer".equals(schema.path("type").asText())) {
            try {
                return IntNode.valueOf(Integer.parseInt(value.trim()));
            } catch (NumberFormatException e) {
                return TextNode.valueOf(value);
            }
        }
        return TextNode.valueOf(value);
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    static boolean matches(String template, String path) {
        String[] t = template.split("/", -1);
        String[] p = path.split("/", -1);
        if (t.length != p.length) {
            return false;
        }
        for (int i = 0; i < t.length; i++) {
            boolean variable = TEMPLATE_VARIABLE.matcher(t[i]).matches();
            if (variable ? p[i].isEmpty() : !t[i].equals(p[i])) {
                return false;
            }
        }
        return true;
    }

    /** {@code /v1/invoices/{id}} and {@code /v1/invoices/{invoiceId}} are the same route: {@code /v1/invoices/{}}. */
    public static String normalise(String template) {
        return TEMPLATE_VARIABLE.matcher(template).replaceAll("{}");
    }

    /** A path as one JSON pointer token. */
    static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static int indexOf(JsonNode array, JsonNode element) {
        for (int i = 0; i < array.size(); i++) {
            if (array.get(i) == element) {
                return i;
            }
        }
        return -1;
    }

    private static List<String> fieldNames(JsonNode node) {
        var names = new ArrayList<String>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private interface Visitor {
        void visit(String pointer, JsonNode node);
    }

    private static void walk(JsonNode node, String pointer, Visitor visitor) {
        if (node.isObject()) {
            visitor.visit(pointer, node);
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                var field = it.next();
                walk(field.getValue(), pointer + "/" + escape(field.getKey()), visitor);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), pointer + "/" + i, visitor);
            }
        }
    }
}

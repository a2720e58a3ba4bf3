package ledger.local.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What every answer of the ledger must be, however bad the request (SPEC §4.1): never a 5xx, never a
 * stack trace or a Java class name, an {@code X-Request-Id}, and a 4xx body in the house error shape
 * {@code {"error","code","param","details","request_id"}} with a non-empty machine code. The buyer's hosted
 * invoice page (SPEC §8, under {@code /checkout/}) is HTML by design, its 404 page included: an HTML answer
 * there keeps every rule but the JSON error shape.
 */
final class HouseRules {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern REQUEST_ID = Pattern.compile("req_[A-Za-z0-9]{1,64}");
    private static final Pattern CODE = Pattern.compile("[a-z][a-z0-9_]*");
    /** A stack frame, a qualified name in a package an implementation detail lives in, or an exception's name. */
    private static final List<Pattern> LEAKS = List.of(
            Pattern.compile("\\bat [\\w$.]+\\([\\w$]*(\\.java)?:?\\d*\\)"),
            Pattern.compile("\\b(java|javax|jakarta|sun|com\\.sun|org\\.springframework|org\\.apache|org\\.axonframework"
                    + "|com\\.fasterxml|org\\.postgresql|com\\.zaxxer|org\\.hibernate|reactor|io\\.micrometer|ledger)"
                    + "\\.[a-z_$][\\w$]*\\.[\\w$.]+"),
            Pattern.compile("\\b[A-Z][A-Za-z0-9]*(Exception|Error)\\b"),
            Pattern.compile("(?i)Whitelabel|Apache Tomcat"));
    /** A framework's error page where the house JSON error belongs. */
    private static final Pattern HTML = Pattern.compile("(?i)<html");

    private HouseRules() {
    }

    /** Every broken rule, each naming the request; empty when the answer is a clean one. */
    static List<String> violations(RawHttp.Request request, RawHttp.Response response) {
        List<String> problems = new ArrayList<>();
        String text = response.text();
        String where = "\nrequest: " + request.describe() + "\nanswer: " + response.status() + " "
                + RawHttp.cut(text, 800);
        if (response.status() >= 500) {
            problems.add("a " + response.status() + where);
        }
        boolean checkoutPage = request.target().startsWith("/checkout/")
                && response.header("Content-Type").orElse("").startsWith("text/html");
        var html = HTML.matcher(text);
        if (!checkoutPage && html.find()) {
            problems.add("the answer shows '" + html.group() + "'" + where);
        }
        for (Pattern leak : LEAKS) {
            var inBody = leak.matcher(text);
            if (inBody.find()) {
                problems.add("the answer shows '" + inBody.group() + "'" + where);
            }
            for (Map.Entry<String, List<String>> header : response.headers().entrySet()) {
                for (String value : header.getValue()) {
                    var inHeader = leak.matcher(value);
                    if (inHeader.find()) {
                        problems.add("header " + header.getKey() + " shows '" + inHeader.group() + "'" + where);
                    }
                }
            }
        }
        String requestId = response.header("X-Request-Id").orElse(null);
        // "OPTIONS *" asks the server, not a resource: Tomcat's connector answers it (200 + Allow, no body)
        // before any valve or filter runs, so no request id can be stamped on it.
        boolean serverWideOptions = request.method().equals("OPTIONS") && request.target().equals("*");
        if (!serverWideOptions && (requestId == null || !REQUEST_ID.matcher(requestId).matches())) {
            problems.add("X-Request-Id is " + requestId + where);
        }
        if (response.status() >= 400 && response.status() < 500 && !request.method().equals("HEAD") && !checkoutPage) {
            // An idempotent replay is the first response, body and all, so its request_id is the first request's.
            boolean replay = response.header("Idempotent-Replayed").isPresent();
            problems.addAll(errorShape(text, replay ? null : requestId).stream().map(p -> p + where).toList());
        }
        return problems;
    }

    /** {@code requestId} null: any well-formed request id will do. */
    private static List<String> errorShape(String text, String requestId) {
        JsonNode body;
        try {
            body = JSON.readTree(text);
        } catch (IOException e) {
            return List.of("the error body is not JSON");
        }
        if (body == null || !body.isObject()) {
            return List.of("the error body is not a JSON object");
        }
        List<String> problems = new ArrayList<>();
        if (!body.path("error").isTextual() || body.path("error").asText().isBlank()) {
            problems.add("the error body has no human message (error)");
        }
        if (!body.path("code").isTextual() || !CODE.matcher(body.path("code").asText()).matches()) {
            problems.add("the error body has no machine code: code=" + body.get("code"));
        }
        if (!body.has("param") || !(body.get("param").isNull() || body.get("param").isTextual())) {
            problems.add("the error body has no param (string or null): " + body.get("param"));
        }
        if (!body.path("details").isArray()) {
            problems.add("the error body has no details array: " + body.get("details"));
        }
        if (!body.path("request_id").isTextual() || !REQUEST_ID.matcher(body.path("request_id").asText()).matches()
                || (requestId != null && !body.path("request_id").asText().equals(requestId))) {
            problems.add("the error body's request_id " + body.get("request_id") + " is not the X-Request-Id " + requestId);
        }
        return problems;
    }
}

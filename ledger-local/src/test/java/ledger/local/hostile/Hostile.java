package ledger.local.hostile;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Generators of what a hostile or careless client sends: JSON values of every wrong kind, malformed
 * and oversize bodies, request bodies of the real endpoints with their fields mutated, garbage ids and
 * query strings, bad credentials, odd methods and content types.
 */
final class Hostile {

    /** Field names the API knows somewhere, so that mutations hit the parsers, not just the unknown-field check. */
    static final List<String> KNOWN_FIELDS = List.of(
            "amount", "line_items", "currency", "external_order_id", "description", "customer_email", "due_date",
            "expires_in", "expires_at", "callback_url", "return_url", "metadata", "store_id", "reference", "method", "received_at",
            "reason", "url", "enabled_events", "disabled", "since", "endpoint", "name", "scopes", "mode", "key",
            "max_events_per_second");

    static final List<String> QUERY_PARAMS = List.of(
            "limit", "starting_after", "ending_before", "status", "type", "invoice", "external_order_id",
            "created[gte]", "created[gt]", "created[lte]", "created[lt]", "created", "as_of", "currency", "from", "to",
            "format", "event");

    private Hostile() {
    }

    // ---- JSON values ------------------------------------------------------------------------------

    static Arbitrary<String> jsonNumber() {
        return Arbitraries.oneOf(
                Arbitraries.of("0", "-0", "-1", "1", "0.1", "1e3", "1E+3", "-1e-7", "1.000000000000000000001",
                        "1e309", "-1e309", "1e-400", "1e2147483648", "123456789012345678901234567890",
                        "9".repeat(1200), "1." + "0".repeat(1200) + "1", "0.00", "100.00", "1000000000.01",
                        "2592001", "-2592000", "9223372036854775808", "-9223372036854775809", "4.9e-324"),
                Arbitraries.longs().map(l -> Long.toString(l)),
                Arbitraries.doubles().map(d -> Double.isFinite(d) ? Double.toString(d) : "1e999"),
                Arbitraries.bigDecimals().map(d -> d.toPlainString()));
    }

    /** Text that is hard on parsers, validators and logs. */
    static Arbitrary<String> nastyText() {
        return Arbitraries.oneOf(
                Arbitraries.of("", " ", "\t\n", "null", "undefined", "NaN", "Infinity", "-Infinity", "true",
                        "0", "1e3", "-1.00", "99.001", "1,000.00", "١٢٣", "１２３", "USD", "usd", "XXX", "EUR ", "€",
                        "inv_", "inv_" + "A".repeat(24), "evt_000000000000000000000000", "we_x", "st_x",
                        "sk_test_" + "x".repeat(40), "http://169.254.169.254/latest/meta-data/", "file:///etc/passwd",
                        "javascript:alert(1)", "https://", "https://" + "a".repeat(300) + ".example.com",
                        "' OR '1'='1' --", "\"; DROP TABLE invoice; --", "${jndi:ldap://x/a}", "{{7*7}}", "%s%s%n",
                        "../../../etc/passwd", "\u0000", "a\u0000b", "\u202Egnp.exe", "\u200B", "\uFEFF",
                        "🙂🙃💸", "e\u0301", "𝕬𝖒𝖔𝖚𝖓𝖙", "Ω≈ç√∫", "日本語のテキスト", "مرحبا",
                        "2026-02-30", "2026-13-01", "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z",
                        "+292278994-08-17T07:12:55.807Z", "2026-01-01T00:00:00+25:00", "yesterday",
                        "x".repeat(256), "y".repeat(5000)),
                Arbitraries.strings().all().ofMaxLength(40),
                Arbitraries.strings().withCharRange('\u0000', '\u001f').ofMinLength(1).ofMaxLength(8));
    }

    /** A JSON string literal, escaped properly (or on purpose not: a lone surrogate escape). */
    static Arbitrary<String> jsonString() {
        return Arbitraries.oneOf(
                nastyText().map(Hostile::quote),
                Arbitraries.of("\"\\ud800\"", "\"\\udfff\\ud800\"", "\"\\u0000\"", "\"\\x41\"", "\"\\q\""));
    }

    static Arbitrary<String> jsonValue() {
        return Arbitraries.lazyOf(
                () -> Arbitraries.of("null", "true", "false", "{}", "[]", "[null]", "{\"\":null}"),
                Hostile::jsonNumber,
                Hostile::jsonString,
                () -> jsonValue().list().ofMaxSize(4).map(items -> "[" + String.join(",", items) + "]"),
                () -> Combinators.combine(fieldName(), jsonValue()).as((k, v) -> "{" + quote(k) + ":" + v + "}"),
                Hostile::deepNesting);
    }

    static Arbitrary<String> deepNesting() {
        return Combinators.combine(Arbitraries.integers().between(100, 5000), Arbitraries.of("[", "{\"a\":"))
                .as((depth, open) -> open.repeat(depth) + "1" + (open.equals("[") ? "]" : "}").repeat(depth));
    }

    static Arbitrary<String> fieldName() {
        return Arbitraries.oneOf(
                Arbitraries.of(KNOWN_FIELDS),
                Arbitraries.of("Amount", "AMOUNT", "amount ", "amountPaid", "amount_paid", "id", "object", "status",
                        "version", "livemode", "__proto__", "constructor", "$where", "", " ", "🙂", "a\u0000b", "@type",
                        "class"),
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12));
    }

    // ---- bodies -----------------------------------------------------------------------------------

    /** Whole bodies that are not what any endpoint expects: malformed, the wrong JSON kind, oversize. */
    static Arbitrary<byte[]> brokenBody() {
        return Arbitraries.oneOf(
                Arbitraries.of("", " ", "{", "}", "{\"amount\":", "{\"amount\":\"1.00\",}", "{'amount':'1.00'}",
                        "{amount:1}", "{\"amount\":\"1.00\"} trailing", "{\"a\":1}{\"b\":2}", "/* c */ {}",
                        "\uFEFF{\"amount\":\"1.00\"}", "[1,2", "\"\\u", "nul", "tru", "NaN", "[]", "\"text\"", "42",
                        "null", "<xml/>", "amount=1.00&currency=USD", "{\"amount\":\"1.00\"\u0000}")
                        .map(s -> s.getBytes(StandardCharsets.UTF_8)),
                jsonValue().map(s -> s.getBytes(StandardCharsets.UTF_8)),
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(200),
                oversize().map(s -> s.getBytes(StandardCharsets.UTF_8)),
                Arbitraries.of("{\"amount\":\"1.00\",\"currency\":\"USD\"}")
                        .map(s -> s.getBytes(StandardCharsets.UTF_16)));
    }

    /** Over the 64 KiB limit, as valid JSON and as junk. */
    static Arbitrary<String> oversize() {
        return Arbitraries.integers().between(65 * 1024, 300 * 1024).flatMap(size -> Arbitraries.of(
                "{\"amount\":\"1.00\",\"description\":\"" + "d".repeat(size) + "\"}",
                "{\"metadata\":{" + java.util.stream.IntStream.range(0, size / 12)
                        .mapToObj(i -> "\"k" + i + "\":\"v\"").collect(Collectors.joining(",")) + "}}",
                "[" + "1,".repeat(size / 2) + "1]"));
    }

    /**
     * {@code base} (field → raw JSON value) with one to three mutations: a field set to a hostile value,
     * removed, duplicated, or an unknown field added.
     */
    static Arbitrary<String> mutated(Map<String, String> base) {
        Arbitrary<Mutation> mutation = Arbitraries.oneOf(
                Combinators.combine(fieldName(), jsonValue()).as(Mutation.Set::new),
                Combinators.combine(Arbitraries.of(List.copyOf(base.keySet())), jsonValue()).as(Mutation.Set::new),
                Arbitraries.of(List.copyOf(base.keySet())).map(Mutation.Remove::new),
                Combinators.combine(Arbitraries.of(List.copyOf(base.keySet())), jsonValue()).as(Mutation.Duplicate::new));
        return mutation.list().ofMinSize(1).ofMaxSize(3).map(mutations -> {
            Map<String, String> fields = new LinkedHashMap<>(base);
            List<String> duplicates = new ArrayList<>();
            for (Mutation m : mutations) {
                if (m instanceof Mutation.Set set) {
                    fields.put(set.field(), set.value());
                } else if (m instanceof Mutation.Remove remove) {
                    fields.remove(remove.field());
                } else if (m instanceof Mutation.Duplicate duplicate) {
                    duplicates.add(quote(duplicate.field()) + ":" + duplicate.value());
                }
            }
            List<String> members = new ArrayList<>();
            fields.forEach((k, v) -> members.add(quote(k) + ":" + v));
            members.addAll(duplicates);
            return "{" + String.join(",", members) + "}";
        });
    }

    sealed interface Mutation permits Mutation.Set, Mutation.Remove, Mutation.Duplicate {
        record Set(String field, String value) implements Mutation {
        }

        record Remove(String field) implements Mutation {
        }

        record Duplicate(String field, String value) implements Mutation {
        }
    }

    // ---- ids, query strings, headers ---------------------------------------------------------------

    /** A path segment where an id belongs: well-formed strangers, garbage, encodings that decode to worse. */
    static Arbitrary<String> badId() {
        return Arbitraries.oneOf(
                Arbitraries.of("inv_", "inv_" + "0".repeat(24), "inv_" + "Z".repeat(200), "INV_abc", "evt_", "we_",
                        "rb_", "st_", "pay_x", "null", "undefined", "-1", "0", "1e9", "%00", "%2e%2e", "..%2F..%2F",
                        "%25", "%C0%AF", "%FF%FE", "%F0%9F%99%82", "inv_%F0%9F%99%82", "%20", "%0d%0aX-Injected:%201",
                        "a".repeat(3000), "inv_abc;jsessionid=1", "inv_abc%3Bx", "%5B%5D", "~", "!$&'()*+,;=", "@",
                        "inv_abc.json", "inv_abc%2Fpayments"),
                Arbitraries.strings().all().ofMinLength(1).ofMaxLength(30).map(Hostile::percentEncode));
    }

    static Arbitrary<String> queryValue() {
        return Arbitraries.oneOf(
                nastyText().map(Hostile::percentEncode),
                jsonNumber().map(Hostile::percentEncode),
                Arbitraries.of("", "%", "%zz", "%%", "%u0041", "+", "a+b", "%2B01:00", "2026-01-01T00:00:00%2001:00",
                        "2026-01-01T00:00:00%2B01:00", "[gte]", "%5Bgte%5D", "&", "=", "==", "%26", "%3D",
                        "2026-01-01", "1700000000", "-1", "0", "101", "100", "99999999999999999999", "1.5", "true",
                        "open,paid", "ndjson", "csv", "xml", "NDJSON", "inv_" + "0".repeat(24)));
    }

    /** {@code ?a=b&…}, sometimes with repeated, nameless, valueless or unencoded parameters. */
    static Arbitrary<String> queryString() {
        Arbitrary<String> name = Arbitraries.oneOf(
                Arbitraries.of(QUERY_PARAMS),
                Arbitraries.of("created[", "created]gte[", "created[gte][x]", "", "%", "limit%00", "a[]", "expand[]"),
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8));
        Arbitrary<String> pair = Combinators.combine(name, queryValue(), Arbitraries.integers().between(0, 9))
                .as((n, v, shape) -> shape == 0 ? n : shape == 1 ? "=" + v : n + "=" + v);
        return pair.list().ofMinSize(0).ofMaxSize(6).map(pairs -> pairs.isEmpty() ? "" : "?" + String.join("&", pairs));
    }

    static Arbitrary<String> contentType() {
        return Arbitraries.of("application/json", "application/json; charset=utf-8", "application/json; charset=utf-16",
                "application/json; charset=latin1", "application/json; charset=nonsense", "text/plain",
                "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                "multipart/form-data", "application/octet-stream", "*/*", "application/*", "garbage",
                "application/json;;;", "", "application/merge-patch+json", "text/json");
    }

    static Arbitrary<String> accept() {
        return Arbitraries.of("application/json", "*/*", "application/xml", "text/html", "text/csv", "image/png",
                "application/json;q=0", "garbage", "", "application/x-ndjson");
    }

    /** Methods a client could send that the API does not offer at that path (or at all). */
    static Arbitrary<String> method() {
        return Arbitraries.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE", "PROPFIND",
                "BREW", "get", "M-SEARCH");
    }

    static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    static String percentEncode(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        return out.toString();
    }
}

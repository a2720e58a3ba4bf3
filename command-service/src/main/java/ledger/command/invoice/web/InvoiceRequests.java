package ledger.command.invoice.web;

import java.math.BigDecimal;
import java.net.IDN;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import ledger.command.invoice.CheckoutTokens;
import ledger.command.invoice.CreateInvoice;
import ledger.command.invoice.IssueCreditNote;
import ledger.command.invoice.IssueRefund;
import ledger.command.invoice.PayInvoice;
import ledger.events.CheckoutToken;
import ledger.events.CreditNoteReason;
import ledger.events.Ids;
import ledger.events.InvoiceId;
import ledger.events.LineItem;
import ledger.events.Money;
import ledger.events.PaymentId;
import ledger.events.StoreId;
import ledger.support.auth.ApiPrincipal;
import ledger.support.web.ApiError;
import ledger.support.web.ApiException;
import ledger.support.web.Text;
import org.springframework.http.HttpStatus;

/**
 * Turns request bodies into commands, checking every rule of SPEC §3 and §4.2 and reporting every
 * offending field at once. Business rules that depend on the invoice's state live in the aggregate.
 */
final class InvoiceRequests {

    static final BigDecimal MAX_AMOUNT = new BigDecimal("1000000000");
    static final int MAX_LINE_ITEMS = 100;
    /** A line's quantity: more than 0, at most 1,000,000,000, with up to 6 decimals. */
    private static final Pattern QUANTITY = Pattern.compile("\\d{1,10}(\\.\\d{1,6})?");
    /** A discount or tax rate in percent, 0 to 100, with up to 6 decimals. */
    private static final Pattern PERCENT = Pattern.compile("\\d{1,3}(\\.\\d{1,6})?");
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);
    static final long DEFAULT_EXPIRES_IN = 43_200;
    static final long MAX_EXPIRES_IN = 2_592_000;
    /** A due date may be in the past (a backdated invoice goes overdue at once), but must be a real calendar year. */
    static final LocalDate MIN_DUE_DATE = LocalDate.of(1970, 1, 1);
    static final LocalDate MAX_DUE_DATE = LocalDate.of(9999, 12, 31);
    private static final int MAX_METADATA_KEYS = 50;
    private static final int MAX_METADATA_BYTES = 4096;
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]+");
    private static final Pattern CURRENCY = Pattern.compile("[A-Za-z]{3}");

    private final InvoiceProperties properties;
    private final List<ApiError.Detail> problems = new ArrayList<>();
    private String code = "parameter_invalid";

    private InvoiceRequests(InvoiceProperties properties) {
        this.properties = properties;
    }

    static CreateInvoice toCommand(CreateInvoiceRequest body, ApiPrincipal principal, Instant now,
                                   InvoiceProperties properties) {
        if (body.storeId() != null && !body.storeId().equals(principal.storeId().value())) {
            throw new ApiException(HttpStatus.FORBIDDEN, "store_mismatch",
                    "store_id does not match the store of this API key", "store_id");
        }
        return new InvoiceRequests(properties).create(body, principal, now);
    }

    static PayInvoice toCommand(InvoiceId invoice, PaymentRequest body, ApiPrincipal principal, Instant now) {
        return new InvoiceRequests(null).pay(invoice, body, principal.storeId(), principal.livemode(), now);
    }

    /** A payment simulated on the hosted page, held to the API's rules, for the invoice's own store and mode. */
    static PayInvoice toCommand(CheckoutTokens.Owner owner, PaymentRequest body, Instant now) {
        return new InvoiceRequests(null).pay(owner.invoiceId(), body, owner.storeId(), owner.livemode(), now);
    }

    static IssueRefund toCommand(InvoiceId invoice, RefundRequest body, ApiPrincipal principal) {
        var rules = new InvoiceRequests(null);
        String amount = rules.correctionAmount(body.amount());
        Currency currency = body.currency() == null ? null : rules.currency(body.currency());
        String reference = body.reference() == null || body.reference().isBlank() ? rules.missing("reference")
                : rules.text("reference", body.reference(), 255);
        PaymentId payment = null;
        if (body.payment() != null) {
            if (Ids.isWellFormed(body.payment(), PaymentId.PREFIX)) {
                payment = new PaymentId(body.payment());
            } else {
                rules.problem("payment", "must be the id of a payment of this invoice (pay_…)");
            }
        }
        String reason = rules.text("reason", body.reason(), 255);
        rules.throwIfInvalid();
        return new IssueRefund(invoice, principal.storeId(), principal.livemode(), amount, currency, reference, payment,
                reason);
    }

    static IssueCreditNote toCommand(InvoiceId invoice, CreditNoteRequest body, ApiPrincipal principal) {
        var rules = new InvoiceRequests(null);
        String amount = rules.correctionAmount(body.amount());
        Currency currency = body.currency() == null ? null : rules.currency(body.currency());
        CreditNoteReason reason = null;
        if (body.reason() == null) {
            rules.missing("reason");
        } else {
            reason = CreditNoteReason.ofWire(body.reason()).orElse(null);
            if (reason == null) {
                rules.problem("reason", "must be one of " + Arrays.stream(CreditNoteReason.values())
                        .map(CreditNoteReason::wireName).collect(Collectors.joining(", ")));
            }
        }
        String memo = rules.text("memo", body.memo(), 500);
        rules.throwIfInvalid();
        return new IssueCreditNote(invoice, principal.storeId(), principal.livemode(), amount, currency, reason, memo);
    }

    /** A refund's or credit note's amount: its decimals are checked against the invoice's currency, by the invoice. */
    private String correctionAmount(String value) {
        return value == null ? missing("amount") : value;
    }

    /** For single optional fields outside a request record. */
    static void requireLength(String field, String value, int max) {
        var rules = new InvoiceRequests(null);
        rules.text(field, value, max);
        rules.throwIfInvalid();
    }

    private PayInvoice pay(InvoiceId invoice, PaymentRequest body, StoreId store, boolean livemode, Instant now) {
        Currency currency = body.currency() == null ? missing("currency") : currency(body.currency());
        Money amount = currency == null ? null : amount(body.amount(), currency);
        String reference = body.reference() == null || body.reference().isBlank() ? missing("reference")
                : text("reference", body.reference(), 255);
        String method = text("method", body.method(), 64);
        Instant receivedAt = body.receivedAt();
        if (receivedAt != null && receivedAt.isAfter(now)) {
            problem("received_at", "must not be in the future");
        }
        throwIfInvalid();
        return new PayInvoice(invoice, store, livemode, amount, reference, method,
                receivedAt == null ? null : receivedAt.truncatedTo(ChronoUnit.MICROS));
    }

    private <T> T missing(String field) {
        if (problems.isEmpty()) {
            code = "parameter_missing"; // the code names the first problem, as the message does
        }
        problem(field, "is required");
        return null;
    }

    private void throwIfInvalid() {
        if (!problems.isEmpty()) {
            var first = problems.get(0);
            throw new ApiException(HttpStatus.BAD_REQUEST, code, first.field() + " " + first.reason(), first.field(),
                    problems);
        }
    }

    private CreateInvoice create(CreateInvoiceRequest body, ApiPrincipal principal, Instant now) {
        Currency currency = currency(body.currency() == null ? "USD" : body.currency());
        List<LineItem> lines = currency == null ? List.of() : lines(body.lineItems(), currency);
        Money amount = currency == null ? null : amount(body.amount(), currency, body.lineItems() != null, lines);
        String externalOrderId = text("external_order_id", body.externalOrderId(), 255);
        String description = text("description", body.description(), 255);
        String email = text("customer_email", body.customerEmail(), 255);
        if (email != null && !EMAIL.matcher(email).matches()) {
            problem("customer_email", "must be an email address");
        }
        Instant expiresAt = expiresAt(body, now);
        if (body.dueDate() != null && (body.dueDate().isBefore(MIN_DUE_DATE) || body.dueDate().isAfter(MAX_DUE_DATE))) {
            problem("due_date", "must be between " + MIN_DUE_DATE + " and " + MAX_DUE_DATE);
        }
        String callbackUrl = url("callback_url", body.callbackUrl());
        String returnUrl = url("return_url", body.returnUrl());
        Map<String, String> metadata = metadata(body.metadata());
        throwIfInvalid();
        var id = InvoiceId.generate();
        return new CreateInvoice(id, principal.storeId(), amount, lines, externalOrderId, description, email, metadata,
                properties.checkoutBaseUrl() + "/" + CheckoutToken.generate().value(), callbackUrl, returnUrl, body.dueDate(), expiresAt,
                principal.livemode());
    }

    private void problem(String field, String reason) {
        problems.add(new ApiError.Detail(field, reason));
    }

    private Currency currency(String code) {
        if (CURRENCY.matcher(code).matches()) {
            try {
                var currency = Currency.getInstance(code.toUpperCase(Locale.ROOT));
                if (currency.getDefaultFractionDigits() >= 0) {
                    return currency;
                }
            } catch (IllegalArgumentException notIso) {
                // reported below
            }
        }
        problem("currency", "must be an ISO 4217 currency code such as USD");
        return null;
    }

    private Money amount(String value, Currency currency) {
        if (value == null) {
            return missing("amount");
        }
        Money money = money("amount", value, currency);
        if (money != null && money.isZero()) {
            problem("amount", "must be greater than zero");
        }
        return money;
    }

    /**
     * An invoice's amount: as sent, the sum of its lines' totals, or both when they agree (SPEC §4.2). Lines that
     * were sent but refused ({@code lines} empty) leave nothing to compare.
     */
    private Money amount(String value, Currency currency, boolean linesSent, List<LineItem> lines) {
        if (lines.isEmpty()) {
            return linesSent ? (value == null ? null : money("amount", value, currency)) : amount(value, currency);
        }
        Money sum = LineItem.totalOf(lines);
        if (sum.isZero()) {
            problem("line_items", "must add up to more than zero");
        } else if (sum.amount().compareTo(MAX_AMOUNT) > 0) {
            problem("line_items", "must add up to at most 1000000000");
        }
        Money sent = value == null ? null : money("amount", value, sum.currency());
        if (sent != null && sent.compareTo(sum) != 0) {
            problem("amount", "must equal the sum of the line items' totals (" + sum.toPlainString()
                    + ") or be left out");
        }
        return sum;
    }

    private Money money(String field, String value, Currency currency) {
        try {
            var money = Money.parse(value, currency);
            if (money.amount().compareTo(MAX_AMOUNT) > 0) {
                problem(field, "must be at most 1000000000");
            }
            return money;
        } catch (Money.MoneyFormatException e) {
            problem(field, e.getMessage());
            return null;
        }
    }

    /** Validates every line, reporting each problem under {@code line_items[i].field}; computes the valid ones. */
    private List<LineItem> lines(List<CreateInvoiceRequest.Line> sent, Currency currency) {
        if (sent == null) {
            return List.of();
        }
        if (sent.isEmpty() || sent.size() > MAX_LINE_ITEMS) {
            problem("line_items", "must have 1 to " + MAX_LINE_ITEMS + " lines");
            return List.of();
        }
        var lines = new ArrayList<LineItem>(sent.size());
        int problemsBefore = problems.size();
        for (int i = 0; i < sent.size(); i++) {
            String at = "line_items[" + i + "].";
            var line = sent.get(i);
            if (line == null) {
                problem("line_items[" + i + "]", "must be an object");
                continue;
            }
            String description = line.description() == null || line.description().isBlank()
                    ? missing(at + "description") : text(at + "description", line.description(), 255);
            BigDecimal quantity = line.quantity() == null ? missing(at + "quantity")
                    : decimal(at + "quantity", line.quantity(), QUANTITY, "a decimal string such as \"2\" or "
                    + "\"1.5\" (at most 1000000000, up to 6 decimals)");
            if (quantity != null && quantity.signum() == 0) {
                problem(at + "quantity", "must be greater than zero");
            }
            Money unitAmount = line.unitAmount() == null ? missing(at + "unit_amount")
                    : money(at + "unit_amount", line.unitAmount(), currency);
            BigDecimal discount = percent(at + "discount_percent", line.discountPercent());
            BigDecimal tax = percent(at + "tax_percent", line.taxPercent());
            if (problems.size() == problemsBefore) {
                lines.add(LineItem.compute(description, quantity, unitAmount, discount, tax));
            }
        }
        return problems.size() == problemsBefore ? lines : List.of();
    }

    private BigDecimal percent(String field, String value) {
        if (value == null) {
            return null;
        }
        BigDecimal percent = decimal(field, value, PERCENT,
                "a decimal string from \"0\" to \"100\" (up to 6 decimals)");
        if (percent != null && percent.compareTo(HUNDRED) > 0) {
            problem(field, "must be at most 100");
        }
        return percent;
    }

    private BigDecimal decimal(String field, String value, Pattern shape, String rule) {
        if (!shape.matcher(value).matches()) {
            problem(field, "must be " + rule);
            return null;
        }
        return new BigDecimal(value);
    }

    private String text(String field, String value, int max) {
        if (value != null && Text.codePoints(value) > max) {
            problem(field, "must be at most " + max + " characters");
        }
        return value;
    }

    private Instant expiresAt(CreateInvoiceRequest body, Instant now) {
        if (body.expiresIn() != null && body.expiresAt() != null) {
            problem("expires_at", "send either expires_in or expires_at, not both");
            return null;
        }
        if (body.expiresAt() != null) {
            Instant at = body.expiresAt().truncatedTo(ChronoUnit.MICROS);
            if (!at.isAfter(now)) {
                problem("expires_at", "must be in the future");
            } else if (Duration.between(now, at).getSeconds() > MAX_EXPIRES_IN) {
                problem("expires_at", "must be at most 30 days ahead");
            }
            return at;
        }
        long seconds = body.expiresIn() == null ? DEFAULT_EXPIRES_IN : body.expiresIn();
        if (seconds < 1 || seconds > MAX_EXPIRES_IN) {
            problem("expires_in", "must be between 1 and " + MAX_EXPIRES_IN + " seconds");
            return null;
        }
        return now.plusSeconds(seconds).truncatedTo(ChronoUnit.MICROS); // as stored by PostgreSQL, like every timestamp
    }

    /**
     * Callback and return URLs must be https:// and name a public host. Whether the host resolves to a
     * public address is checked again at delivery time, on the address actually connected to.
     */
    private String url(String field, String value) {
        if (value == null) {
            return null;
        }
        if (Text.codePoints(value) > 2048) {
            problem(field, "must be at most 2048 characters");
            return value;
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (Exception e) {
            problem(field, "must be an absolute URL");
            return value;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            problem(field, "must be an absolute https:// URL");
        } else if (!properties.allowPrivateTargets()) {
            if (!scheme.equals("https")) {
                problem(field, "must use https://");
            } else if (isPrivateHost(uri.getHost())) {
                problem(field, "must point to a public host");
            }
        }
        return value;
    }

    static boolean isPrivateHost(String host) {
        String h = IDN.toASCII(host.replaceAll("^\\[|]$", "")).toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.endsWith(".localhost") || h.endsWith(".local") || h.endsWith(".internal")) {
            return true;
        }
        if (!h.matches("[0-9.]+|[0-9a-f:.]+") || !h.matches(".*[.:].*")) {
            return false; // a name: resolved and checked when delivering
        }
        try {
            InetAddress address = InetAddress.getByName(h); // a literal: parsed, not looked up
            return address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                    || address.isAnyLocalAddress() || address.isMulticastAddress()
                    || h.startsWith("fc") || h.startsWith("fd") || h.startsWith("100.64.");
        } catch (Exception e) {
            return true;
        }
    }

    private Map<String, String> metadata(Map<String, Object> metadata) {
        if (metadata == null) {
            return Map.of();
        }
        if (metadata.size() > MAX_METADATA_KEYS) {
            problem("metadata", "may have at most " + MAX_METADATA_KEYS + " keys");
        }
        var flat = new LinkedHashMap<String, String>();
        int bytes = 0;
        for (var entry : metadata.entrySet()) {
            Object v = entry.getValue();
            String value;
            if (v == null) {
                value = null;
            } else if (v instanceof String || v instanceof Number || v instanceof Boolean) {
                value = v instanceof BigDecimal d ? d.toPlainString() : v.toString();
            } else {
                problem("metadata." + entry.getKey(), "must be a string, number or boolean (metadata is flat)");
                continue;
            }
            if (entry.getKey().isEmpty() || Text.codePoints(entry.getKey()) > 40) {
                problem("metadata", "keys must be 1 to 40 characters");
            }
            bytes += entry.getKey().getBytes(StandardCharsets.UTF_8).length
                    + (value == null ? 0 : value.getBytes(StandardCharsets.UTF_8).length);
            if (value != null) {
                flat.put(entry.getKey(), value);
            }
        }
        if (bytes > MAX_METADATA_BYTES) {
            problem("metadata", "must be at most " + MAX_METADATA_BYTES + " bytes");
        }
        return flat;
    }
}

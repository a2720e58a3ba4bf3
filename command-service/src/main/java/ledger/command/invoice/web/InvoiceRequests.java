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
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import ledger.command.invoice.CheckoutTokens;
import ledger.command.invoice.CreateInvoice;
import ledger.command.invoice.PayInvoice;
import ledger.events.CheckoutToken;
import ledger.events.InvoiceId;
import ledger.events.Money;
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
        Money amount = currency == null ? null : amount(body.amount(), currency);
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
        return new CreateInvoice(id, principal.storeId(), amount, externalOrderId, description, email, metadata,
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
        try {
            var money = Money.parse(value, currency);
            if (money.isZero()) {
                problem("amount", "must be greater than zero");
            } else if (money.amount().compareTo(MAX_AMOUNT) > 0) {
                problem("amount", "must be at most 1000000000");
            }
            return money;
        } catch (Money.MoneyFormatException e) {
            problem("amount", e.getMessage());
            return null;
        }
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

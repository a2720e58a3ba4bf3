package ledger.events;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The secret in an invoice's {@code checkout_url}: it opens the buyer's hosted invoice page and nothing else
 * (never the merchant API). 256 random bits, so it cannot be guessed from the invoice id or another token.
 */
public record CheckoutToken(String value) {

    private static final Pattern FORMAT = Pattern.compile("ck_[A-Za-z0-9_-]{43}");
    private static final SecureRandom RANDOM = new SecureRandom();

    public CheckoutToken {
        if (value == null || !FORMAT.matcher(value).matches()) {
            throw new IllegalArgumentException("not a checkout token");
        }
    }

    public static CheckoutToken generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return new CheckoutToken("ck_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    public static Optional<CheckoutToken> parse(String raw) {
        return raw != null && FORMAT.matcher(raw).matches() ? Optional.of(new CheckoutToken(raw)) : Optional.empty();
    }

    /** The token at the end of a checkout URL; invoices created before tokens existed have none. */
    public static Optional<CheckoutToken> ofCheckoutUrl(String checkoutUrl) {
        return checkoutUrl == null ? Optional.empty() : parse(checkoutUrl.substring(checkoutUrl.lastIndexOf('/') + 1));
    }

    @Override
    public String toString() {
        return "CheckoutToken[redacted]";
    }
}

package ledger.command.invoice.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param checkoutBaseUrl     buyer-facing checkout page; an invoice's {@code checkout_url} is this + "/" + its
 *                            {@link ledger.events.CheckoutToken}
 * @param allowPrivateTargets accept http:// and private/loopback hosts in callback and return URLs (local dev only)
 */
@ConfigurationProperties("ledger.invoices")
record InvoiceProperties(@DefaultValue("http://localhost:8080/checkout") String checkoutBaseUrl,
                         @DefaultValue("false") boolean allowPrivateTargets) {
}

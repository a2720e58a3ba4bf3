/**
 * The buyer's hosted invoice page behind an invoice's {@code checkout_url} (SPEC §8): the page itself
 * (server-rendered, readable without JavaScript), the status it polls, and the invoice and receipt PDFs.
 * Everything is found by the {@link ledger.events.CheckoutToken} alone — no API key, and a token is never a
 * key — and shows only what a buyer may see ({@link ledger.query.checkout.BuyerView}). The simulate-payment
 * form posts to command-service, which records the payment.
 */
package ledger.query.checkout;

/**
 * Finance reports computed from the ledger as of any instant (SPEC §4.4): balances and receivables
 * aging per currency, summed in SQL over {@code ledger_event} as exact NUMERICs and printed at each
 * currency's ISO 4217 scale.
 *
 * <p>Definitions (per currency, over the invoices that existed at {@code as_of}, each in the state
 * of its latest event at or before {@code as_of}):
 * <ul>
 *   <li>{@code invoiced}: the amounts of all invoices except cancelled ones (a cancelled invoice was
 *       voided before anything was paid; it is reported separately as {@code cancelled});</li>
 *   <li>{@code paid}: everything received, overpayments included, refunds not taken off;</li>
 *   <li>{@code refunded}: what was given back of it (SPEC §4.5), so {@code paid − refunded} is what was kept;</li>
 *   <li>{@code credited}: what credit notes took off the amounts of invoices not cancelled (SPEC §4.5);</li>
 *   <li>{@code overpaid}: what was received beyond what invoices asked for after their credit notes
 *       ({@code amount − amount_credited});</li>
 *   <li>{@code outstanding}: {@code amount_due} of open and partially paid invoices only — the
 *       receivables. Cancelled and expired invoices are not collectable any more, so they are not
 *       outstanding; what an expired invoice still lacked is {@code expired_unpaid};</li>
 *   <li>{@code written_off}: what uncollectible invoices still lack (written off, SPEC §4.5; a later payment
 *       moves it to {@code paid});</li>
 *   <li>so {@code invoiced = paid − overpaid + credited + outstanding + expired_unpaid + written_off} always
 *       holds.</li>
 * </ul>
 * Aging leaves uncollectible invoices out of its buckets and shows them as {@code written_off}.
 * Aging buckets the outstanding amounts by days past due, where the due moment is the end of
 * {@code due_date} (UTC) when the invoice has one, else {@code expires_at}; any part of a day past it
 * counts as a day.
 */
package ledger.query.report;

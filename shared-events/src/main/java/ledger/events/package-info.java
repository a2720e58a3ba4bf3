/**
 * The ledger's shared language: the four ledger events, the {@link ledger.events.Money} value and
 * the typed identifiers, plus the one JSON configuration ({@link ledger.events.LedgerJson}) every
 * producer and consumer of {@code ledger.invoice-events} uses.
 *
 * <p>The event records are the wire format. Golden JSON files under {@code src/test/resources/golden}
 * pin it; changing a record's JSON needs a new schema revision and an upcaster.
 */
package ledger.events;

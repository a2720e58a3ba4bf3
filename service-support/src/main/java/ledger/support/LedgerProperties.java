package ledger.support;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings every service shares.
 *
 * @param adminToken bearer token of the admin API ({@code LEDGER_ADMIN_TOKEN}); blank disables it
 * @param topics     Kafka topic names and sizing
 */
@ConfigurationProperties("ledger")
public record LedgerProperties(String adminToken, @DefaultValue Topics topics) {

    /**
     * @param invoiceEvents ledger events, keyed by invoice id (ordered per invoice)
     * @param access        stores and API keys, compacted: the latest record per key is the truth
     * @param partitions    partitions of the invoice-events topic: the ceiling on consumer parallelism
     * @param replicas      replication factor of created topics (1 locally, 3 in production)
     */
    public record Topics(@DefaultValue("ledger.invoice-events") String invoiceEvents,
                         @DefaultValue("ledger.access") String access,
                         @DefaultValue("6") int partitions,
                         @DefaultValue("1") short replicas) {
    }
}

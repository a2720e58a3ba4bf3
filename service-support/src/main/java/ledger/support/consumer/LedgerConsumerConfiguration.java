package ledger.support.consumer;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.JdbcTemplateAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Starts the ledger consumer in a service that has an inbox and a handler for it; other services get none. */
@AutoConfiguration(after = {JdbcTemplateAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class})
@ConditionalOnBean({LedgerInbox.class, InvoiceEventHandler.class})
public class LedgerConsumerConfiguration {

    /** The consumer's own {@code invoice_state}, unless the service says where its views already are. */
    @Bean
    @ConditionalOnMissingBean
    InvoiceStates invoiceStates(JdbcTemplate jdbc) {
        return JdbcInvoiceStates.own(jdbc);
    }

    @Bean
    LedgerConsumer ledgerConsumer(LedgerInbox inbox, InvoiceEventHandler handler, InvoiceStates states,
                                  PlatformTransactionManager transactions) {
        return new LedgerConsumer(inbox, handler, states, new TransactionTemplate(transactions));
    }
}

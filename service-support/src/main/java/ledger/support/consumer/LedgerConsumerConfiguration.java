package ledger.support.consumer;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
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

    @Bean
    LedgerConsumer ledgerConsumer(LedgerInbox inbox, InvoiceEventHandler handler, JdbcTemplate jdbc,
                                  PlatformTransactionManager transactions) {
        return new LedgerConsumer(inbox, handler, new JdbcInvoiceStates(jdbc), new TransactionTemplate(transactions));
    }
}

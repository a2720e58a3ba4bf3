package ledger.query.invoice;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

@Configuration
class ListenerConfig {

    /**
     * Spring Kafka's default gives up after ten attempts and skips the record — a lost event for a
     * read model. Here a failing record is retried until it succeeds (the database came back), and
     * only a record that can never be parsed is logged and skipped.
     */
    @Bean
    DefaultErrorHandler kafkaErrorHandler() {
        var backOff = new ExponentialBackOff(200, 2.0);
        backOff.setMaxInterval(10_000);
        var handler = new DefaultErrorHandler(backOff);
        handler.addNotRetryableExceptions(JsonProcessingException.class);
        return handler;
    }
}

package ledger.webhook.delivery;

import java.util.concurrent.ThreadLocalRandom;
import ledger.webhook.WebhookProperties;
import ledger.webhook.target.TargetPolicy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class DeliveryConfiguration {

    @Bean(destroyMethod = "close")
    WebhookSender webhookSender(TargetPolicy policy, WebhookProperties properties) {
        return new WebhookSender(policy, properties);
    }

    @Bean
    RetryPolicy retryPolicy(WebhookProperties properties) {
        return new RetryPolicy(properties, () -> ThreadLocalRandom.current().nextDouble());
    }
}

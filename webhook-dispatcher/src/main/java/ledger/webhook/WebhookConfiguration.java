package ledger.webhook;

import java.time.Clock;
import ledger.webhook.target.TargetPolicy;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class WebhookConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    TargetPolicy targetPolicy(WebhookProperties properties) {
        return new TargetPolicy(properties.allowPrivateTargets());
    }
}

package ledger.gateway;

import java.net.http.HttpClient;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * The gateway is only useful when every service is: {@code /actuator/health} aggregates one
 * indicator per service under the {@code backends} component, so a service with no instance UP makes
 * the gateway DOWN.
 */
@Configuration(proxyBeanMethods = false)
class BackendHealthConfiguration {

    @Bean
    CompositeHealthContributor backends(GatewayProperties properties, RestClient.Builder builder) {
        // The JDK client's read timeout caps the whole exchange, which is what a probe wants (and
        // what the proxy must not have); probes also stay off the proxy's connection pool.
        HttpClient httpClient = HttpClient.newBuilder().connectTimeout(properties.healthTimeout()).build();
        JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(httpClient);
        factory.setReadTimeout(properties.healthTimeout());
        RestClient client = builder.requestFactory(factory).build();

        Map<String, HealthIndicator> backends = new LinkedHashMap<>();
        properties.backends().forEach((service, urls) -> backends.put(service, new BackendHealthIndicator(client, urls)));
        return CompositeHealthContributor.fromMap(backends);
    }

}

package ledger.gateway;

import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.DefaultHttpRequestRetryStrategy;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

import org.springframework.cloud.gateway.server.mvc.config.GatewayMvcProperties;
import org.springframework.cloud.gateway.server.mvc.handler.ProxyExchange;
import org.springframework.cloud.gateway.server.mvc.handler.RestClientProxyExchange;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * The HTTP client the routes proxy through. Built here rather than from {@code spring.http.client.*}
 * because a transparent proxy needs several of Apache HttpClient's conveniences switched off.
 */
@Configuration(proxyBeanMethods = false)
class ProxyClientConfiguration {

    @Bean(destroyMethod = "close")
    CloseableHttpClient backendHttpClient(GatewayProperties properties) {
        Timeout connectTimeout = Timeout.of(properties.connectTimeout());
        return HttpClients.custom()
            .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnPerRoute(properties.maxConnectionsPerBackend())
                .setMaxConnTotal(properties.instanceCount() * properties.maxConnectionsPerBackend())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                    .setConnectTimeout(connectTimeout)
                    .setSocketTimeout(Timeout.of(properties.readTimeout()))
                    .build())
                .build())
            // A full pool should fail like an unreachable backend, not queue for minutes.
            .setDefaultRequestConfig(RequestConfig.custom().setConnectionRequestTimeout(connectTimeout).build())
            // Location and 3xx belong to the merchant.
            .disableRedirectHandling()
            // Otherwise gzip bodies are inflated and Content-Encoding dropped on the way through.
            .disableContentCompression()
            // The client is shared by all merchants; a backend cookie must not leak between them.
            .disableCookieManagement()
            .setRetryStrategy(new StaleConnectionRetry())
            .build();
    }

    @Bean
    ProxyExchange proxyExchange(RestClient.Builder builder, CloseableHttpClient backendHttpClient,
            GatewayMvcProperties gatewayMvcProperties) {
        HttpComponentsClientHttpRequestFactory factory = new HttpComponentsClientHttpRequestFactory(backendHttpClient);
        return new RawQueryProxyExchange(
                new RestClientProxyExchange(builder.requestFactory(factory).build(), gatewayMvcProperties));
    }

    /**
     * Retries once, and only an idempotent request whose pooled connection the backend had already
     * closed (a restart, an idle timeout). Apache's default would also retry on 429 and 503 after
     * sleeping out Retry-After; those answers and their Retry-After belong to the merchant.
     * Connection refused and timeouts are not retried here (the default's non-retriable list): Instances
     * sends a refused request to the next instance instead.
     */
    static final class StaleConnectionRetry extends DefaultHttpRequestRetryStrategy {

        StaleConnectionRetry() {
            super(1, TimeValue.ZERO_MILLISECONDS);
        }

        @Override
        public boolean retryRequest(HttpResponse response, int execCount, HttpContext context) {
            return false;
        }

    }

}

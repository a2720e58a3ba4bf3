package ledger.support.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import ledger.events.LedgerJson;
import ledger.support.web.ErrorResponses;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.autoconfigure.web.embedded.EmbeddedWebServerFactoryCustomizerAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.DispatcherServletAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.ServletWebServerFactoryAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;

/** On a real Tomcat with the services' server defaults: the container must let a long key reach authentication. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, classes = OverlongKeyIT.Server.class)
class OverlongKeyIT {

    @SpringBootConfiguration
    @ImportAutoConfiguration({ServletWebServerFactoryAutoConfiguration.class,
            EmbeddedWebServerFactoryCustomizerAutoConfiguration.class,
            DispatcherServletAutoConfiguration.class, JacksonAutoConfiguration.class})
    static class Server {
        @Bean
        FilterRegistrationBean<Authentication> authentication(ObjectMapper json) {
            // Never started: a key that is not even well-formed is refused before any lookup.
            var registry = new AccessRegistry("localhost:1", "ledger.access", LedgerJson.mapper());
            return new FilterRegistrationBean<>(new Authentication(registry, "admin", new ErrorResponses(json)));
        }
    }

    @LocalServerPort
    int port;

    @Test
    void a20KbBearerKeyIsAnUnknownKey() throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/invoices"))
                .header("Authorization", "Bearer sk_test_" + "A".repeat(20 * 1024)).GET().build();

        var response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("\"code\":\"unauthenticated\"");
    }
}

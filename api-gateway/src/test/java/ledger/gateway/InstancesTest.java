package ledger.gateway;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import org.apache.hc.client5.http.ConnectTimeoutException;
import org.junit.jupiter.api.Test;

import org.springframework.cloud.gateway.server.mvc.common.MvcUtils;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.servlet.function.HandlerFunction;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Requests take a service's instances in turn; only one that never reached an instance goes to the next. */
class InstancesTest {

    static final URI A = URI.create("http://127.0.0.1:1");

    static final URI B = URI.create("http://127.0.0.1:2");

    static final URI C = URI.create("http://127.0.0.1:3");

    final List<URI> tried = new ArrayList<>();

    @Test
    void requestsAreSpreadOverTheInstancesInTurn() throws Exception {
        HandlerFunction<ServerResponse> proxy = new Instances("query-service", List.of(A, B, C)).proxy(answering());

        for (int i = 0; i < 6; i++) {
            proxy.handle(request());
        }

        assertThat(this.tried).containsExactly(A, B, C, A, B, C);
    }

    @Test
    void aRefusedConnectionGoesToTheNextInstance() throws Exception {
        HandlerFunction<ServerResponse> proxy = new Instances("command-service", List.of(A, B, C))
            .proxy(failingOn(A, new ConnectException("Connection refused")));

        ServerResponse response = proxy.handle(request());

        assertThat(response.statusCode().value()).isEqualTo(200);
        assertThat(this.tried).containsExactly(A, B);
    }

    @Test
    void aConnectTimeoutGoesToTheNextInstance() throws Exception {
        HandlerFunction<ServerResponse> proxy = new Instances("command-service", List.of(A, B))
            .proxy(failingOn(A, new ConnectTimeoutException("Connect timed out")));

        assertThat(proxy.handle(request()).statusCode().value()).isEqualTo(200);
        assertThat(this.tried).containsExactly(A, B);
    }

    /** A POST that reached an instance may have run there: a second instance must not run it again. */
    @Test
    void aFailureAfterTheRequestWasSentIsNeverTriedElsewhere() {
        HandlerFunction<ServerResponse> proxy = new Instances("command-service", List.of(A, B))
            .proxy(failingOn(A, new SocketException("Connection reset")));

        assertThatThrownBy(() -> proxy.handle(request())).isInstanceOf(ResourceAccessException.class)
            .hasRootCauseInstanceOf(SocketException.class);
        assertThat(this.tried).containsExactly(A);
    }

    @Test
    void whenEveryInstanceRefusesTheLastRefusalIsTheAnswer() {
        HandlerFunction<ServerResponse> proxy = new Instances("command-service", List.of(A, B))
            .proxy(request -> {
                this.tried.add(MvcUtils.getAttribute(request, MvcUtils.GATEWAY_REQUEST_URL_ATTR));
                throw new ResourceAccessException("refused", new ConnectException("Connection refused"));
            });

        assertThatThrownBy(() -> proxy.handle(request())).isInstanceOf(ResourceAccessException.class);
        assertThat(this.tried).containsExactly(A, B);
    }

    private HandlerFunction<ServerResponse> answering() {
        return request -> {
            this.tried.add(MvcUtils.getAttribute(request, MvcUtils.GATEWAY_REQUEST_URL_ATTR));
            return ServerResponse.ok().build();
        };
    }

    private HandlerFunction<ServerResponse> failingOn(URI dead, IOException cause) {
        return request -> {
            URI url = MvcUtils.getAttribute(request, MvcUtils.GATEWAY_REQUEST_URL_ATTR);
            this.tried.add(url);
            if (url.equals(dead)) {
                throw new ResourceAccessException("I/O error", cause);
            }
            return ServerResponse.ok().build();
        };
    }

    private static ServerRequest request() {
        return ServerRequest.create(new MockHttpServletRequest("POST", "/v1/invoices"), List.of());
    }

}

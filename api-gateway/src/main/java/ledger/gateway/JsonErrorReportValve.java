package ledger.gateway;

import java.io.IOException;
import java.io.Writer;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Tomcat answers some requests itself, before Spring sees them — an encoded slash or NUL in the path, an
 * oversize header, TRACE — with an HTML page. This valve writes those in the house JSON shape, with a
 * request id, like every other answer of the gateway.
 */
public class JsonErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        String requestId = RequestIdFilter.generate();
        String code = status == 404 ? "resource_missing" : status == 405 ? "method_not_allowed"
                : status < 500 ? "invalid_request" : "internal_error";
        try {
            response.setHeader("X-Request-Id", requestId);
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(ApiError.of("The request could not be processed (" + status + ")", code, requestId)
                        .json());
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the connection is gone; nothing more to say
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Registration {
        @Bean
        WebServerFactoryCustomizer<TomcatServletWebServerFactory> jsonErrorReports() {
            return factory -> {
                factory.addContextCustomizers(context -> {
                    if (context.getParent() instanceof org.apache.catalina.core.StandardHost host) {
                        host.setErrorReportValveClass(JsonErrorReportValve.class.getName());
                    }
                });
                // A refused TRACE is answered by the connector itself, past every valve. Let it through to
                // Spring (spring.mvc.dispatch-trace-request), whose catch-all route answers the house 405 or 404
                // — the servlet's default TRACE would echo the request, headers and all.
                factory.addConnectorCustomizers(connector -> connector.setAllowTrace(true));
            };
        }
    }
}

package ledger.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import ledger.support.web.ApiExceptionHandler;
import ledger.support.web.ErrorResponses;
import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;
import org.springframework.http.converter.json.MappingJackson2HttpMessageConverter;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.test.web.servlet.setup.StandaloneMockMvcBuilder;

/** Spring MVC with the services' JSON dialect and error handling around test controllers, without a server. */
public final class WebSlice {

    private WebSlice() {
    }

    /** The HTTP mapper exactly as every service gets it. */
    public static ObjectMapper httpJson() {
        var builder = new Jackson2ObjectMapperBuilder();
        new LedgerSupportAutoConfiguration().ledgerJsonDialect().customize(builder);
        return builder.build();
    }

    public static StandaloneMockMvcBuilder mvc(Object... controllers) {
        var json = httpJson();
        return MockMvcBuilders.standaloneSetup(controllers)
                .setMessageConverters(new MappingJackson2HttpMessageConverter(json))
                .setControllerAdvice(new ApiExceptionHandler(new ErrorResponses(json)));
    }
}

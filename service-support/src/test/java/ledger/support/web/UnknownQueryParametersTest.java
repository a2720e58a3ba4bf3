package ledger.support.web;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.net.URI;
import java.util.Map;
import java.util.Set;
import ledger.support.WebSlice;
import org.junit.jupiter.api.Test;
import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

class UnknownQueryParametersTest {

    record Range(String gte) {
    }

    /** Reads its parameter by itself, as query-service's created[…] range does. */
    static final class RangeResolver implements HandlerMethodArgumentResolver, QueryParameterNames {
        @Override
        public boolean supportsParameter(MethodParameter parameter) {
            return parameter.getParameterType() == Range.class;
        }

        @Override
        public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer container,
                                      NativeWebRequest request, WebDataBinderFactory binders) {
            return new Range(request.getParameter("created[gte]"));
        }

        @Override
        public Set<String> queryParameterNames(MethodParameter parameter) {
            return Set.of("created[gte]");
        }
    }

    @RestController
    static class Invoices {
        @GetMapping("/invoices")
        String list(@RequestParam(name = "limit", required = false) Integer limit,
                    @RequestParam(value = "starting_after", required = false) String startingAfter,
                    @RequestParam(required = false) String status, Range created) {
            return "ok";
        }

        @GetMapping("/invoices/{id}")
        String one(@PathVariable String id) {
            return "ok";
        }

        @GetMapping("/search")
        String search(@RequestParam Map<String, String> anything) {
            return "ok";
        }

        @PostMapping("/invoices")
        String create() {
            return "ok";
        }
    }

    private final MockMvc mvc = WebSlice.mvc(new Invoices()).setCustomArgumentResolvers(new RangeResolver())
            .addInterceptors(new UnknownQueryParameters()).build();

    @Test
    void everyNameTheHandlerReadsIsAccepted() throws Exception {
        mvc.perform(get(URI.create("/invoices?limit=5&starting_after=inv_1&status=open&created%5Bgte%5D=2026-01-01T00:00:00Z")))
                .andExpect(status().isOk());
        mvc.perform(get("/invoices")).andExpect(status().isOk());
        mvc.perform(get("/search?whatever=1&else=2")).andExpect(status().isOk());
    }

    @Test
    void anyOtherNameIsA400NamingIt() throws Exception {
        mvc.perform(get("/invoices?limit=5&currency=JPY"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("parameter_unknown"))
                .andExpect(jsonPath("$.param").value("currency"));
        mvc.perform(get("/invoices/inv_1?as_of=2026-01-01T00:00:00Z"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.param").value("as_of"));
        mvc.perform(get(URI.create("/invoices?created%5Bgt%5D=x")))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.param").value("created[gt]"));
    }

    @Test
    void formBodyFieldsAreNotQueryParameters() throws Exception {
        mvc.perform(post("/invoices").contentType(MediaType.APPLICATION_FORM_URLENCODED).content("amount=1"))
                .andExpect(status().isOk());
        mvc.perform(post("/invoices?amount=1")).andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("parameter_unknown"));
    }
}

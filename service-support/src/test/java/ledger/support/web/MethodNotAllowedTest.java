package ledger.support.web;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import ledger.support.WebSlice;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** §4.1: a known path with the wrong method is a 405 that names the methods the path takes. */
class MethodNotAllowedTest {

    @RestController
    static class Invoices {
        @GetMapping("/invoices")
        String list() {
            return "ok";
        }

        @PostMapping("/invoices")
        String create() {
            return "ok";
        }
    }

    private final MockMvc mvc = WebSlice.mvc(new Invoices()).build();

    @Test
    void aWrongMethodIsA405WithAllow() throws Exception {
        mvc.perform(delete("/invoices"))
                .andExpect(status().isMethodNotAllowed())
                .andExpect(header().string("Allow", org.hamcrest.Matchers.allOf(
                        org.hamcrest.Matchers.containsString("GET"), org.hamcrest.Matchers.containsString("POST"))))
                .andExpect(jsonPath("$.code").value("method_not_allowed"));
    }
}

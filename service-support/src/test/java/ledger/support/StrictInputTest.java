package ledger.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Map;
import ledger.events.LedgerJson;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

class StrictInputTest {

    record Body(Instant expiresAt, OffsetDateTime receivedAt, LocalDate dueDate, String description,
                Map<String, Object> metadata) {
    }

    @RestController
    static class Echo {
        @PostMapping("/echo")
        Body echo(@RequestBody Body body) {
            return body;
        }
    }

    private final ObjectMapper http = WebSlice.httpJson();

    @ParameterizedTest
    @ValueSource(strings = {"1796438077", "1.5", "\"1796438077\"", "[2026,12,31]", "{\"seconds\":1}", "true",
            "\"2026-12-31\"", "\"2026-12-31T23:59\"", "\"2026-12-31T23:59:59\"", "\"2026-12-31 23:59:59Z\"",
            "\"2026-02-30T00:00:00Z\"", "\"2026-12-31T23:59:59+0100\""})
    void aTimestampIsOnlyAnRfc3339String(String value) {
        for (String field : new String[] {"expires_at", "received_at"}) {
            assertThatThrownBy(() -> http.readValue("{\"" + field + "\":" + value + "}", Body.class))
                    .isInstanceOfSatisfying(JsonMappingException.class, e ->
                            assertThat(e.getPath()).singleElement().satisfies(r ->
                                    assertThat(r.getFieldName()).isEqualTo(field)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"20261231", "\"20261231\"", "[2026,12,31]", "\"2026-12-31T00:00:00Z\"", "\"2026-2-3\"",
            "\"2026-02-30\"", "{\"year\":2026}"})
    void aDateIsOnlyAYearMonthDayString(String value) {
        assertThatThrownBy(() -> http.readValue("{\"due_date\":" + value + "}", Body.class))
                .isInstanceOf(JsonMappingException.class);
    }

    @Test
    void rfc3339StringsAreRead() throws Exception {
        var body = http.readValue("""
                {"expires_at":"2026-12-31T23:59:59Z","received_at":"2026-12-31t23:59:59.123456789+01:00",
                 "due_date":"2026-12-31"}""", Body.class);

        assertThat(body.expiresAt()).isEqualTo(Instant.parse("2026-12-31T23:59:59Z"));
        assertThat(body.receivedAt()).isEqualTo(OffsetDateTime.parse("2026-12-31T23:59:59.123456789+01:00"));
        assertThat(body.dueDate()).isEqualTo(LocalDate.of(2026, 12, 31));
        assertThat(http.readValue("{\"expires_at\":\"2026-12-31T23:59:59+02:00\"}", Body.class).expiresAt())
                .isEqualTo(Instant.parse("2026-12-31T21:59:59Z"));
    }

    @Test
    void textMustBeValidUnicodeInValuesAndKeys() throws Exception {
        assertThatThrownBy(() -> http.readValue("{\"description\":\"x\\ud800y\"}", Body.class))
                .isInstanceOf(JsonMappingException.class);
        assertThatThrownBy(() -> http.readValue("{\"metadata\":{\"x\\udc00\":\"1\"}}", Body.class))
                .isInstanceOf(JsonMappingException.class);
        assertThatThrownBy(() -> http.readValue("{\"metadata\":{\"k\":\"\\ud800\"}}", Body.class))
                .isInstanceOf(JsonMappingException.class);
        assertThat(http.readValue("{\"description\":\"\\ud83d\\ude00 ok\",\"metadata\":{\"\\ud83d\\ude00\":\"1\"}}",
                Body.class)).isEqualTo(new Body(null, null, null, "\uD83D\uDE00 ok", Map.of("\uD83D\uDE00", "1")));
    }

    /** The event dialect is not the HTTP dialect: what was stored is read back as it was written. */
    @Test
    void theEventDialectStaysAsItWas() throws Exception {
        assertThat(LedgerJson.mapper().readValue("{\"expires_at\":1796438077}", Body.class).expiresAt())
                .isEqualTo(Instant.ofEpochSecond(1796438077));
    }

    @Test
    void aRefusedFieldIsA400NamingIt() throws Exception {
        var mvc = WebSlice.mvc(new Echo()).build();

        mvc.perform(post("/echo").contentType(MediaType.APPLICATION_JSON).content("{\"expires_at\":\"1796438077\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("parameter_invalid"))
                .andExpect(jsonPath("$.param").value("expires_at"))
                .andExpect(jsonPath("$.details[0].field").value("expires_at"))
                .andExpect(jsonPath("$.details[0].reason").value(
                        "must be an RFC 3339 date-time string such as 2026-12-31T23:59:59Z"));
        mvc.perform(post("/echo").contentType(MediaType.APPLICATION_JSON).content("{\"due_date\":[2026,12,31]}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("parameter_invalid"))
                .andExpect(jsonPath("$.param").value("due_date"));
        mvc.perform(post("/echo").contentType(MediaType.APPLICATION_JSON).content("{\"description\":\"x\\ud800y\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("parameter_invalid"))
                .andExpect(jsonPath("$.param").value("description"));
        mvc.perform(post("/echo").contentType(MediaType.APPLICATION_JSON).content("{\"metadata\":{\"x\\ud800\":\"1\"}}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("parameter_invalid"))
                .andExpect(jsonPath("$.param").value("metadata"));
    }
}

package ledger.local.replay;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code ./ledger replay} against a stand-in of query-service's rebuild admin API on a loopback port. */
class ReplayCommandTest {

    private static final String BASE = "/admin/v1/projections/invoices/rebuild";
    private static final String RUNNING = """
            {"id":"rb_7","state":"running","phase":"replaying","total_events":100,"processed_events":40,
             "percent":40.0,"events_per_second":20,"elapsed_ms":2000,"error":null}""";
    private static final String COMPLETED = """
            {"id":"rb_7","state":"completed","phase":"done","total_events":100,"processed_events":100,
             "percent":100.0,"events_per_second":25,"elapsed_ms":4000,"error":null}""";

    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    /** "METHOD path" → status and body. */
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private record Answer(int status, String body) {
    }

    @BeforeEach
    void startStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    @AfterEach
    void stopStub() {
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String call = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
            requests.add(call + " " + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
                    + " " + exchange.getRequestHeaders().getFirst("Authorization"));
            Answer answer = answers.getOrDefault(call, new Answer(404, "{\"code\":\"resource_missing\"}"));
            byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(answer.status(), body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private int replay(Integer pace) throws InterruptedException {
        return ReplayCommand.run(URI.create("http://localhost:" + server.getAddress().getPort()), "adm_t", pace,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void startedDuringARebuildItFollowsThatOneInsteadOfFailing() throws Exception {
        answers.put("POST " + BASE, new Answer(409, "{\"error\":\"busy\",\"code\":\"rebuild_in_progress\"}"));
        answers.put("GET " + BASE, new Answer(200, RUNNING));
        answers.put("GET " + BASE + "/rb_7", new Answer(200, COMPLETED));

        assertThat(replay(null)).isZero();

        assertThat(out.toString(StandardCharsets.UTF_8)).contains("rebuild rb_7 is already running; following it")
                .contains("completed: 100 events");
        assertThat(requests).extracting(r -> r.substring(0, r.indexOf(' ', r.indexOf(' ') + 1)))
                .containsExactly("POST " + BASE, "GET " + BASE, "GET " + BASE + "/rb_7");
    }

    @Test
    void aNewRebuildIsStartedAtThePaceAskedFor() throws Exception {
        answers.put("POST " + BASE, new Answer(202, RUNNING));
        answers.put("GET " + BASE + "/rb_7", new Answer(200, COMPLETED));

        assertThat(replay(500)).isZero();

        assertThat(requests.get(0)).isEqualTo("POST " + BASE + " {\"max_events_per_second\":500} Bearer adm_t");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("rebuild rb_7 of the invoice projection")
                .contains("at most 500 events/s");
    }

    @Test
    void anotherConflictIsAFailure() throws Exception {
        answers.put("POST " + BASE, new Answer(409, "{\"error\":\"reused\",\"code\":\"idempotency_key_reused\"}"));

        assertThat(replay(null)).isEqualTo(1);

        assertThat(err.toString(StandardCharsets.UTF_8)).contains("answered 409");
        assertThat(requests).hasSize(1);
    }

    @Test
    void thePaceIsAPositiveWholeNumber() {
        assertThat(ReplayCommand.parsePace(new String[0])).isNull();
        assertThat(ReplayCommand.parsePace(new String[] {"--max-events-per-second=2000"})).isEqualTo(2000);
        for (String bad : List.of("--max-events-per-second=0", "--max-events-per-second=-5", "--max-events-per-second=fast",
                "--max-events-per-second=", "--fast")) {
            assertThatThrownBy(() -> ReplayCommand.parsePace(new String[] {bad})).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}

package ledger.local.replay;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;

/**
 * {@code ./ledger replay [--max-events-per-second=N]}: one rebuild, a progress bar on one redrawn
 * line, exit 0 only if it completed. If a rebuild is already running (started by another replay or
 * through the admin API), it follows that one instead of failing on the API's 409.
 */
public final class ReplayCommand {

    static final String PACE = "--max-events-per-second=";

    private ReplayCommand() {
    }

    /**
     * The pace of {@code --max-events-per-second=N}, or null without it.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static Integer parsePace(String[] args) {
        Integer pace = null;
        for (String arg : args) {
            if (!arg.startsWith(PACE)) {
                throw new IllegalArgumentException("unexpected argument " + arg + " (usage: ./ledger replay [" + PACE + "N])");
            }
            try {
                pace = Integer.parseInt(arg.substring(PACE.length()));
            } catch (NumberFormatException e) {
                pace = 0;
            }
            if (pace <= 0) {
                throw new IllegalArgumentException(PACE + "N takes a positive whole number, not '"
                        + arg.substring(PACE.length()) + "'");
            }
        }
        return pace;
    }

    /** @param maxEventsPerSecond the pace of a new rebuild; null for as fast as it goes */
    public static int run(URI gateway, String adminToken, Integer maxEventsPerSecond, PrintStream out, PrintStream err)
            throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        RebuildClient client = new RebuildClient(http, gateway, adminToken);
        RebuildProgress last;
        try {
            RebuildProgress started;
            try {
                started = client.start(maxEventsPerSecond);
                out.println("rebuild " + started.id() + " of the invoice projection through " + gateway
                        + (maxEventsPerSecond == null ? "" : String.format(" at most %,d events/s", maxEventsPerSecond)));
            } catch (RebuildClient.AlreadyRunning e) {
                started = client.latest();
                out.println("rebuild " + started.id() + " is already running; following it"
                        + (maxEventsPerSecond == null ? "" : " at its own pace"));
            }
            last = client.follow(started, Duration.ofMillis(250), p -> {
                out.print("\r" + p.bar(40) + "   ");
                out.flush();
            });
        } catch (IOException e) {
            out.println();
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            err.println("ledger replay: " + gateway + ": " + why + (e instanceof java.net.ConnectException
                    ? " (is ./ledger up running? LEDGER_GATEWAY_PORT)" : ""));
            return 1;
        }
        out.println();
        if (!last.completed()) {
            err.println("ledger replay: rebuild " + last.id() + " ended " + last.state()
                    + (last.error() == null ? "" : ": " + last.error()));
            return 1;
        }
        out.printf("completed: %,d events in %.1f s (%,d events/s)%n", last.totalEvents() == null ? 0 : last.totalEvents(),
                last.elapsedMs() / 1000.0, last.eventsPerSecond());
        return 0;
    }
}

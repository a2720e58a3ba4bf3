package ledger.local;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One instance of a service running as a child JVM, its output in {@code logs/<service>.log} (the second
 * instance's in {@code logs/<service>-2.log}, and so on).
 */
final class ServiceProcess {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Service service;
    private final int instance;
    private final int port;
    private final Path jar;
    private final Path workDir;
    private final Path logFile;
    private final Path pidFile;
    private final Map<String, String> environment;
    private volatile Process process;

    ServiceProcess(Service service, int instance, int port, Path jar, Path workDir, Path logDir, Path runDir,
                   Map<String, String> environment) {
        this.service = service;
        this.instance = instance;
        this.port = port;
        this.jar = jar;
        this.workDir = workDir;
        this.logFile = logDir.resolve(name(service, instance) + ".log");
        this.pidFile = runDir.resolve(name(service, instance) + ".pid");
        this.environment = Map.copyOf(environment);
    }

    /** {@code command-service} for the first instance, {@code command-service-2} for the second… */
    static String name(Service service, int instance) {
        return instance == 0 ? service.module : service.module + "-" + (instance + 1);
    }

    Service service() {
        return service;
    }

    int instance() {
        return instance;
    }

    int port() {
        return port;
    }

    /** The operating system's process id, for crash tests that must kill the very instance holding a lease. */
    long pid() {
        Process p = process;
        if (p == null) {
            throw new IllegalStateException(this + " was not started");
        }
        return p.pid();
    }

    @Override
    public String toString() {
        return name(service, instance);
    }

    Path logFile() {
        return logFile;
    }

    void start() throws IOException {
        Files.createDirectories(logFile.getParent());
        Files.createDirectories(pidFile.getParent());
        // The previous run's log is kept one generation back: after a crash and a restart it is
        // the one worth reading.
        if (Files.exists(logFile)) {
            Files.move(logFile, logFile.resolveSibling(logFile.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
        }
        launch(ProcessBuilder.Redirect.to(logFile.toFile()));
    }

    /**
     * Starts the service again after {@link #kill}, with the same port and environment. The log goes
     * on in the same file, so one file tells the story of every crash and recovery of a run.
     */
    void restart() throws IOException {
        if (isAlive()) {
            throw new IllegalStateException(this + " is running");
        }
        launch(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    }

    /** SIGKILL, as a crash would: no graceful shutdown. Returns once the process is gone. */
    void kill() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            throw new IllegalStateException(this + " is not running");
        }
        p.destroyForcibly();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(this + " (pid " + p.pid() + ") survived SIGKILL for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing " + service, e);
        }
    }

    private void launch(ProcessBuilder.Redirect output) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command())
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output);
        builder.environment().putAll(environment);
        process = builder.start();
        Files.writeString(pidFile, Long.toString(process.pid()), StandardCharsets.UTF_8);
    }

    private List<String> command() {
        List<String> line = new ArrayList<>(List.of(OwnSession.java(), "-Xmx256m"));
        line.addAll(OwnSession.jvmOptions(System.getenv()));
        line.addAll(List.of("-jar", jar.toString()));
        return OwnSession.command(line);
    }

    void awaitHealthy(HttpClient http, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(ServiceEnvironment.localUrl(port) + "/actuator/health"))
                .timeout(Duration.ofSeconds(2))
                .GET()
                .build();
        await(http, request, ServiceProcess::isUp, timeout, "did not report UP on :" + port);
    }

    /**
     * Waits until this service authenticates {@code apiKey}: keys reach every service but
     * command-service through a Kafka topic, so a key just created is unknown here for a moment.
     */
    void awaitKeyAccepted(HttpClient http, String apiKey, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(ServiceEnvironment.localUrl(port) + service.keyProbePath))
                .timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + apiKey)
                .header("Accept", "application/json")
                .GET()
                .build();
        await(http, request, response -> response.statusCode() != 401 && response.statusCode() < 500, timeout,
                "did not accept the demo API key on :" + port);
    }

    private void await(HttpClient http, HttpRequest request, Predicate<HttpResponse<String>> done, Duration timeout,
                       String failure) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(this + " exited with code " + process.exitValue()
                        + " while starting; the end of " + logFile + ":\n" + logTail(40));
            }
            if (answers(http, request, done)) {
                return;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + service, e);
            }
        }
        throw new IllegalStateException(this + " " + failure + " within " + timeout.toSeconds()
                + " s; the end of " + logFile + ":\n" + logTail(40));
    }

    private static boolean answers(HttpClient http, HttpRequest request, Predicate<HttpResponse<String>> done) {
        try {
            return done.test(http.send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean isUp(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            return false;
        }
        try {
            return "UP".equals(JSON.readTree(response.body()).path("status").asText());
        } catch (IOException e) {
            return false;
        }
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    Optional<CompletableFuture<Process>> onExit() {
        return Optional.ofNullable(process).map(Process::onExit);
    }

    int exitValue() {
        return process.exitValue();
    }

    /** SIGTERM: Spring Boot shuts down gracefully on it. */
    void terminate() {
        if (process != null) {
            process.destroy();
        }
    }

    void awaitExit(Instant deadline) {
        if (process == null) {
            return;
        }
        try {
            long remaining = Math.max(0, Duration.between(Instant.now(), deadline).toMillis());
            if (!process.waitFor(remaining, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String logTail(int lines) {
        return tail(logFile, lines);
    }

    static String tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) {
                return "(no log)";
            }
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(could not read " + file + ": " + e.getMessage() + ")";
        }
    }

    /**
     * A launcher killed with SIGKILL cannot stop its children; they would hold the ports and
     * the database. The pid files (one per instance) are only trusted if that pid still runs this
     * service's jar.
     */
    static void stopLeftovers(Service service, Path jar, Path runDir, Consumer<String> progress) throws IOException {
        if (!Files.isDirectory(runDir)) {
            return;
        }
        List<Path> pidFiles;
        try (Stream<Path> files = Files.list(runDir)) {
            String instancePidFile = Pattern.quote(service.module) + "(-\\d+)?\\.pid";
            pidFiles = files.filter(file -> file.getFileName().toString().matches(instancePidFile)).toList();
        }
        for (Path pidFile : pidFiles) {
            stopLeftover(service, jar, pidFile, progress);
        }
    }

    private static void stopLeftover(Service service, Path jar, Path pidFile, Consumer<String> progress) throws IOException {
        String content = Files.readString(pidFile, StandardCharsets.UTF_8).trim();
        Files.delete(pidFile);
        long pid;
        try {
            pid = Long.parseLong(content);
        } catch (NumberFormatException e) {
            return;
        }
        String marker = jar.getFileName().toString();
        Optional<ProcessHandle> leftover = ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(handle -> handle.info().commandLine().map(line -> line.contains(marker)).orElse(false));
        if (leftover.isEmpty()) {
            return;
        }
        progress.accept("stopping the " + service + " a previous run left behind (pid " + pid + ")");
        ProcessHandle handle = leftover.get();
        handle.destroy();
        try {
            handle.onExit().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            handle.destroyForcibly();
        }
    }
}

package ledger.local.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * CPU time of process trees, from {@code /proc/<pid>/stat}. A tree is a root and every descendant:
 * PostgreSQL's postmaster forks a backend per connection plus its background workers, and the
 * postmaster alone would miss nearly all of PostgreSQL's work.
 */
final class ProcessCpu {

    /**
     * One process: its parent and its CPU in clock ticks — user and system time of all its threads,
     * plus those of the children it has reaped ({@code cutime}, {@code cstime}). The reaped part keeps
     * a before/after difference exact when a backend exits between the two readings: its whole
     * lifetime then moves into the postmaster's figures, while the earlier reading counted what it had
     * used so far.
     */
    record Stat(long pid, long ppid, long ticks) {

        /**
         * Parses a {@code /proc/<pid>/stat} line. The command name (field 2, in parentheses) may hold
         * spaces and parentheses itself, so the fields are counted from the last {@code ')'}.
         */
        static Stat parse(String line) {
            int open = line.indexOf('(');
            int close = line.lastIndexOf(')');
            if (open < 1 || close < open) {
                throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + line);
            }
            long pid = Long.parseLong(line.substring(0, open).trim());
            // after the name: state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17)
            String[] fields = line.substring(close + 1).trim().split("\\s+");
            if (fields.length < 15) {
                throw new IllegalArgumentException("too few fields in /proc/" + pid + "/stat: " + line);
            }
            long ppid = Long.parseLong(fields[1]);
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12])
                    + Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
            return new Stat(pid, ppid, ticks);
        }
    }

    private final Path proc;

    ProcessCpu(Path proc) {
        this.proc = proc;
    }

    /** Ticks of each named tree, read now. */
    Map<String, Long> ticks(Map<String, Long> roots) {
        return ticksPerTree(readAll(), roots);
    }

    /**
     * Ticks of each named tree: the root's and every descendant's. A root that is not running counts
     * nothing. A process reached from two roots counts for the first.
     */
    static Map<String, Long> ticksPerTree(Collection<Stat> processes, Map<String, Long> roots) {
        Map<Long, Stat> byPid = new HashMap<>();
        Map<Long, List<Long>> children = new HashMap<>();
        for (Stat stat : processes) {
            byPid.put(stat.pid(), stat);
            children.computeIfAbsent(stat.ppid(), k -> new ArrayList<>()).add(stat.pid());
        }
        Set<Long> counted = new HashSet<>();
        Map<String, Long> ticks = new LinkedHashMap<>();
        roots.forEach((name, root) -> {
            long sum = 0;
            Deque<Long> todo = new ArrayDeque<>(List.of(root));
            while (!todo.isEmpty()) {
                long pid = todo.pop();
                Stat stat = byPid.get(pid);
                if (stat == null || !counted.add(pid)) {
                    continue;
                }
                sum += stat.ticks();
                todo.addAll(children.getOrDefault(pid, List.of()));
            }
            ticks.put(name, sum);
        });
        return ticks;
    }

    /**
     * Ticks of each JIT compiler thread of process {@code pid} ({@code C1 CompilerThreadN}, {@code C2 CompilerThreadN}),
     * by thread id: how much of a JVM's CPU went to compiling rather than to its work. None when the process is gone.
     */
    Map<Long, Long> compilerThreadTicks(long pid) {
        Map<Long, Long> ticks = new HashMap<>();
        try {
            for (String line : statLines(proc.resolve(Long.toString(pid)).resolve("task"))) {
                if (isCompilerThread(line)) {
                    Stat stat = Stat.parse(line);
                    ticks.put(stat.pid(), stat.ticks());
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return ticks;
    }

    /** The kernel keeps a thread's name to 15 characters: {@code C2 CompilerThre}. */
    static boolean isCompilerThread(String statLine) {
        int name = statLine.indexOf('(') + 1;
        return name > 0 && (statLine.startsWith("C1 CompilerThre", name) || statLine.startsWith("C2 CompilerThre", name));
    }

    /**
     * Ticks the threads of {@code after} used since {@code before}, both from {@link #compilerThreadTicks}. The JVM
     * starts and stops compiler threads as its queue grows and empties; one that ended between the readings is not
     * counted.
     */
    static long ticksSince(Map<Long, Long> before, Map<Long, Long> after) {
        long used = 0;
        for (Map.Entry<Long, Long> thread : after.entrySet()) {
            used += thread.getValue() - before.getOrDefault(thread.getKey(), 0L);
        }
        return used;
    }

    /** Every process of {@code proc}; one that exits while being read is left out. */
    private List<Stat> readAll() {
        try {
            return statLines(proc).stream().map(Stat::parse).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + proc, e);
        }
    }

    /**
     * The {@code stat} line of each numbered folder of {@code folder} ({@code /proc}'s processes, or a process's
     * {@code task/} threads); one that ended between the listing and the read is left out.
     */
    private static List<String> statLines(Path folder) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> entries = Files.list(folder)) {
            for (Path dir : (Iterable<Path>) entries::iterator) {
                if (!dir.getFileName().toString().chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    lines.add(Files.readString(dir.resolve("stat")));
                } catch (IOException e) {
                    // gone between the listing and the read
                }
            }
        }
        return lines;
    }

    /** {@code getconf CLK_TCK}, the unit of the tick figures; 100 (Linux' usual value) when it cannot be asked. */
    static long clockTicksPerSecond() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String answer = new String(getconf.getInputStream().readAllBytes()).trim();
            return getconf.waitFor() == 0 ? Long.parseLong(answer) : 100;
        } catch (IOException | NumberFormatException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}

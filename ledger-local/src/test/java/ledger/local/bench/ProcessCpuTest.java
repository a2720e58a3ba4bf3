package ledger.local.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProcessCpuTest {

    /** A /proc/<pid>/stat line with the given parent and utime, stime, cutime, cstime. */
    private static String stat(long pid, String name, long ppid, long utime, long stime, long cutime, long cstime) {
        return pid + " (" + name + ") S " + ppid + " " + pid + " " + pid + " 0 -1 4194560 1234 0 0 0 "
                + utime + " " + stime + " " + cutime + " " + cstime + " 20 0 41 0 123456 4096000 5000"
                + " 18446744073709551615 1 1 0 0 0 0 0 4096 17 1 0 0 0 0 0\n";
    }

    @Test
    void parsesParentAndCpuIncludingReapedChildren() {
        ProcessCpu.Stat stat = ProcessCpu.Stat.parse(stat(4242, "java", 1, 1500, 300, 20, 5));
        assertThat(stat).isEqualTo(new ProcessCpu.Stat(4242, 1, 1825));
    }

    @Test
    void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
        ProcessCpu.Stat stat = ProcessCpu.Stat.parse(stat(77, "postgres: a (b) c", 12, 7, 3, 0, 0));
        assertThat(stat).isEqualTo(new ProcessCpu.Stat(77, 12, 10));
    }

    @Test
    void aLineThatIsNoStatIsRefused() {
        assertThatThrownBy(() -> ProcessCpu.Stat.parse("hello")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProcessCpu.Stat.parse("5 (x) S 1 2")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTreeCountsItsRootAndEveryDescendantButNoOtherProcess() {
        List<ProcessCpu.Stat> processes = List.of(
                new ProcessCpu.Stat(1, 0, 1_000_000),       // init: not ours
                new ProcessCpu.Stat(100, 1, 50),            // postmaster
                new ProcessCpu.Stat(101, 100, 7),           // backend
                new ProcessCpu.Stat(102, 100, 11),          // walwriter
                new ProcessCpu.Stat(103, 101, 2),           // a grandchild
                new ProcessCpu.Stat(200, 1, 300),           // a service JVM
                new ProcessCpu.Stat(300, 1, 999));          // the bench: no root
        Map<String, Long> ticks = ProcessCpu.ticksPerTree(processes, Map.of("postgres", 100L, "service", 200L));
        assertThat(ticks).containsExactlyInAnyOrderEntriesOf(Map.of("postgres", 70L, "service", 300L));
    }

    @Test
    void aRootThatIsNotRunningCountsNothingAndAProcessCountsOnce() {
        List<ProcessCpu.Stat> processes = List.of(new ProcessCpu.Stat(10, 1, 5), new ProcessCpu.Stat(11, 10, 6));
        Map<String, Long> roots = new java.util.LinkedHashMap<>();
        roots.put("parent", 10L);
        roots.put("child", 11L);
        roots.put("gone", 12L);
        assertThat(ProcessCpu.ticksPerTree(processes, roots))
                .isEqualTo(Map.of("parent", 11L, "child", 0L, "gone", 0L));
    }

    @Test
    void readsEveryProcessOfAFakeProcFolder(@TempDir Path proc) throws IOException {
        write(proc, 100, stat(100, "postgres", 1, 40, 10, 3, 2));
        write(proc, 101, stat(101, "postgres: bench ledger 127.0.0.1(5) idle", 100, 5, 5, 0, 0));
        write(proc, 500, stat(500, "java", 1, 1, 1, 0, 0));
        Files.createDirectories(proc.resolve("self"));   // not a pid
        Files.createDirectories(proc.resolve("600"));    // exited between listing and reading
        Files.writeString(proc.resolve("uptime"), "1.0 2.0");
        assertThat(new ProcessCpu(proc).ticks(Map.of("postgres", 100L))).isEqualTo(Map.of("postgres", 65L));
    }

    @Test
    void aJvmsCompilerThreadsAreTheC1AndC2CompilerThreadsOfItsTasks(@TempDir Path proc) throws IOException {
        writeTask(proc, 500, 500, stat(500, "java", 1, 900, 100, 0, 0));
        writeTask(proc, 500, 511, stat(511, "C2 CompilerThre", 1, 300, 20, 0, 0));
        writeTask(proc, 500, 512, stat(512, "C1 CompilerThre", 1, 40, 2, 0, 0));
        writeTask(proc, 500, 513, stat(513, "http-nio-8081-e", 1, 500, 50, 0, 0));
        Files.createDirectories(proc.resolve("500/task/514"));   // ended between listing and reading
        assertThat(new ProcessCpu(proc).compilerThreadTicks(500)).isEqualTo(Map.of(511L, 320L, 512L, 42L));
        assertThat(new ProcessCpu(proc).compilerThreadTicks(600)).as("a process that is gone").isEmpty();
    }

    @Test
    void thisJvmsOwnCompilerThreadsAreFoundByTheirNamesInTheRealProc() {
        assertThat(new ProcessCpu(Path.of("/proc")).compilerThreadTicks(ProcessHandle.current().pid()))
                .as("the kernel's names of this JVM's C1/C2 threads").isNotEmpty();
    }

    @Test
    void compilerTicksSinceCountANewThreadFromNothingAndLeaveOutOneThatEnded() {
        Map<Long, Long> before = Map.of(511L, 300L, 512L, 40L, 515L, 90L);
        Map<Long, Long> after = Map.of(511L, 320L, 512L, 42L, 516L, 7L);
        assertThat(ProcessCpu.ticksSince(before, after)).isEqualTo(20 + 2 + 7);
    }

    private static void writeTask(Path proc, long pid, long tid, String stat) throws IOException {
        Path task = proc.resolve(Long.toString(pid)).resolve("task").resolve(Long.toString(tid));
        Files.createDirectories(task);
        Files.writeString(task.resolve("stat"), stat);
    }

    private static void write(Path proc, long pid, String stat) throws IOException {
        Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(proc.resolve(Long.toString(pid)).resolve("stat"), stat);
    }
}

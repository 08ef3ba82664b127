package shop.reconciler.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** CPU time of this JVM and of the database server process (Linux {@code /proc}), and the load average. */
final class Cpu {

    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ; `getconf CLK_TCK` is 100 on Linux

    private Cpu() {}

    /** CPU seconds this JVM has used (all threads, JIT and GC included). */
    static double jvm() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime() / 1e9;
        }
        return Double.NaN;
    }

    /** CPU seconds process {@code pid} has used, or NaN when it cannot be read (not Linux, another machine). */
    static double process(long pid) {
        if (pid <= 0) {
            return Double.NaN;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state is f[0], utime f[11], stime f[12]
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The local mariadbd/mysqld listening on {@code port} (found by its command line), or -1. */
    static long serverPid(int port) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(p -> {
                        try {
                            String cmd = new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ');
                            return (cmd.contains("mariadbd") || cmd.contains("mysqld"))
                                    && cmd.contains("--port=" + port + " ");
                        } catch (IOException | RuntimeException e) {
                            return false;
                        }
                    })
                    .mapToLong(p -> Long.parseLong(p.getFileName().toString()))
                    .findFirst()
                    .orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * CPU seconds the hypervisor gave to others while this machine's CPUs wanted to run (the
     * {@code steal} column of {@code /proc/stat}, summed over the CPUs), or NaN when unreadable. On
     * a shared host it is one reason the same run is faster or slower from one hour to the next
     * (9 % in one sample on 2026-12-02; 0 to 2 % in the runs of README table 4, which still varied).
     */
    static double steal() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            // "cpu user nice system idle iowait irq softirq steal ..."
            return Long.parseLong(f[8]) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The 1-minute load average. */
    static double load() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}

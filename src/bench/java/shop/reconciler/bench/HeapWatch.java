package shop.reconciler.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The heap a scenario needs, measured around it in its own JVM.
 *
 * <ul>
 *   <li>peak: the sum of the heap pools' peak usage since {@link #start()} (an upper bound: the
 *       pools need not peak at the same moment). With a lazy collector this grows towards
 *       {@code -Xmx} for any long run that allocates, live data or not.
 *   <li>live: the largest heap in use right after a garbage collection since {@link #start()}:
 *       what the scenario actually keeps. This is the figure that must not grow with N.
 * </ul>
 */
final class HeapWatch {

    private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP)
            .toList();
    private final Set<String> heapPoolNames =
            heapPools.stream().map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    private final AtomicLong maxAfterGc = new AtomicLong();
    private final AtomicLong collections = new AtomicLong();
    private final AtomicLong gcMillis = new AtomicLong();
    /** Every collection's notification, watched or not. */
    private final AtomicLong notified = new AtomicLong();

    private volatile boolean watching;

    HeapWatch() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(
                        (notification, handback) -> {
                            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                                    notification.getType())) {
                                return;
                            }
                            try {
                                if (watching) {
                                    recordCollection(GarbageCollectionNotificationInfo.from(
                                            (CompositeData) notification.getUserData()));
                                }
                            } finally {
                                // counted once the rest is done, for collectAndWait()
                                notified.incrementAndGet();
                            }
                        },
                        null,
                        null);
            }
        }
    }

    /** One collection seen while watching: the heap it left in use, its duration. */
    private void recordCollection(GarbageCollectionNotificationInfo info) {
        long used = 0;
        for (Map.Entry<String, MemoryUsage> pool :
                info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (heapPoolNames.contains(pool.getKey())) {
                used += pool.getValue().getUsed();
            }
        }
        maxAfterGc.accumulateAndGet(used, Math::max);
        collections.incrementAndGet();
        gcMillis.addAndGet(info.getGcInfo().getDuration());
    }

    void start() {
        collectAndWait();
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
        maxAfterGc.set(0);
        collections.set(0);
        gcMillis.set(0);
        watching = true;
    }

    /** Stops watching and returns {@code peakMb, liveMb, collections, gcMs, maxHeapMb}. */
    Map<String, String> stop() {
        // One last collection so that a run too short to trigger one still reports what it keeps.
        collectAndWait();
        watching = false;
        long peak =
                heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        return Map.of(
                "peakHeapMb", mb(peak),
                "liveHeapMb", mb(maxAfterGc.get()),
                "gcCount", Long.toString(collections.get()),
                "gcMs", Long.toString(gcMillis.get()),
                "maxHeapMb", mb(Runtime.getRuntime().maxMemory()));
    }

    /**
     * A full collection, returning once its notification has been handled: it comes on another
     * thread after {@code System.gc()} returns (a floor run once reported "live 0 MB" because the
     * watch had ended before it arrived).
     */
    private void collectAndWait() {
        long before = notified.get();
        System.gc();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (notified.get() == before && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String mb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0));
    }
}

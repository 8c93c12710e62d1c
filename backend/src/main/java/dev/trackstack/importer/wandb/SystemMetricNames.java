package dev.trackstack.importer.wandb;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * W&B's system metric keys (wandb-core's system monitor, its GPU monitor) as the names the Trackstack Python client
 * gives its own system metrics (trackstack/system.py), where both measure the same thing in the same unit or one a
 * factor converts; every other key is kept under "system/" with its W&B name. Not matched on purpose: W&B's "cpu"
 * (the process tree's CPU over the machine's) is not the client's sys/process_cpu_percent (over one CPU), and W&B's
 * network and disk counters are totals since the run started where the client's are rates.
 */
final class SystemMetricNames {

    /** W&B key → (client name, factor to the client's unit). */
    private static final Map<String, Target> MACHINE = Map.of(
            "memory_percent", new Target("sys/memory_percent", 1),
            "proc.memory.rssMB", new Target("sys/process_memory_rss_bytes", 1024 * 1024));

    private static final Map<String, Target> GPU = Map.of(
            "gpu", new Target("utilization_percent", 1),
            "memoryAllocated", new Target("memory_percent", 1),
            "memoryAllocatedBytes", new Target("memory_used_bytes", 1),
            "temp", new Target("temperature_celsius", 1),
            "powerWatts", new Target("power_watts", 1));

    private static final Pattern GPU_KEY = Pattern.compile("gpu\\.(\\d+)\\.(\\w+)");

    record Target(String name, double factor) {
    }

    private SystemMetricNames() {
    }

    static Target of(String key) {
        Target machine = MACHINE.get(key);
        if (machine != null) {
            return machine;
        }
        Matcher gpu = GPU_KEY.matcher(key);
        if (gpu.matches() && GPU.containsKey(gpu.group(2))) {
            Target target = GPU.get(gpu.group(2));
            return new Target("sys/gpu." + gpu.group(1) + "." + target.name(), target.factor());
        }
        return new Target("system/" + key, 1);
    }
}

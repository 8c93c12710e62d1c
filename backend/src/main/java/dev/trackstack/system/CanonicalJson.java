package dev.trackstack.system;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** JSON values with every object's keys sorted, so that the same content always writes the same JSON (and hash). */
public final class CanonicalJson {

    private CanonicalJson() {
    }

    public static Object sorted(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> sorted = new TreeMap<>();
            map.forEach((k, v) -> sorted.put(String.valueOf(k), sorted(v)));
            return sorted;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(CanonicalJson::sorted).toList();
        }
        return value;
    }
}

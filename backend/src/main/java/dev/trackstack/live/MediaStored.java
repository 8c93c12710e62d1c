package dev.trackstack.live;

import java.util.List;

/**
 * Media items one committed logMedia call stored, in the order logged.
 *
 * @param items each item's name, step and kind (IMAGE, HISTOGRAM, TABLE or TEXT)
 */
public record MediaStored(long runId, String project, List<Item> items) {

    public record Item(String name, long step, String kind) {
    }
}

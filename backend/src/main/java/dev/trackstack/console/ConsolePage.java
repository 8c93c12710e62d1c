package dev.trackstack.console;

import java.util.List;

public record ConsolePage(List<ConsoleLine> lines, boolean hasMore, Long lastLine) {
}

package dev.trackstack.console;

import java.time.OffsetDateTime;

public record ConsoleLine(long line, ConsoleStream stream, OffsetDateTime time, String text) {
}

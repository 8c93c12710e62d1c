package dev.trackstack.console;

import java.time.OffsetDateTime;

/** A line as logConsole takes it; {@code time} may be null (the arrival time is stored then). */
public record ConsoleLineInput(long line, ConsoleStream stream, String text, OffsetDateTime time) {
}

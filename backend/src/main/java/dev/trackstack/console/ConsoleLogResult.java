package dev.trackstack.console;

public record ConsoleLogResult(int accepted, int duplicates, int dropped) {
}

package dev.trackstack.console;

public enum ConsoleStream {
    STDOUT,
    STDERR
}

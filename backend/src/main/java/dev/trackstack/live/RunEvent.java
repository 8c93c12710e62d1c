package dev.trackstack.live;

public record RunEvent(Type type, long runId, String project) {

    public enum Type { CREATED, UPDATED, STATUS_CHANGED, SUMMARY_CHANGED, CONSOLE_APPENDED, DELETED }
}

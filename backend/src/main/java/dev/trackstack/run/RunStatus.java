package dev.trackstack.run;

public enum RunStatus {
    RUNNING, COMPLETED, FAILED, CRASHED
}

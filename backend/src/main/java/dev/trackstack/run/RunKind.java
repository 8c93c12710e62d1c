package dev.trackstack.run;

/** What a run is: an ordinary (training) run, or an eval run (dev.trackstack.eval). */
public enum RunKind { TRAINING, EVAL }

package dev.trackstack.media;

public enum MediaKind { IMAGE, HISTOGRAM, TABLE, TEXT }

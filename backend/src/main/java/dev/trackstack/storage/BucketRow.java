package dev.trackstack.storage;

/**
 * A part of a bucket as read: a stored bucket or a raw point (its own min and max, count 1). Its time is in epoch
 * microseconds and missing bounds are NaN: primitives, since a chart read holds tens of thousands.
 */
public record BucketRow(long step, long micros, double value, double min, double max, int count) {
}

package dev.trackstack.trace;

record TraceOrder(Field field, Direction direction) {

    enum Field { START_TIME, DURATION, TOKENS, COST }

    enum Direction { ASC, DESC }
}

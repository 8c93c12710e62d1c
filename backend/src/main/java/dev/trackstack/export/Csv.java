package dev.trackstack.export;

/** RFC 4180 fields. */
final class Csv {

    private Csv() {
    }

    /** The field, quoted when it holds a comma, a quote or a line break; null is the empty field. */
    static String field(String value) {
        if (value == null) {
            return "";
        }
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }

    /** Java's shortest text that reads back as the same double; NaN, Infinity and -Infinity as such. */
    static String number(double value) {
        return Double.toString(value);
    }
}

package dev.trackstack.eval;

/** SQL shared by the eval queries. */
final class EvalSql {

    private EvalSql() {
    }

    /**
     * Whether a score (alias {@code s}: value, category) passes by its config (alias {@code c}: a score_config row);
     * null when the config defines no passing. ScoreConfig.passes says the same in Java.
     */
    static String passed(String c, String s) {
        return "(case " + c + ".type when 'NUMERIC' then case when " + c + ".pass_threshold is null then null"
                + " when " + c + ".higher_is_better then " + s + ".value >= " + c + ".pass_threshold"
                + " else " + s + ".value <= " + c + ".pass_threshold end"
                + " when 'BOOLEAN' then (" + s + ".value = 1) = " + c + ".higher_is_better"
                + " else case when " + c + ".pass_categories is null then null"
                + " else " + s + ".category = any(" + c + ".pass_categories) end end)";
    }
}

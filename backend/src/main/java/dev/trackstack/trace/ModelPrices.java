package dev.trackstack.trace;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.trackstack.system.ApiException;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Service;

/**
 * The price table (model_price): what a span's tokens cost when the span does not say. Read once per OTLP request,
 * so that every instance prices with the table as it is, without a cache to keep in step.
 */
@Service
class ModelPrices {

    /** A model's price in US dollars per million input and output tokens. */
    record ModelPrice(String model, BigDecimal inputPerMillion, BigDecimal outputPerMillion,
            OffsetDateTime updatedAt) {
    }

    record ModelPriceInput(String model, double inputPerMillion, double outputPerMillion) {
    }

    private static final RowMapper<ModelPrice> ROW = (rs, i) -> new ModelPrice(rs.getString("model"),
            rs.getBigDecimal("input_per_million"), rs.getBigDecimal("output_per_million"),
            rs.getObject("updated_at", OffsetDateTime.class));

    private final JdbcTemplate jdbc;
    private final int nameLength;

    ModelPrices(JdbcTemplate jdbc, TrackstackProperties properties) {
        this.jdbc = jdbc;
        this.nameLength = properties.limits().nameLength();
    }

    List<ModelPrice> all() {
        return jdbc.query("select * from model_price order by model", ROW);
    }

    ModelPrice set(ModelPriceInput input) {
        String model = input.model().strip();
        if (model.isEmpty() || model.length() > nameLength || model.indexOf('\0') >= 0) {
            throw ApiException.badInput("A model name has 1 to " + nameLength + " characters");
        }
        for (double price : new double[] {input.inputPerMillion(), input.outputPerMillion()}) {
            if (!Double.isFinite(price) || price < 0) {
                throw ApiException.badInput("A price is a number >= 0, not " + price);
            }
        }
        return jdbc.queryForObject("""
                insert into model_price (model, input_per_million, output_per_million) values (?, ?, ?)
                on conflict (model) do update set input_per_million = excluded.input_per_million,
                    output_per_million = excluded.output_per_million, updated_at = now()
                returning *
                """, ROW, model, BigDecimal.valueOf(input.inputPerMillion()),
                BigDecimal.valueOf(input.outputPerMillion()));
    }

    boolean delete(String model) {
        return jdbc.update("delete from model_price where model = ?", model) > 0;
    }

    /** The table as it is now. */
    Pricing pricing() {
        return new Pricing(all().stream().collect(Collectors.toMap(ModelPrice::model, price -> price)));
    }

    record Pricing(Map<String, ModelPrice> byModel) {

        /** The cost of these tokens; null when the model has no price or no tokens are given. */
        BigDecimal cost(String model, Long inputTokens, Long outputTokens) {
            ModelPrice price = model == null ? null : find(model);
            if (price == null || (inputTokens == null && outputTokens == null)) {
                return null;
            }
            BigDecimal input = BigDecimal.valueOf(inputTokens == null ? 0 : inputTokens);
            BigDecimal output = BigDecimal.valueOf(outputTokens == null ? 0 : outputTokens);
            return input.multiply(price.inputPerMillion()).add(output.multiply(price.outputPerMillion()))
                    .movePointLeft(6).stripTrailingZeros();
        }

        /**
         * The price of the model's name, else of the longest name it starts with followed by '-' or '.' (gpt-4o
         * prices gpt-4o-2024-08-06); then the same for the name after its last '/' (openai/gpt-4o).
         */
        ModelPrice find(String model) {
            ModelPrice price = prefix(model);
            int slash = model.lastIndexOf('/');
            return price != null || slash < 0 ? price : prefix(model.substring(slash + 1));
        }

        private ModelPrice prefix(String model) {
            ModelPrice best = byModel.get(model);
            if (best != null) {
                return best;
            }
            for (ModelPrice price : byModel.values()) {
                String name = price.model();
                if (model.length() > name.length() && model.startsWith(name)
                        && (model.charAt(name.length()) == '-' || model.charAt(name.length()) == '.')
                        && (best == null || name.length() > best.model().length())) {
                    best = price;
                }
            }
            return best;
        }
    }
}

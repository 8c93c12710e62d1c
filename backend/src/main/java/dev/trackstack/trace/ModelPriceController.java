package dev.trackstack.trace;

import java.util.List;

import dev.trackstack.trace.ModelPrices.ModelPrice;
import dev.trackstack.trace.ModelPrices.ModelPriceInput;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

@Controller
class ModelPriceController {

    private final ModelPrices prices;

    ModelPriceController(ModelPrices prices) {
        this.prices = prices;
    }

    @QueryMapping
    List<ModelPrice> modelPrices() {
        return prices.all();
    }

    @MutationMapping
    ModelPrice setModelPrice(@Argument ModelPriceInput input) {
        return prices.set(input);
    }

    @MutationMapping
    boolean deleteModelPrice(@Argument String model) {
        return prices.delete(model);
    }
}

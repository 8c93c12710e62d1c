package dev.trackstack.auth;

import java.util.List;

import dev.trackstack.system.Ids;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

/** Token management; AccessGuard lets only the admin token in. */
@Controller
class ApiTokenController {

    private final ApiTokens tokens;

    ApiTokenController(ApiTokens tokens) {
        this.tokens = tokens;
    }

    @QueryMapping
    List<ApiToken> apiTokens() {
        return tokens.all();
    }

    @MutationMapping
    ApiTokens.ApiTokenCreated createApiToken(@Argument String name, @Argument ApiToken.Scope scope,
            @Argument List<String> projects) {
        return tokens.create(name, scope, projects);
    }

    @MutationMapping
    ApiToken revokeApiToken(@Argument String id) {
        return tokens.revoke(Ids.parse(id, "API token"));
    }
}

package dev.trackstack.web;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * Deep links into the dashboard (a path with no file extension) are answered with the single page; GraphiQL is
 * the webapp's second page.
 */
@Controller
class SpaController {

    @GetMapping({"/projects/**", "/runs/**", "/compare/**", "/evals/**"})
    String dashboard() {
        return "forward:/index.html";
    }

    @GetMapping("/graphiql")
    String graphiql() {
        return "forward:/graphiql.html";
    }
}

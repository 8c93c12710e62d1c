package dev.trackstack.importer;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code java -jar trackstack.jar import <format> <source> [options]}: starts an import on a running server (the
 * server reads the source) and prints its progress until it ends. Exit code 0 when it succeeded, 1 when it failed,
 * 2 for a wrong command line.
 */
public final class ImportCommand {

    private static final String USAGE = """
            Usage: java -jar trackstack.jar import tensorboard|mlflow|wandb <source> [options]
              <source>          a directory or file on the server's machine, or an MLflow or W&B server's URL
              --project <name>  the project of the runs (required for tensorboard)
              --model <name>    the model of the runs (default: the format's name)
              --api-key <key>   the MLflow or W&B server's credential (default for wandb: $WANDB_API_KEY)
              --url <url>       the Trackstack server (default: $TRACKSTACK_URL, else http://localhost:8080)
            The API token, if the server needs one, is read from $TRACKSTACK_TOKEN.""";

    private static final String JOB = "id state runsRead runsCreated pointsStored pointsDuplicate unmapped error";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final JsonMapper json = JsonMapper.builder().build();
    private final URI endpoint;
    private final String token;
    private final PrintStream out;

    private ImportCommand(URI endpoint, String token, PrintStream out) {
        this.endpoint = endpoint;
        this.token = token;
        this.out = out;
    }

    /** Whether the command line asks for this command rather than the server. */
    public static boolean wanted(String[] args) {
        return args.length > 0 && args[0].equals("import");
    }

    public static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err)
            throws InterruptedException {
        Map<String, String> options = new HashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].startsWith("--") && i + 1 < args.length) {
                options.put(args[i].substring(2), args[++i]);
            } else {
                positional.add(args[i]);
            }
        }
        if (positional.size() != 2 || !List.of("tensorboard", "mlflow", "wandb").contains(positional.get(0))
                || !List.of("project", "model", "api-key", "url").containsAll(options.keySet())) {
            err.println(USAGE);
            return 2;
        }
        String format = positional.get(0);
        Path path = Path.of(positional.get(1));
        String source = Files.exists(path) ? path.toAbsolutePath().toString() : positional.get(1);
        String url = options.getOrDefault("url", environment.getOrDefault("TRACKSTACK_URL", "http://localhost:8080"));
        String apiKey = options.getOrDefault("api-key", format.equals("wandb") ? environment.get("WANDB_API_KEY") : null);
        Map<String, Object> input = new HashMap<>();
        input.put("format", format.toUpperCase(Locale.ROOT));
        input.put("source", source);
        input.put("project", options.get("project"));
        input.put("model", options.get("model"));
        input.put("apiKey", apiKey);
        ImportCommand command = new ImportCommand(URI.create(url.replaceAll("/+$", "") + "/graphql"),
                environment.get("TRACKSTACK_TOKEN"), out);
        try {
            return command.follow(input);
        } catch (IOException | CommandException e) {
            err.println("import failed: " + e.getMessage());
            return 1;
        }
    }

    private int follow(Map<String, Object> input) throws IOException, InterruptedException {
        JsonNode job = execute("mutation($input: ImportInput!) { importRuns(input: $input) { " + JOB + " } }",
                Map.of("input", input)).get("importRuns");
        String shown = "";
        while (true) {
            String line = job.get("state").asString().toLowerCase(Locale.ROOT) + ": " + job.get("runsRead").asInt()
                    + " runs read (" + job.get("runsCreated").asInt() + " new), " + job.get("pointsStored").asLong()
                    + " points stored, " + job.get("pointsDuplicate").asLong() + " already there";
            if (!line.equals(shown)) {
                out.println(line);
                shown = line;
            }
            if (!job.get("state").asString().equals("RUNNING")) {
                break;
            }
            Thread.sleep(500);
            job = execute("query($id: ID!) { importJob(id: $id) { " + JOB + " } }", Map.of("id", job.get("id")
                    .asString())).get("importJob");
        }
        job.get("unmapped").forEach(line -> out.println("not imported: " + line.asString()));
        if (job.get("state").asString().equals("FAILED")) {
            throw new CommandException(job.get("error").asString());
        }
        return 0;
    }

    private JsonNode execute(String query, Map<String, Object> variables) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofMinutes(1))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("query", query,
                        "variables", variables))));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new CommandException("no Trackstack server answers at " + endpoint
                    + ": start it, or give its address with --url");
        }
        JsonNode body = response.body().isEmpty() ? null : json.readTree(response.body());
        JsonNode errors = body == null ? null : body.get("errors");
        if (errors != null && !errors.isEmpty()) {
            throw new CommandException(errors.get(0).get("message").asString());
        }
        if (response.statusCode() != 200 || body == null || body.get("data") == null) {
            throw new CommandException("the server answered HTTP " + response.statusCode());
        }
        return body.get("data");
    }

    /** A failure told to the user in one line. */
    private static final class CommandException extends RuntimeException {

        CommandException(String message) {
            super(message);
        }
    }
}

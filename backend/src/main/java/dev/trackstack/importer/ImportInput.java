package dev.trackstack.importer;

/** importRuns' argument (graphql/import.graphqls). */
record ImportInput(ImportFormat format, String source, String project, String model, String apiKey) {
}

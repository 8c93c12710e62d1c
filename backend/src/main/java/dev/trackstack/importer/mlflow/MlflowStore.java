package dev.trackstack.importer.mlflow;

import java.io.IOException;

/** One of MLflow's tracking stores, read experiment by experiment and run by run into an import. */
interface MlflowStore {

    void read(MlflowImport target) throws IOException;
}

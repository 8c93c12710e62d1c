package dev.trackstack.importer;

/** The formats runs are imported from. */
public enum ImportFormat {
    TENSORBOARD, MLFLOW, WANDB
}
